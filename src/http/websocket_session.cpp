#include "http/websocket_session.hpp"

#include <atomic>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "core/log.hpp"

namespace berth::http {

namespace {

namespace websocket = beast::websocket;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using AppStrand = asio::strand<asio::thread_pool::executor_type>;

// How long a close may take: the frames queued before an application's close, the close
// handshake and the TCP teardown. After that the socket is cut.
constexpr milliseconds kCloseTime{5000};
constexpr std::size_t kMaxReasonBytes = 123;
constexpr std::size_t kIdleReadBytes = 256;  // RFC 6455: a close frame's payload is <= 125

bool is_sendable_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) {
    return true;
  }
  return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

websocket::close_reason make_reason(std::uint16_t code, std::string_view reason) {
  const auto sendable = is_sendable_close_code(code) ? code : std::uint16_t{1011};
  const auto text = reason.substr(0, kMaxReasonBytes);
  return websocket::close_reason(static_cast<websocket::close_code>(sendable),
                                 beast::string_view(text.data(), text.size()));
}

// Runs `call` on the application's strand; the awaiting coroutine resumes on its own
// executor after it. Not a coroutine itself: the operation holds its own copies.
template <class Call>
auto run_on(AppStrand app, Call call) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
      [](auto handler, AppStrand strand, Call work) {
        asio::post(strand, [work = std::move(work), handler = std::move(handler)]() mutable {
          work();
          auto executor = asio::get_associated_executor(handler);
          asio::dispatch(executor, std::move(handler));
        });
      },
      asio::use_awaitable, std::move(app), std::move(call));
}

// One WebSocket. The atomics may be touched from any thread (WebSocketChannel); `session_`
// only on the application strand; everything else only on the connection's strand. The
// application holds a Channel, which refers to this weakly, so a channel kept after the end
// neither keeps the connection's memory nor reaches a socket that is gone.
class WebSocketCore final : public LongLived, public std::enable_shared_from_this<WebSocketCore> {
 public:
  WebSocketCore(std::shared_ptr<Connection> connection, const WebSocketUpgrade& upgrade,
                AppStrand app, std::string request_id)
      : connection_(std::move(connection)),
        ws_(connection_->socket),
        app_(std::move(app)),
        session_(upgrade.session),
        max_frame_bytes_(upgrade.max_frame_bytes),
        max_queued_bytes_(upgrade.max_queued_bytes),
        max_inbound_bytes_(upgrade.max_inbound_bytes),
        request_id_(std::move(request_id)),
        resume_reading_(connection_->socket.get_executor()) {
    ws_.read_message_max(0);  // no limit of Beast's own: read_frames() enforces the frame limit
    ws_.auto_fragment(false);
    ws_.text(true);
    // Beast's idle pings stay off (the application pings); its handshake limit bounds the
    // opening and the closing handshake.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kCloseTime;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.erase(bhttp::field::server); }));
  }

  // Any thread, through the Channel.
  bool send(std::string text);
  void close(std::uint16_t code, std::string_view reason);

  // The connection's strand.
  void end_for_shutdown() override {
    request_close(make_reason(1001, "berthd shutting down"), true);
  }
  asio::awaitable<void> run(bhttp::request<bhttp::string_body> upgrade_request,
                            const ConnectionContext& context);

 private:
  asio::any_io_executor executor() { return connection_->socket.get_executor(); }
  void enqueue(std::string text);
  void request_close(const websocket::close_reason& reason, bool now);
  void pump();
  void on_written(boost::system::error_code ec);
  void drop_outbox();
  asio::awaitable<boost::system::error_code> read_frames();
  asio::awaitable<void> wait_for_the_application();
  void hand_to_session(std::string text);
  template <class Call>
  void call_session(Call&& call);
  void log_closed(const boost::system::error_code& ec, steady_clock::time_point opened) const;

  std::shared_ptr<Connection> connection_;  // keeps the socket the stream refers to
  websocket::stream<tcp::socket&> ws_;
  AppStrand app_;
  std::shared_ptr<WebSocketSession> session_;
  const std::size_t max_frame_bytes_;
  const std::size_t max_queued_bytes_;
  const std::size_t max_inbound_bytes_;
  const std::string request_id_;
  std::atomic<bool> closing_{false};           // send() refuses from now on
  std::atomic<std::size_t> queued_bytes_{0};   // accepted by send(), not yet written
  std::atomic<std::size_t> inbound_bytes_{0};  // read, not yet handed to on_text

  asio::steady_timer resume_reading_;  // read_frames() sleeps on it while inbound is full

  std::vector<std::string> outbox_;  // frames [next_, end) wait; outbox_[next_] may be in flight
  std::size_t next_ = 0;
  bool writing_ = false;
  bool ended_ = false;  // the read side has failed or closed: nothing more is written
  std::optional<websocket::close_reason> close_;  // requested; sent once the outbox allows
  bool close_started_ = false;
  std::uint64_t frames_in_ = 0;
  std::uint64_t frames_out_ = 0;
};

