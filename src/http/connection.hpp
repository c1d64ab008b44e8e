#pragma once
/// One client connection of the HTTP server: read a request within the limits, dispatch it
/// (on the worker pool unless the route says otherwise), write the response, log it.
/// Internal to http/; server.cpp owns the accept loop and the shutdown.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/beast.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace berth::http {

/// A connection that outlives its request (a streamed body, a WebSocket). It never becomes
/// idle, so at shutdown the server asks it to end at once rather than wait out the deadline.
class LongLived {
 public:
  virtual ~LongLived() = default;
  /// Called on the connection's strand when the server starts shutting down.
  virtual void end_for_shutdown() = 0;
};

/// One accepted socket and its deadline. Touched only on the socket's strand.
///
/// The deadline is a time point, not a timer per operation: setting or clearing it costs no
/// timer operation, which matters on a keep-alive connection serving many requests. One timer
/// per connection wakes at the earliest deadline that may be due; when it finds the deadline
/// moved later it sleeps again, when it finds it passed it cancels the pending operation.
struct Connection : std::enable_shared_from_this<Connection> {
  using Clock = std::chrono::steady_clock;

  explicit Connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

  tcp::socket socket;
  bool idle = false;       // waiting for the first byte of the next request
  bool timed_out = false;  // the deadline cancelled the pending operation
  /// Set while the connection streams a body or carries a WebSocket; owned by that code.
  LongLived* long_lived = nullptr;
  /// Left by serve_connection when the connection became a WebSocket: the server runs it
  /// after serve_connection returned, so the HTTP coroutine's frame (~2 KB) is not held for
  /// the life of the session.
  std::optional<asio::awaitable<void>> upgraded;

  /// The pending operation must end within `after`, or it is cancelled and timed_out set.
  void set_deadline(std::chrono::milliseconds after);
  void clear_deadline() { deadline_ = Clock::time_point::max(); }
  /// At shutdown: a connection between requests is closed, as is a stream or a WebSocket;
  /// one mid-request is left to finish.
  void close_if_idle();
  /// After the shutdown deadline: closes whatever is still open.
  void force_close();

 private:
  void wait_for_deadline();
  void on_timer();

  asio::steady_timer timer;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point timer_expiry_ = Clock::time_point::max();  // max: not waiting
};

/// What every connection shares with the server.
struct ConnectionContext {
  const ServerOptions& options;
  const Router& router;
  asio::thread_pool& workers;
  const std::atomic<bool>& stopping;
  std::function<std::string()> next_request_id;
};

/// Serves HTTP requests until the connection closes, or until it became a WebSocket: then
/// it returns with `connection->upgraded` set, for the caller to run next.
asio::awaitable<void> serve_connection(std::shared_ptr<Connection> connection,
                                       ConnectionContext context);

/// Answers 503 `unavailable` and closes: used when max_connections is reached.
asio::awaitable<void> reject_busy(tcp::socket socket, ConnectionContext context);

}  // namespace berth::http
