#include "sim_agent.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <deque>
#include <random>

#include "swarm.hpp"

namespace swarm {

using protocol::MessageType;

namespace {

constexpr std::chrono::milliseconds kBackoffBase{1000};
constexpr std::chrono::milliseconds kBackoffCap{30'000};
constexpr std::chrono::seconds kLastingSession{60};  // resets the backoff, as berth-agent does
constexpr std::chrono::seconds kConnectTimeout{10};
constexpr std::size_t kMaxReadBytes = 4 * 1024 * 1024;

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::mt19937_64& jitter_source() {
  static std::mt19937_64 source{std::random_device{}()};
  return source;
}

}  // namespace

struct SimAgent::Connection {
  explicit Connection(asio::io_context& io) : ws(io), heartbeat(io) {}
  websocket::stream<beast::tcp_stream> ws;
  asio::steady_timer heartbeat;
  std::deque<std::string> outbox;
  bool writing = false;
  bool open = true;
  Clock::time_point last_heard = Clock::now();
};

SimAgent::SimAgent(Swarm& swarm, AgentIdentity identity)
    : swarm_(swarm), identity_(std::move(identity)) {}

std::chrono::milliseconds SimAgent::next_backoff() {
  // berth-agent's Backoff: uniform in [0, min(cap, base * 2^attempt)].
  const std::uint32_t shift = attempt_ < 20 ? attempt_ : 20;
  const auto ceiling = std::min(kBackoffCap, kBackoffBase * (std::int64_t{1} << shift));
  ++attempt_;
  std::uniform_int_distribution<std::int64_t> draw(0, ceiling.count());
  return std::chrono::milliseconds(draw(jitter_source()));
}

asio::awaitable<void> SimAgent::run() {
  asio::steady_timer wait(swarm_.io());
  while (!swarm_.stopping()) {
    const auto started = Clock::now();
    const Ending ending = co_await session();
    if (ending == Ending::final_close) {
      co_return;
    }
    if (ending == Ending::refused_token) {
      attempt_ = 20;  // retry, but slowly
    } else if (Clock::now() - started >= kLastingSession) {
      attempt_ = 0;
    }
    wait.expires_after(next_backoff());
    error_code ec;
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<SimAgent::Ending> SimAgent::session() {
  const bool first = !tried_once_;
  tried_once_ = true;
  if (first) {
    co_await swarm_.acquire_first_handshake();
  }
  auto connection = std::make_shared<Connection>(swarm_.io());
  auto& ws = connection->ws;
  error_code ec;
  beast::get_lowest_layer(ws).expires_after(kConnectTimeout);
  co_await beast::get_lowest_layer(ws).async_connect(swarm_.options().server,
                                                     asio::redirect_error(asio::use_awaitable, ec));
  websocket::response_type upgrade;
  if (!ec) {
    if (swarm_.options().tcp_no_delay) {
      beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true), ec);
    }
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout{kConnectTimeout, websocket::stream_base::none(),
                                                  /*keep_alive_pings=*/false});
    ws.set_option(websocket::stream_base::decorator(
        [token = identity_.agent_token](websocket::request_type& request) {
          request.set(bhttp::field::authorization, "Bearer " + token);
        }));
    ws.read_message_max(kMaxReadBytes);
    ws.text(true);
    const std::string host = swarm_.options().server.address().to_string() + ":" +
                             std::to_string(swarm_.options().server.port());
    co_await ws.async_handshake(upgrade, host, "/api/v1/agent/connect",
                                asio::redirect_error(asio::use_awaitable, ec));
  }
  if (first) {
    swarm_.release_first_handshake();
  }
  if (ec) {
    ++swarm_.counters().connect_failures;
    if (upgrade.result() == bhttp::status::unauthorized) {
      ++swarm_.counters().token_refusals;
      co_return Ending::refused_token;
    }
    co_return Ending::retry;
  }