class Channel final : public WebSocketChannel {
 public:
  explicit Channel(std::weak_ptr<WebSocketCore> core) : core_(std::move(core)) {}
  bool send(std::string text) override {
    const auto core = core_.lock();
    return core && core->send(std::move(text));
  }
  void close(std::uint16_t code, std::string reason) override {
    if (const auto core = core_.lock()) {
      core->close(code, reason);
    }
  }

 private:
  std::weak_ptr<WebSocketCore> core_;
};

bool WebSocketCore::send(std::string text) {
  if (closing_.load(std::memory_order_acquire)) {
    return false;
  }
  const std::size_t size = text.size();
  if (queued_bytes_.fetch_add(size) + size > max_queued_bytes_) {
    queued_bytes_.fetch_sub(size);
    if (!closing_.exchange(true)) {
      asio::post(executor(), [self = shared_from_this()] {
        self->request_close(make_reason(1008, "send queue full"), true);
      });
    }
    return false;
  }
  asio::post(executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
    self->enqueue(std::move(text));
  });
  return true;
}

void WebSocketCore::close(std::uint16_t code, std::string_view reason) {
  closing_.store(true, std::memory_order_release);
  // After the frames already sent, so a final message is not lost to its own close.
  asio::post(executor(), [self = shared_from_this(), reason = make_reason(code, reason)] {
    self->request_close(reason, false);
  });
}

void WebSocketCore::enqueue(std::string text) {
  if (close_ || ended_) {
    queued_bytes_.fetch_sub(text.size());
    return;
  }
  outbox_.push_back(std::move(text));
  pump();
}

void WebSocketCore::pump() {
  if (writing_ || close_started_ || ended_) {
    return;
  }
  if (next_ < outbox_.size()) {
    writing_ = true;
    ws_.async_write(asio::buffer(outbox_[next_]),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->on_written(ec);
                    });
    return;
  }
  outbox_.clear();
  next_ = 0;
  if (close_) {
    close_started_ = true;
    ws_.async_close(*close_, [self = shared_from_this()](boost::system::error_code) {
      // The pending read sees the close handshake end (or fail) and ends the session.
    });
  }
}

void WebSocketCore::on_written(boost::system::error_code ec) {
  writing_ = false;
  queued_bytes_.fetch_sub(outbox_[next_].size());
  std::string().swap(outbox_[next_]);
  ++next_;
  if (ec) {
    drop_outbox();  // the read side fails too and ends the session
    return;
  }
  ++frames_out_;
  pump();
}

void WebSocketCore::drop_outbox() {
  const std::size_t keep = next_ + (writing_ ? 1 : 0);
  for (std::size_t i = keep; i < outbox_.size(); ++i) {
    queued_bytes_.fetch_sub(outbox_[i].size());
  }
  outbox_.resize(keep);
}

void WebSocketCore::request_close(const websocket::close_reason& reason, bool now) {
  closing_.store(true, std::memory_order_release);
  if (close_ || ended_) {
    return;
  }
  close_ = reason;
  resume_reading_.cancel();               // a paused read must run again to see the close handshake
  connection_->set_deadline(kCloseTime);  // a peer that stops reading must not hold it open
  if (now) {
    drop_outbox();
    close_started_ = true;
    ws_.async_close(reason, [self = shared_from_this()](boost::system::error_code) {});
  } else {
    pump();
  }
}

template <class Call>
void WebSocketCore::call_session(Call&& call) {
  if (!session_) {
    return;
  }
  try {
    call(*session_);
  } catch (const std::exception& e) {
    log::error("http.websocket_session_failed",
               {{"request_id", request_id_}, {"detail", std::string_view(e.what())}});
    close(1011, "internal error");
  } catch (...) {
    log::error("http.websocket_session_failed",
               {{"request_id", request_id_}, {"detail", std::string_view("unknown")}});
    close(1011, "internal error");
  }
}

