#pragma once
/// The in-process server these tests talk to: http::Server on 127.0.0.1:0 in a thread, with
/// SSE and WebSocket routes that record what the server did to them, and small clients (raw
/// TCP for SSE, Beast for WebSockets) whose every wait has a deadline.

#include <atomic>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/beast.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace berth::http::testing {

namespace websocket = boost::beast::websocket;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr seconds kWait{20};  // the longest any step may take before the test fails

/// Polls `condition` until it holds or kWait passes.
bool eventually(const std::function<bool()>& condition);

/// What the routes saw, shared by every connection.
struct RouteLog {
  std::atomic<int> stream_starts{0};
  std::atomic<bool> flood_refused{false};
  std::atomic<int> opens{0};
  std::atomic<int> closes{0};
  std::atomic<int> overlaps{0};      // a callback began while another of its connection ran
  std::atomic<bool> stalled{false};  // /ws-stall's session is inside its "stall" frame
  std::atomic<bool> release_stall{false};
  std::atomic<int> stall_frames{0};      // frames /ws-stall's session took after the stall
  std::atomic<int> stall_misordered{0};  // ... whose "n:" prefix was not the next number
  std::mutex mutex;
  std::vector<std::shared_ptr<StreamWriter>> forever_writers;
  std::vector<std::thread> threads;  // writers started by routes; joined by the server
};

/// GET /plain (JSON), /events?n=N (N events from a thread, then finish), /forever (never
/// finishes; keepalive 50 ms), /flood (writes until refused; bound 64 KiB), /ws (echo;
/// frames up to 1 KiB; "revoke" closes 4001, "flood" sends until refused; bound 64 KiB),
/// /ws-stall (frames up to 64 KiB, 256 KiB may wait for the session; "stall" blocks the
/// session until release_stall, then each frame "n:..." is counted and its order checked).
class StreamTestServer {
 public:
  explicit StreamTestServer(ServerOptions options = defaults());
  ~StreamTestServer();

  static ServerOptions defaults();
  std::uint16_t port() const { return port_; }
  RouteLog& log() { return *log_; }
  void request_stop() { server_->request_stop(); }
  /// Waits (up to kWait) for run() to return after request_stop().
  bool wait_stopped();

 private:
  class AdmitAll;
  std::shared_ptr<RouteLog> log_;
  std::unique_ptr<AdmitAll> gate_;
  Router router_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

/// A raw HTTP/1.1 client: sends bytes and collects what comes back.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port, int receive_buffer_bytes = 0);
  void send(std::string_view bytes);
  void get(std::string_view target, std::string_view method = "GET");
  /// Reads until `done(received)` holds; false on EOF, error or kWait without it.
  bool read_until(const std::function<bool(const std::string&)>& done);
  /// Reads until the server closes; false if it does not within kWait.
  bool read_to_end();
  const std::string& received() const { return received_; }
  void close();

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_{io_};
  std::string received_;
  bool ended_ = false;
};

/// A Beast WebSocket client on its own io_context; every operation has a deadline (kWait).
class WsClient {
 public:
  explicit WsClient(std::uint16_t port, std::string target = "/ws");
  bool connected() const { return connected_; }
  boost::system::error_code send(std::string_view text, bool binary = false);
  struct Read {
    boost::system::error_code error;
    std::string text;
    websocket::close_reason reason;
  };
  Read read();
  /// Cuts the TCP connection without a close frame.
  void drop();

 private:
  template <class Start>
  boost::system::error_code run(Start start);

  boost::asio::io_context io_;
  websocket::stream<boost::asio::ip::tcp::socket> ws_{io_};
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace berth::http::testing
