#include "stream_test_server.hpp"

#include <fmt/format.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <optional>

namespace berth::http::testing {

namespace asio = boost::asio;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

bool eventually(const std::function<bool()>& condition) {
  const auto deadline = Clock::now() + kWait;
  while (!condition()) {
    if (Clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

namespace {

// Echoes text and records whether two calls of one connection ever overlapped.
class EchoSession final : public WebSocketSession {
 public:
  explicit EchoSession(std::shared_ptr<RouteLog> log) : log_(std::move(log)) {}

  void on_open(std::shared_ptr<WebSocketChannel> channel) override {
    const Call call(*this);
    channel_ = std::move(channel);
    ++log_->opens;
    // Frames that arrive meanwhile must wait for this call to end, not run beside it.
    std::this_thread::sleep_for(milliseconds(20));
  }
  void on_text(std::string text) override {
    const Call call(*this);
    if (text == "revoke") {
      channel_->close(4001, "revoked");
    } else if (text == "flood") {
      const std::string chunk(16 * 1024, 'f');
      while (channel_->send(chunk)) {
      }
    } else {
      channel_->send(std::move(text));
    }
  }
  void on_close() override {
    const Call call(*this);
    ++log_->closes;
    channel_.reset();
  }

 private:
  struct Call {
    explicit Call(EchoSession& session) : session_(session) {
      if (session_.in_call_.fetch_add(1) != 0) {
        ++session_.log_->overlaps;
      }
      std::this_thread::yield();
    }
    ~Call() { session_.in_call_.fetch_sub(1); }
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;
    EchoSession& session_;
  };

  std::shared_ptr<RouteLog> log_;
  std::shared_ptr<WebSocketChannel> channel_;
  std::atomic<int> in_call_{0};
};

// Holds the application back ("stall") so the server has frames waiting for it.
class StallSession final : public WebSocketSession {
 public:
  explicit StallSession(std::shared_ptr<RouteLog> log) : log_(std::move(log)) {}

  void on_open(std::shared_ptr<WebSocketChannel>) override {}
  void on_text(std::string text) override {
    if (text == "stall") {
      log_->stalled = true;
      eventually([this] { return log_->release_stall.load(); });
      return;
    }
    const int expected = log_->stall_frames.load();
    if (!text.starts_with(fmt::format("{}:", expected))) {
      ++log_->stall_misordered;
    }
    ++log_->stall_frames;
  }
  void on_close() override {}

 private:
  std::shared_ptr<RouteLog> log_;
};

Response stream_response(std::shared_ptr<StreamBody> body) {
  return Response{.status = 200,
                  .content_type = "text/event-stream",
                  .body = {},
                  .headers = {},
                  .stream = std::move(body),
                  .websocket = {}};
}

// The 101 answer that hands the connection to `upgrade`'s session.
Response switching_protocols(std::shared_ptr<WebSocketUpgrade> upgrade) {
  return Response{.status = 101,
                  .content_type = {},
                  .body = {},
                  .headers = {},
                  .stream = {},
                  .websocket = std::move(upgrade)};
}

void add_routes(Router& router, const std::shared_ptr<RouteLog>& log) {
  router.get("/plain", {.summary = "Plain JSON", .role = Role::anyone},
             [](Request&) -> Result<Response> {
               return Response::json(200, {{"ok", true}});
             });

  router.get(
      "/events",
      {.summary = "N events", .role = Role::anyone, .query = {{.name = "n", .description = {}}}},
      [log](Request& request) -> Result<Response> {
        const int count = std::stoi(request.query_param("n").value_or("10"));
        auto body = std::make_shared<StreamBody>();
        body->start = [log, count](std::shared_ptr<StreamWriter> writer) {
          ++log->stream_starts;
          const std::lock_guard lock(log->mutex);
          log->threads.emplace_back([writer, count] {
            for (int i = 0; i < count; ++i) {
              writer->write(fmt::format("data: {}\n\n", i));
            }
            writer->finish();
          });
        };
        return stream_response(std::move(body));
      });

  router.get("/forever", {.summary = "Never ends", .role = Role::anyone},
             [log](Request&) -> Result<Response> {
               auto body = std::make_shared<StreamBody>();
               body->keepalive = milliseconds(50);
               body->start = [log](std::shared_ptr<StreamWriter> writer) {
                 ++log->stream_starts;
                 const std::lock_guard lock(log->mutex);
                 log->forever_writers.push_back(std::move(writer));
               };
               return stream_response(std::move(body));
             });

  router.get("/flood", {.summary = "Writes until refused", .role = Role::anyone},
             [log](Request&) -> Result<Response> {
               auto body = std::make_shared<StreamBody>();
               body->max_queued_bytes = 64 * 1024;
               body->start = [log](std::shared_ptr<StreamWriter> writer) {
                 ++log->stream_starts;
                 const std::lock_guard lock(log->mutex);
                 log->threads.emplace_back([log, writer] {
                   const std::string chunk(16 * 1024, 'x');
                   for (std::size_t total = 0; total < (std::size_t{1} << 30);
                        total += chunk.size()) {
                     if (!writer->write(chunk)) {
                       log->flood_refused = true;
                       return;
                     }
                     std::this_thread::sleep_for(std::chrono::microseconds(200));
                   }
                 });
               };
               return stream_response(std::move(body));
             });

  router.get("/ws", {.summary = "Echo WebSocket", .role = Role::anyone},
             [log](Request&) -> Result<Response> {
               // Answers 101 even to a plain GET: the server must turn that into a 500.
               auto upgrade = std::make_shared<WebSocketUpgrade>();
               upgrade->session = std::make_shared<EchoSession>(log);
               upgrade->max_frame_bytes = 1024;
               upgrade->max_queued_bytes = 64 * 1024;
               return switching_protocols(std::move(upgrade));
             });

  router.get("/ws-stall", {.summary = "WebSocket with a stalling session", .role = Role::anyone},
             [log](Request&) -> Result<Response> {
               auto upgrade = std::make_shared<WebSocketUpgrade>();
               upgrade->session = std::make_shared<StallSession>(log);
               upgrade->max_frame_bytes = 64 * 1024;
               upgrade->max_inbound_bytes = 256 * 1024;
               return switching_protocols(std::move(upgrade));
             });
}

}  // namespace

class StreamTestServer::AdmitAll final : public AccessGate {
 public:
  Result<void> throttle(const Route&, const Request&) override { return {}; }
  Result<Principal> identify(const Request&) override {
    return fail(Error::not_found("no identities here"));
  }
  Result<std::optional<Role>> team_role(const Principal&, std::string_view) override {
    return std::optional<Role>();
  }
};

ServerOptions StreamTestServer::defaults() {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.worker_threads = 4;
  // Longer than any wait in the tests: what ends promptly at shutdown is not the forced close.
  options.shutdown_timeout = std::chrono::seconds(60);
  options.request_id_prefix = "stream";
  return options;
}

StreamTestServer::StreamTestServer(ServerOptions options)
    : log_(std::make_shared<RouteLog>()), gate_(std::make_unique<AdmitAll>()) {
  router_.set_access_gate(gate_.get());
  add_routes(router_, log_);
  server_ = std::make_unique<Server>(std::move(options), router_);
  port_ = server_->listen();
  thread_ = std::thread([this] {
    server_->run();
    stopped_ = true;
  });
}

StreamTestServer::~StreamTestServer() {
  if (!stopped_) {
    server_->request_stop();
  }
  thread_.join();
  for (auto& thread : log_->threads) {
    thread.join();
  }
  server_.reset();
}

bool StreamTestServer::wait_stopped() {
  return eventually([this] { return stopped_.load(); });
}

namespace {

// Runs the io_context until `result` is set or kWait passes; cancels what is pending then.
template <class Socket>
bool run_until_done(asio::io_context& io, Socket& socket, const std::optional<error_code>& result) {
  const auto deadline = Clock::now() + kWait;
  io.restart();
  while (!result && io.run_one_until(deadline) > 0) {
  }
  if (!result) {
    error_code ignored;
    socket.close(ignored);
    io.restart();
    io.poll();
    return false;
  }
  return true;
}

}  // namespace

RawClient::RawClient(std::uint16_t port, int receive_buffer_bytes) {
  socket_.open(asio::ip::tcp::v4());
  if (receive_buffer_bytes > 0) {
    socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer_bytes));
  }
  socket_.connect({asio::ip::make_address("127.0.0.1"), port});
}

void RawClient::send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

void RawClient::get(std::string_view target, std::string_view method) {
  send(fmt::format("{} {} HTTP/1.1\r\nHost: berth.test\r\n\r\n", method, target));
}

bool RawClient::read_until(const std::function<bool(const std::string&)>& done) {
  std::array<char, 4096> chunk{};
  while (!done(received_)) {
    if (ended_) {
      return false;
    }
    std::optional<error_code> result;
    std::size_t got = 0;
    socket_.async_read_some(asio::buffer(chunk), [&](error_code ec, std::size_t n) {
      result = ec;
      got = n;
    });
    if (!run_until_done(io_, socket_, result)) {
      return false;
    }
    received_.append(chunk.data(), got);
    ended_ = static_cast<bool>(*result);
  }
  return true;
}

bool RawClient::read_to_end() {
  return read_until([this](const std::string&) { return ended_; });
}

void RawClient::close() {
  error_code ignored;
  socket_.close(ignored);
}

WsClient::WsClient(std::uint16_t port, std::string target) {
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  if (run([&](auto handler) { ws_.next_layer().async_connect(endpoint, std::move(handler)); })) {
    return;
  }
  connected_ =
      !run([&](auto handler) { ws_.async_handshake("127.0.0.1", target, std::move(handler)); });
}

template <class Start>
error_code WsClient::run(Start start) {
  std::optional<error_code> result;
  start([&result](error_code ec, auto&&...) { result = ec; });
  if (!run_until_done(io_, ws_.next_layer(), result)) {
    return asio::error::timed_out;
  }
  return *result;
}

error_code WsClient::send(std::string_view text, bool binary) {
  ws_.binary(binary);
  return run([&](auto handler) { ws_.async_write(asio::buffer(text), std::move(handler)); });
}

WsClient::Read WsClient::read() {
  buffer_.clear();
  Read out;
  out.error = run([&](auto handler) { ws_.async_read(buffer_, std::move(handler)); });
  out.text = boost::beast::buffers_to_string(buffer_.data());
  out.reason = ws_.reason();
  return out;
}

void WsClient::drop() {
  error_code ignored;
  ws_.next_layer().close(ignored);
}

}  // namespace berth::http::testing
