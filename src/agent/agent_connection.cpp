#include "agent/agent_connection.hpp"

#include <algorithm>
#include <csignal>
#include <deque>

#include "agent/net.hpp"
#include "agent/tls.hpp"
#include "core/log.hpp"

namespace berth::agent {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kHardFrameLimit = 4 * 1024 * 1024;  // Beast closes with 1009 above it
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::chrono::seconds kLastingSession{60};  // resets the backoff
constexpr std::string_view kConnectPath = "/api/v1/agent/connect";

enum class End { dropped, restarting, unauthorized, revoked, deleted, stopping };

// One connection's state, shared by its reader (the owner) and helper coroutines (writer,
// heartbeat, watchdog); it lives until the last of them ends.
template <class Ws>
struct Link {
  template <class... Args>
  explicit Link(asio::io_context& io, Args&&... args)
      : ws(io, std::forward<Args>(args)...),
        wakeup(io),
        heartbeat(io),
        watchdog(io),
        helpers_done(io) {}

  void cut() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
  }

  Ws ws;
  std::deque<std::string> outbox;
  asio::steady_timer wakeup;  // the writer sleeps on it; cancel() wakes it
  asio::steady_timer heartbeat;
  asio::steady_timer watchdog;
  asio::steady_timer helpers_done;
  int helpers = 0;
  bool open = false;          // the WebSocket handshake succeeded
  bool close_wanted = false;  // send a close frame (close_code) after the outbox
  websocket::close_code close_code = websocket::close_code::normal;
  bool done = false;
  SteadyClock::time_point last_heard = SteadyClock::now();
};

class AgentRunner {
 public:
  AgentRunner(RunOptions options, Journal& journal, std::vector<nlohmann::json> lost)
      : options_(std::move(options)),
        signals_(io_, SIGTERM, SIGINT),
        retry_timer_(io_),
        flush_timer_(io_),
        force_timer_(io_),
        restart_timer_(io_),
        clock_(options_.clock_offset),
        backoff_(random_, options_.backoff),
        session_(
            SessionOptions{.agent_version = options_.agent_version,
                           .facts = options_.facts,
                           .heartbeat_override = options_.heartbeat_override,
                           .first_flush_delay = options_.first_flush_delay.value_or(
                               SessionOptions{}.first_flush_delay)},
            journal, options_.executors, clock_, random_,
            [this](milliseconds delay) { asio::post(io_, [this, delay] { on_wake(delay); }); },
            std::move(lost)) {}

  int run() {
    signals_.async_wait([this](const beast::error_code& ec, int signal_number) {
      if (!ec) {
        stop(signal_number);
      }
    });
    asio::co_spawn(io_, main_loop(), [this](const std::exception_ptr& failure) {
      if (failure) {
        log::error("agent.crashed", {{"what", "the connection loop threw"}});
        exit_code_ = kExitFailed;
      }
      io_.stop();
    });
    io_.run();
    const auto running = session_.running_jobs();
    if (!running.empty()) {
      log::info("agent.stopping_jobs", {{"count", static_cast<std::int64_t>(running.size())}});
      session_.cancel_all();
      if (!session_.wait_for_jobs(options_.job_stop_grace)) {
        log::warn("agent.jobs_still_running", {});
      }
    }
    return exit_code_;
  }

 private:
  // `signal_number` 0: the agent stops by itself (a restart).
  void stop(int signal_number) {
    log::info("agent.stop", {{"signal", std::int64_t{signal_number}}});
    stopping_ = true;
    restart_timer_.cancel();
    retry_timer_.cancel();
    if (close_current_) {
      close_current_();
    }
    force_timer_.expires_after(options_.close_timeout);
    force_timer_.async_wait([this](const beast::error_code& ec) {
      if (!ec && cut_current_) {
        cut_current_();
      }
    });
  }