  send(connection, MessageType::hello,
       {{"agent_version", "sim"},
        {"capabilities", {"exec"}},
        {"facts", facts()},
        {"running", nlohmann::json::array()},
        {"unacked", [&] {
           auto ids = nlohmann::json::array();
           for (const auto& [job_id, done_id] : unacked_done_) {
             ids.push_back(job_id);
           }
           return ids;
         }()}});

  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      break;
    }
    connection->last_heard = Clock::now();
    const std::string frame = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    on_frame(connection, frame);
  }
  connection->open = false;
  connection->heartbeat.cancel();
  error_code ignored;
  beast::get_lowest_layer(ws).socket().close(ignored);
  if (online_) {
    online_ = false;
    swarm_.on_offline(*this);
  }
  if (ec == websocket::error::closed) {
    const auto code = ws.reason().code;
    if (code == 4001 || code == 4003) {
      co_return Ending::final_close;
    }
  }
  co_return Ending::retry;
}

void SimAgent::send(const std::shared_ptr<Connection>& connection, MessageType type,
                    nlohmann::json payload, std::string ref) {
  if (!connection->open) {
    return;
  }
  std::string id = "a" + std::to_string(identity_.index) + "." + std::to_string(++message_counter_);
  connection->outbox.push_back(protocol::encode_envelope(
      protocol::make_envelope(type, std::move(id), unix_ms(), std::move(payload), std::move(ref))));
  swarm_.counters().bytes_sent += connection->outbox.back().size();
  if (!connection->writing) {
    connection->writing = true;
    asio::co_spawn(swarm_.io(), drain(connection), asio::detached);
  }
}

asio::awaitable<void> SimAgent::drain(std::shared_ptr<Connection> connection) {
  while (connection->open && !connection->outbox.empty()) {
    const std::string frame = std::move(connection->outbox.front());
    connection->outbox.pop_front();
    error_code ec;
    co_await connection->ws.async_write(asio::buffer(frame),
                                        asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      // The read loop sees the same failure and ends the session.
      error_code ignored;
      beast::get_lowest_layer(connection->ws).socket().close(ignored);
      break;
    }
  }
  connection->writing = false;
}

void SimAgent::on_frame(const std::shared_ptr<Connection>& connection, std::string_view frame) {
  auto decoded = protocol::decode_envelope(frame);
  if (!decoded) {
    ++swarm_.counters().errors;
    return;
  }
  const auto& message = *decoded;
  const auto type = protocol::parse_message_type(message.type);
  if (!type) {
    return;
  }
  switch (*type) {
    case MessageType::welcome:
      on_welcome(connection, message);
      break;
    case MessageType::ping:
      ++swarm_.counters().pings;
      send(connection, MessageType::pong, nlohmann::json::object(), message.id);
      break;
    case MessageType::cmd:
      on_cmd(connection, message);
      break;
    case MessageType::ack:
      ++swarm_.counters().acks;
      for (auto it = unacked_done_.begin(); it != unacked_done_.end(); ++it) {
        if (it->second == message.ref) {
          swarm_.on_job_settled(it->first);
          unacked_done_.erase(it);
          break;
        }
      }
      break;
    case MessageType::error:
      ++swarm_.counters().errors;
      break;
    default:
      break;
  }
}

