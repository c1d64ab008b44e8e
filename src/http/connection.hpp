#pragma once
/// One client connection of the HTTP server: read a request within the limits, dispatch it
/// (on the worker pool unless the route says otherwise), write the response, log it.
/// Internal to http/; server.cpp owns the accept loop and the shutdown.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "http/beast.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace berth::http {

/// One accepted socket and its deadline. Touched only on the socket's strand.
struct Connection : std::enable_shared_from_this<Connection> {
  explicit Connection(tcp::socket s) : socket(std::move(s)), deadline(socket.get_executor()) {}

  tcp::socket socket;
  asio::steady_timer deadline;
  bool idle = false;       // waiting for the first byte of the next request
  bool timed_out = false;  // the deadline cancelled the pending operation
  std::uint64_t deadline_generation = 0;

  /// Cancels the pending socket operation when the time is up (and sets timed_out).
  void arm_deadline(std::chrono::milliseconds after);
  void disarm_deadline();
  /// At shutdown: a connection between requests is closed; one mid-request is left to finish.
  void close_if_idle();
  /// After the shutdown deadline: closes whatever is still open.
  void force_close();
};

/// What every connection shares with the server.
struct ConnectionContext {
  const ServerOptions& options;
  const Router& router;
  asio::thread_pool& workers;
  const std::atomic<bool>& stopping;
  std::function<std::string()> next_request_id;
};

asio::awaitable<void> serve_connection(std::shared_ptr<Connection> connection,
                                       ConnectionContext context);

/// Answers 503 `unavailable` and closes: used when max_connections is reached.
asio::awaitable<void> reject_busy(tcp::socket socket, ConnectionContext context);

}  // namespace berth::http