  // A job asked for a restart: once it has ended and berthd acknowledged its job_done (the
  // result is stored, so the new process owes it nothing), or when the grace runs out.
  void check_restart() {
    if (!options_.restart || restarting_) {
      return;
    }
    const auto job_id = options_.restart->job_id();
    if (!job_id) {
      return;
    }
    if (!restart_armed_) {
      restart_armed_ = true;
      restart_timer_.expires_after(options_.restart_grace);
      restart_timer_.async_wait([this](const beast::error_code& ec) {
        if (!ec && !restarting_) {
          log::warn("agent.restart_unacknowledged", {});
          begin_restart();
        }
      });
    }
    const auto running = session_.running_jobs();
    const auto unacked = session_.buffer().unacked_job_ids();
    if (std::ranges::find(running, *job_id) == running.end() &&
        std::ranges::find(unacked, *job_id) == unacked.end()) {
      begin_restart();
    }
  }

  void begin_restart() {
    restarting_ = true;
    restart_timer_.cancel();
    log::info("agent.restarting", {});
    exit_code_ = kExitRestart;
    stop(0);
  }

  void on_wake(milliseconds delay) {
    check_restart();
    if (delay.count() == 0) {
      session_.flush();
      return;
    }
    // The earliest asked-for flush wins: a paced send must not wait for a later re-send.
    const auto due = SteadyClock::now() + delay;
    if (flush_armed_ && flush_timer_.expiry() <= due) {
      return;
    }
    flush_armed_ = true;
    flush_timer_.expires_at(due);  // cancels a later wait
    flush_timer_.async_wait([this](const beast::error_code& ec) {
      if (ec == asio::error::operation_aborted) {
        return;  // re-armed earlier, or stopping
      }
      flush_armed_ = false;
      session_.flush();
    });
  }