// The frame limit is enforced here rather than by Beast's read_message_max: on that path
// Beast 1.74 closes the socket with the rest of the frame unread, so the peer gets a reset
// instead of its 1009. Reading at most one byte past the limit keeps memory bounded just
// the same, and async_close then drains the frame and completes the close handshake.
asio::awaitable<boost::system::error_code> WebSocketCore::read_frames() {
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  const auto give_back = [&buffer] {
    // 10,000 idle agents must not each keep a buffer the size of their largest frame.
    buffer.clear();
    buffer.shrink_to_fit();
  };
  for (;;) {
    // Between messages Beast prepares the buffer before any byte has arrived: a small
    // first read keeps an idle connection's buffer small.
    const std::size_t room =
        buffer.size() == 0 ? kIdleReadBytes : max_frame_bytes_ + 1 - buffer.size();
    // Into a buffer of our own rather than through Beast's dynamic-buffer overload: that one
    // sizes its read from the frame state before it waits for a close in progress to finish
    // draining, and Beast 1.74 asserts there (rd_remain > 0) when the drain is mid-frame.
    const std::size_t got = co_await ws_.async_read_some(
        buffer.prepare(room), asio::redirect_error(asio::use_awaitable, ec));
    buffer.commit(got);
    if (ec) {
      co_return ec;
    }
    if (close_) {
      give_back();  // closing: what the peer still sends is dropped
      continue;
    }
    if (buffer.size() > max_frame_bytes_) {
      give_back();
      request_close(make_reason(1009, "message too big"), true);
      continue;
    }
    if (!ws_.got_text()) {
      give_back();
      request_close(make_reason(1003, "text frames only"), true);
      continue;
    }
    if (!ws_.is_message_done()) {
      continue;
    }
    std::string text = beast::buffers_to_string(buffer.data());
    give_back();
    ++frames_in_;
    hand_to_session(std::move(text));
    co_await wait_for_the_application();
  }
}

void WebSocketCore::hand_to_session(std::string text) {
  inbound_bytes_.fetch_add(text.size());
  asio::post(app_, [self = shared_from_this(), text = std::move(text)]() mutable {
    const std::size_t size = text.size();
    self->call_session([&text](WebSocketSession& session) { session.on_text(std::move(text)); });
    const std::size_t before = self->inbound_bytes_.fetch_sub(size);
    if (before > self->max_inbound_bytes_ && before - size <= self->max_inbound_bytes_) {
      // On the connection's strand, so the wake cannot fall between read_frames()' check and
      // its wait: either the check sees the smaller count or the wait is canceled.
      asio::post(self->executor(), [self] { self->resume_reading_.cancel(); });
    }
  });
}

// Backpressure: no socket read while more than max_inbound_bytes_ waits for on_text.
asio::awaitable<void> WebSocketCore::wait_for_the_application() {
  while (inbound_bytes_.load() > max_inbound_bytes_ && !close_) {
    resume_reading_.expires_at(steady_clock::time_point::max());
    boost::system::error_code ignored;
    co_await resume_reading_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> WebSocketCore::run(bhttp::request<bhttp::string_body> upgrade_request,
                                         const ConnectionContext& context) {
  boost::system::error_code ec;
  co_await ws_.async_accept(upgrade_request, asio::redirect_error(asio::use_awaitable, ec));
  upgrade_request = {};
  if (ec) {
    log::info("http.websocket_handshake_failed",
              {{"request_id", request_id_}, {"error", ec.message()}});
    co_return;
  }
  const auto opened = steady_clock::now();
  connection_->long_lived = this;
  auto channel = std::make_shared<Channel>(weak_from_this());
  asio::post(app_, [self = shared_from_this(), channel = std::move(channel)]() mutable {
    self->call_session(
        [&channel](WebSocketSession& session) { session.on_open(std::move(channel)); });
  });
  if (context.stopping.load()) {
    end_for_shutdown();  // the shutdown's sweep may have passed this connection already
  }

  ec = co_await read_frames();
  ended_ = true;
  closing_.store(true, std::memory_order_release);
  drop_outbox();
  connection_->long_lived = nullptr;
  connection_->clear_deadline();
  // Made before the co_await: g++ 12 may destroy temporaries of a co_await expression twice.
  auto on_close = run_on(app_, [self = shared_from_this()] {
    self->call_session([](WebSocketSession& session) { session.on_close(); });
    self->session_.reset();  // the session may hold its channel: no cycle survives the end
  });
  co_await std::move(on_close);
  log_closed(ec, opened);
}

void WebSocketCore::log_closed(const boost::system::error_code& ec,
                               steady_clock::time_point opened) const {
  const auto millis =
      std::chrono::duration_cast<milliseconds>(steady_clock::now() - opened).count();
  log::info("http.websocket_closed",
            {{"request_id", request_id_},
             {"sent_code", static_cast<std::int64_t>(close_ ? close_->code : 0)},
             {"received_code", static_cast<std::int64_t>(ws_.reason().code)},
             {"end", ec.message()},
             {"frames_in", static_cast<std::int64_t>(frames_in_)},
             {"frames_out", static_cast<std::int64_t>(frames_out_)},
             {"duration_ms", static_cast<std::int64_t>(millis)}});
}

}  // namespace

asio::awaitable<void> serve_websocket(std::shared_ptr<Connection> connection,
                                      bhttp::request<bhttp::string_body> upgrade_request,
                                      std::shared_ptr<WebSocketUpgrade> upgrade,
                                      ConnectionContext context, std::string request_id) {
  auto core = std::make_shared<WebSocketCore>(
      std::move(connection), *upgrade, asio::make_strand(context.workers), std::move(request_id));
  upgrade.reset();
  auto session = core->run(std::move(upgrade_request), context);  // see run(): no temporaries
  co_await std::move(session);
}

}  // namespace berth::http