void SimAgent::on_welcome(const std::shared_ptr<Connection>& connection,
                          const protocol::Envelope& message) {
  const auto& override_interval = swarm_.options().heartbeat_override;
  const auto told = message.payload.value("heartbeat_interval_ms", std::int64_t{30'000});
  heartbeat_interval_ =
      override_interval.count() > 0 ? override_interval : std::chrono::milliseconds(told);
  online_ = true;
  swarm_.on_welcome(*this);
  // As berth-agent: re-send what berthd has not acknowledged, then heartbeat.
  const auto pending = unacked_done_;
  for (const auto& [job_id, done_id] : pending) {
    send_job_done(connection, job_id);
  }
  asio::co_spawn(swarm_.io(), heartbeat_loop(connection), asio::detached);
}

void SimAgent::on_cmd(const std::shared_ptr<Connection>& connection,
                      const protocol::Envelope& message) {
  ++swarm_.counters().cmds;
  const std::string job_id = message.payload.value("job_id", std::string());
  swarm_.on_cmd(job_id);
  if (unacked_done_.contains(job_id)) {
    send(connection, MessageType::ack, {{"job_id", job_id}, {"state", "finished"}}, message.id);
    send_job_done(connection, job_id);
    return;
  }
  send(connection, MessageType::ack, {{"job_id", job_id}, {"state", "accepted"}}, message.id);
  send(connection, MessageType::log,
       {{"job_id", job_id}, {"stream", "stdout"}, {"seq", 1}, {"text", "ok\n"}});
  send_job_done(connection, job_id);
}

void SimAgent::send_job_done(const std::shared_ptr<Connection>& connection,
                             const std::string& job_id) {
  // The ack's ref is the job_done's id: remember the id this frame will get.
  unacked_done_[job_id] =
      "a" + std::to_string(identity_.index) + "." + std::to_string(message_counter_ + 1);
  send(connection, MessageType::job_done,
       {{"job_id", job_id},
        {"status", "succeeded"},
        {"exit_code", 0},
        {"duration_ms", 0},
        {"last_seq", 1},
        {"result", nlohmann::json::object()},
        {"error", nullptr}});
}

asio::awaitable<void> SimAgent::heartbeat_loop(std::shared_ptr<Connection> connection) {
  error_code ec;
  while (connection->open) {
    const auto now = Clock::now();
    if (now - connection->last_heard > 3 * heartbeat_interval_) {
      // berth-agent's watchdog: nothing heard for 3 intervals, the connection is dead.
      beast::get_lowest_layer(connection->ws).socket().close(ec);
      break;
    }
    send(connection, MessageType::heartbeat, heartbeat_payload());
    ++swarm_.counters().heartbeats;
    connection->heartbeat.expires_at(
        swarm_.heartbeat_slot(identity_.index, heartbeat_interval_, now));
    co_await connection->heartbeat.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

nlohmann::json SimAgent::facts() const {
  const std::string i = std::to_string(identity_.index);
  return {{"hostname", "sim-" + i}, {"os", "sim"}, {"kernel", "0"},
          {"arch", "x86_64"},       {"cpus", 1},   {"memory_bytes", 1'000'000'000},
          {"machine_id", "sim" + i}};
}

nlohmann::json SimAgent::heartbeat_payload() {
  // The shape berth-agent sends on a small Debian VM with Docker; figures drift a little.
  const auto n = ++heartbeats_sent_;
  const auto drift = static_cast<std::int64_t>((identity_.index * 7919 + n * 104'729) % 100'000);
  return {{"agent_version", "sim"},
          {"docker", {{"status", "online"}, {"reason", ""}, {"version", "20.10.24"}}},
          {"metrics",
           {{"cpu_percent", 3.5 + static_cast<double>(drift % 400) / 100.0},
            {"load", {0.12, 0.08, 0.05}},
            {"uptime_seconds", 86'400 + static_cast<std::int64_t>(n) * 30},
            {"memory",
             {{"total_bytes", 2'084'000'000},
              {"used_bytes", 612'000'000 + drift * 100},
              {"available_bytes", 1'380'000'000 - drift * 100}}},
            {"swap", {{"total_bytes", 1'073'741'824}, {"used_bytes", 0}}},
            {"disks",
             {{{"mount", "/"},
               {"fs", "ext4"},
               {"total_bytes", 20'957'446'144},
               {"used_bytes", 5'234'000'000 + drift * 1000},
               {"available_bytes", 14'650'000'000 - drift * 1000}},
              {{"mount", "/var/lib/docker"},
               {"fs", "ext4"},
               {"total_bytes", 52'576'092'160},
               {"used_bytes", 9'140'000'000 + drift * 1000},
               {"available_bytes", 40'750'000'000 - drift * 1000}}}},
            {"network",
             {{"rx_bytes", 9'876'543'210 + static_cast<std::int64_t>(n) * 65'536},
              {"tx_bytes", 1'234'567'890 + static_cast<std::int64_t>(n) * 32'768}}},
            {"containers", {{"running", 3}, {"total", 5}}}}}};
}

}  // namespace swarm