  asio::awaitable<void> main_loop() {
    const auto url = parse_server_url(options_.state.server_url);
    TlsOptions tls{.ca_file = options_.state.ca_file, .pin_sha256 = {}};
    if (!options_.state.pin_sha256.empty()) {
      tls.pin_sha256 = parse_sha256_pin(options_.state.pin_sha256).value_or(std::string());
    }
    if (!url) {
      log::error("agent.config_invalid", {{"message", url.error().message}});
      exit_code_ = kExitFailed;
      co_return;
    }
    // Only a wss:// agent pays for OpenSSL's context (and the library pages it touches).
    std::shared_ptr<ssl::context> context;
    if (url->tls) {
      auto made = make_tls_context(tls);
      if (!made) {
        log::error("agent.config_invalid", {{"message", made.error().message}});
        exit_code_ = kExitFailed;
        co_return;
      }
      context = std::move(*made);
    }
    while (!stopping_) {
      const auto began = SteadyClock::now();
      const End end = url->tls ? co_await serve<websocket::stream<TlsStream>>(*url, tls, *context)
                               : co_await serve<websocket::stream<PlainStream>>(*url, tls);
      if (end == End::revoked || end == End::deleted) {
        log::error("agent.refused_for_good",
                   {{"reason", end == End::revoked ? "the agent token was revoked (4001)"
                                                   : "the server was deleted in berthd (4003)"},
                    {"hint", "re-enroll with a new install token to come back"}});
        exit_code_ = kExitRefused;
        break;
      }
      if (stopping_) {
        break;
      }
      // berthd going away on purpose (1001: a restart, an upgrade) is no sign of trouble: the
      // first attempts are soon again (still drawn at random, so a fleet spreads out), rather
      // than as late as the short sessions before it had pushed them.
      if (SteadyClock::now() - began > kLastingSession || end == End::restarting) {
        backoff_.reset();
      }
      if (end == End::unauthorized) {
        backoff_.saturate();
      }
      const auto delay = backoff_.next();
      log::info("agent.reconnect_in", {{"delay_ms", static_cast<std::int64_t>(delay.count())}});
      beast::error_code ec;
      retry_timer_.expires_after(delay);
      co_await retry_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    signals_.cancel();
  }

  template <class Ws, class... StreamArgs>
  asio::awaitable<End> serve(const ServerUrl& url, const TlsOptions& tls, StreamArgs&... args) {
    auto link = std::make_shared<Link<Ws>>(io_, args...);
    close_current_ = [link] {
      if (!link->open) {
        link->cut();
        return;
      }
      link->close_wanted = true;
      link->wakeup.cancel();
    };
    cut_current_ = [link] { link->cut(); };
    const End end = co_await converse(link, url, tls);
    link->done = true;
    link->cut();
    link->wakeup.cancel();
    link->heartbeat.cancel();
    link->watchdog.cancel();
    while (link->helpers > 0) {
      beast::error_code ec;
      link->helpers_done.expires_at(SteadyClock::time_point::max());
      co_await link->helpers_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    session_.disconnected();
    close_current_ = nullptr;
    cut_current_ = nullptr;
    co_return end;
  }

  template <class Ws>
  asio::awaitable<bool> open(std::shared_ptr<Link<Ws>> link, const ServerUrl& url,
                             const TlsOptions& tls, bhttp::response<bhttp::string_body>& answer) {
    auto connected =
        co_await connect_tcp(beast::get_lowest_layer(link->ws), url, options_.connect_timeout);
    if (connected && url.tls) {
      if constexpr (std::is_same_v<Ws, websocket::stream<TlsStream>>) {
        connected =
            co_await tls_handshake(link->ws.next_layer(), url, tls, options_.connect_timeout);
      }
    }
    if (!connected) {
      log::warn("agent.connect_failed", {{"message", connected.error().message}});
      co_return false;
    }
    link->ws.set_option(
        websocket::stream_base::timeout{.handshake_timeout = options_.connect_timeout,
                                        .idle_timeout = websocket::stream_base::none(),
                                        .keep_alive_pings = false});
    link->ws.set_option(websocket::stream_base::decorator(
        [token = options_.state.agent_token](websocket::request_type& request) {
          request.set(bhttp::field::authorization, "Bearer " + token);
          request.set(bhttp::field::user_agent, "berth-agent/" BERTH_VERSION);
        }));
    link->ws.read_message_max(kHardFrameLimit);
    link->ws.text(true);
    beast::error_code ec;
    co_await link->ws.async_handshake(answer, url.host_header(), url.target(kConnectPath),
                                      asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      log::warn("agent.upgrade_failed",
                {{"message", ec.message()}, {"status", std::int64_t{answer.result_int()}}});
      co_return false;
    }
    co_return true;
  }

  template <class Ws>
  asio::awaitable<End> converse(std::shared_ptr<Link<Ws>> link, const ServerUrl& url,
                                const TlsOptions& tls) {
    bhttp::response<bhttp::string_body> answer;
    if (!co_await open(link, url, tls, answer)) {
      if (answer.result() == bhttp::status::unauthorized) {
        log::error("agent.token_refused",
                   {{"message",
                     "berthd refused the agent token (401); retrying every 30 s at "
                     "most. Re-enroll if this server was removed."}});
        co_return End::unauthorized;
      }
      co_return stopping_ ? End::stopping : End::dropped;
    }
    link->open = true;
    link->last_heard = SteadyClock::now();
    log::info("agent.connected", {{"server", url.host_header()}});
    if (stopping_) {
      link->close_wanted = true;
    }
    spawn_helper(link, write_loop(link));
    spawn_helper(link, watch(link));
    session_.connected([link](std::string frame) {
      link->outbox.push_back(std::move(frame));
      link->wakeup.cancel();
    });

    bool heartbeating = false;
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
      // A frame at a time into our own buffer: Beast's whole-message read sizes each step from
      // the frame state before waiting for a close in progress (ours) to finish draining, and
      // Beast 1.74 asserts there (rd_remain > 0) when that drain is mid-frame.
      const std::size_t got = co_await link->ws.async_read_some(
          buffer.prepare(kReadChunk), asio::redirect_error(asio::use_awaitable, ec));
      buffer.commit(got);
      if (ec) {
        break;
      }
      if (!link->ws.is_message_done()) {
        continue;
      }
      link->last_heard = SteadyClock::now();
      const auto event = session_.on_frame(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      check_restart();
      if (event == Session::Event::abusive && !link->close_wanted) {
        // berthd (or whoever answers in its place) floods or keeps sending garbage: hang up
        // and reconnect with backoff; the next hello resynchronises every job.
        log::warn("agent.peer_abusive", {{"server", url.host_header()}});
        link->close_code = websocket::close_code::policy_error;
        link->close_wanted = true;
        link->wakeup.cancel();
      }
      if (event == Session::Event::welcomed && !heartbeating) {
        heartbeating = true;
        spawn_helper(link, heartbeat_loop(link));
      }
    }
    const auto code = static_cast<int>(link->ws.reason().code);
    log::info("agent.disconnected", {{"message", ec.message()},
                                     {"close_code", std::int64_t{code}},
                                     {"close_reason", std::string_view(link->ws.reason().reason)}});
    if (ec == websocket::error::closed && code == 4001) {
      co_return End::revoked;
    }
    if (ec == websocket::error::closed && code == 4003) {
      co_return End::deleted;
    }
    if (stopping_) {
      co_return End::stopping;
    }
    const bool going_away = ec == websocket::error::closed &&
                            code == static_cast<int>(websocket::close_code::going_away);
    co_return going_away ? End::restarting : End::dropped;
  }

  template <class Ws>
  void spawn_helper(std::shared_ptr<Link<Ws>> link, asio::awaitable<void> helper) {
    ++link->helpers;
    asio::co_spawn(io_, std::move(helper), [link](const std::exception_ptr&) {
      --link->helpers;
      link->helpers_done.cancel();
    });
  }

  template <class Ws>
  asio::awaitable<void> write_loop(std::shared_ptr<Link<Ws>> link) {
    beast::error_code ec;
    while (!link->done) {
      if (!link->outbox.empty()) {
        const std::string frame = std::move(link->outbox.front());
        link->outbox.pop_front();
        co_await link->ws.async_write(asio::buffer(frame),
                                      asio::redirect_error(asio::use_awaitable, ec));
      } else if (link->close_wanted) {
        link->close_wanted = false;
        co_await link->ws.async_close(link->close_code,
                                      asio::redirect_error(asio::use_awaitable, ec));
      } else {
        link->wakeup.expires_at(SteadyClock::time_point::max());
        co_await link->wakeup.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        ec = {};
      }
      if (ec) {
        link->cut();  // the reader sees it and ends the connection
        co_return;
      }
    }
  }

  template <class Ws>
  asio::awaitable<void> heartbeat_loop(std::shared_ptr<Link<Ws>> link) {
    beast::error_code ec;
    while (!link->done) {
      // The sample probes Docker (up to 2 s when dockerd hangs) and reads /proc: it runs on a
      // thread of its own, so pings, commands and job output keep moving on this one meanwhile.
      HeartbeatSample sample;
      if (options_.sample) {
        sample = co_await asio::co_spawn(
            sampler_, [this]() -> asio::awaitable<HeartbeatSample> { co_return options_.sample(); },
            asio::use_awaitable);
      }
      if (link->done) {
        co_return;
      }
      session_.send_heartbeat(sample.docker, sample.metrics, sample.events);
      link->heartbeat.expires_after(session_.heartbeat_interval());
      co_await link->heartbeat.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // berthd pings every interval: three intervals of silence mean the link is dead.
  template <class Ws>
  asio::awaitable<void> watch(std::shared_ptr<Link<Ws>> link) {
    beast::error_code ec;
    while (!link->done) {
      const auto deadline = link->last_heard + 3 * session_.heartbeat_interval();
      if (SteadyClock::now() >= deadline) {
        log::warn(
            "agent.silent_server",
            {{"silent_ms", static_cast<std::int64_t>(3 * session_.heartbeat_interval().count())}});
        link->cut();
        co_return;
      }
      link->watchdog.expires_at(deadline);
      co_await link->watchdog.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  RunOptions options_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer retry_timer_;
  asio::steady_timer flush_timer_;
  asio::steady_timer force_timer_;
  asio::steady_timer restart_timer_;
  SystemClock clock_;
  SodiumRandom random_;
  Backoff backoff_;
  Session session_;
  std::function<void()> close_current_;
  std::function<void()> cut_current_;
  bool stopping_ = false;
  bool flush_armed_ = false;
  bool restart_armed_ = false;
  bool restarting_ = false;
  int exit_code_ = kExitStopped;
  // Last, so it is joined first: a sample in progress ends before what it reports to goes.
  asio::thread_pool sampler_{1};
};

}  // namespace

int run_agent(RunOptions options) {
  std::vector<nlohmann::json> lost;
  auto journal = Journal::open(
      {.path = std::filesystem::path(options.state_dir) / "journal", .max_jobs = 2000}, &lost);
  if (!journal) {
    log::error("agent.journal_failed", {{"detail", journal.error().internal_detail}});
    return kExitFailed;
  }
  AgentRunner runner(std::move(options), *journal, std::move(lost));
  return runner.run();
}

}  // namespace berth::agent
