#pragma once
/// berthd's HTTP/1.1 server (Boost.Beast on Asio, one coroutine per connection). Beast and Asio
/// stay behind this header: callers see only options, the router and start/stop.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/client_address.hpp"
#include "http/router.hpp"

namespace berth::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  std::size_t io_threads = 1;
  std::size_t worker_threads = 4;  // run handlers that block (store, disk)
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_connections = 10000;
  std::chrono::milliseconds request_timeout{15'000};   // to receive one whole request
  std::chrono::milliseconds idle_timeout{60'000};      // keep-alive wait for the next request
  std::chrono::milliseconds shutdown_timeout{10'000};  // for in-flight requests at shutdown
  std::string request_id_prefix = "req";               // generated ids: <prefix><counter>
  std::string api_version = "v1";
  /// Reverse proxies whose X-Forwarded-For / Forwarded name the client (Request::
  /// remote_address); from anyone else those headers are ignored.
  std::vector<Cidr> trusted_proxies = {};
  /// Called once when the graceful shutdown starts (before streams and WebSockets close).
  std::function<void()> on_shutdown = {};
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and listens; returns the bound port. Throws std::runtime_error with a message
  /// fit for the operator (address in use, bad address, ...).
  std::uint16_t listen();

  /// Serves until SIGTERM/SIGINT or request_stop(), then shuts down gracefully: stops
  /// accepting, closes idle connections, lets in-flight requests finish within
  /// shutdown_timeout, and returns. Call once, after listen().
  void run();

  /// Starts the graceful shutdown from any thread.
  void request_stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::http
