#include "http/server.hpp"

#include <fcntl.h>
#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/log.hpp"
#include "http/connection.hpp"
#include "http/dispatch.hpp"
#include "http/error_response.hpp"

namespace berth::http {

namespace {

std::string describe(const tcp::endpoint& endpoint) {
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

// Asio opens and accepts sockets without close-on-exec: a program berthd starts would keep
// them (an orphan holding the listening port stops berthd from restarting).
void close_on_exec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0) {
    ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions opts, const Router& r)
      : options(std::move(opts)),
        router(r),
        io(static_cast<int>(options.io_threads)),
        workers(options.worker_threads),
        control(asio::make_strand(io)),
        acceptor(control),
        signals(control, SIGINT, SIGTERM),
        shutdown_timer(control) {}

  ServerOptions options;
  const Router& router;
  asio::io_context io;
  asio::thread_pool workers;
  asio::strand<asio::io_context::executor_type> control;  // acceptor, signals, shutdown timer
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer shutdown_timer;

  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> active{0};
  std::atomic<std::uint64_t> request_counter{0};
  std::mutex registry_mutex;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> registry;

  ConnectionContext context() {
    return ConnectionContext{
        .options = options,
        .router = router,
        .workers = workers,
        .stopping = stopping,
        .next_request_id =
            [this] {
              return fmt::format("{}{:010x}", options.request_id_prefix,
                                 request_counter.fetch_add(1, std::memory_order_relaxed) + 1);
            },
    };
  }

  asio::awaitable<void> accept_loop();
  void start_connection(tcp::socket socket);
  void run_on_connection(std::shared_ptr<Connection> connection, asio::awaitable<void> work);
  void on_connection_end(Connection* connection);
  void begin_shutdown(std::string_view reason);
  void for_each_connection(void (*action)(Connection&));
};

asio::awaitable<void> Server::Impl::accept_loop() {
  asio::steady_timer backoff(control);
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(
        asio::make_strand(io), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping.load() || ec == asio::error::operation_aborted) {
        co_return;
      }
      // Out of file descriptors and similar: wait a little instead of spinning.
      log::warn("http.accept_failed", {{"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (active.load() >= options.max_connections) {
      asio::co_spawn(socket.get_executor(), reject_busy(std::move(socket), context()),
                     asio::detached);
      continue;
    }
    start_connection(std::move(socket));
  }
}

void Server::Impl::start_connection(tcp::socket socket) {
  // Responses go out in one write, but SSE events and WebSocket frames are small writes in a
  // row: without this, Nagle's algorithm holds each second one for the client's delayed ACK.
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  close_on_exec(socket.native_handle());
  auto connection = std::make_shared<Connection>(std::move(socket));
  {
    std::lock_guard lock(registry_mutex);
    registry.emplace(connection.get(), connection);
  }
  active.fetch_add(1);
  auto served = serve_connection(connection, context());
  run_on_connection(std::move(connection), std::move(served));
}

// Runs `work` on the connection's strand; when it leaves the connection upgraded (a
// WebSocket), runs that next; the connection ends when nothing follows.
void Server::Impl::run_on_connection(std::shared_ptr<Connection> connection,
                                     asio::awaitable<void> work) {
  auto executor = connection->socket.get_executor();
  asio::co_spawn(
      executor, std::move(work),
      [this, connection = std::move(connection)](const std::exception_ptr& error) {
        if (error) {
          log::error("http.connection_failed", {{"detail", std::string_view("exception")}});
        } else if (connection->upgraded) {
          auto next = std::move(*connection->upgraded);
          connection->upgraded.reset();
          run_on_connection(connection, std::move(next));
          return;
        }
        connection->upgraded.reset();
        on_connection_end(connection.get());
      });
}

void Server::Impl::on_connection_end(Connection* connection) {
  {
    std::lock_guard lock(registry_mutex);
    registry.erase(connection);
  }
  if (active.fetch_sub(1) == 1 && stopping.load()) {
    asio::post(control, [this] { shutdown_timer.cancel(); });
  }
}

void Server::Impl::for_each_connection(void (*action)(Connection&)) {
  std::vector<std::shared_ptr<Connection>> alive;
  {
    std::lock_guard lock(registry_mutex);
    for (auto& [raw, weak] : registry) {
      if (auto connection = weak.lock()) {
        alive.push_back(std::move(connection));
      }
    }
  }
  for (auto& connection : alive) {
    // Each connection's state belongs to its strand; act there.
    asio::post(connection->socket.get_executor(), [connection, action] { action(*connection); });
  }
}

void Server::Impl::begin_shutdown(std::string_view reason) {
  if (stopping.exchange(true)) {
    return;
  }
  log::info("http.shutdown_started",
            {{"reason", reason}, {"in_flight", static_cast<std::int64_t>(active.load())}});
  if (options.on_shutdown) {
    options.on_shutdown();
  }
  boost::system::error_code ignored;
  acceptor.close(ignored);
  signals.cancel(ignored);
  for_each_connection([](Connection& c) { c.close_if_idle(); });
  if (active.load() == 0) {
    return;
  }
  shutdown_timer.expires_after(options.shutdown_timeout);
  shutdown_timer.async_wait([this](boost::system::error_code ec) {
    if (ec || active.load() == 0) {
      return;
    }
    log::warn("http.shutdown_forced", {{"connections", static_cast<std::int64_t>(active.load())}});
    for_each_connection([](Connection& c) { c.force_close(); });
  });
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() {
  impl_->workers.stop();
  impl_->workers.join();
}

std::uint16_t Server::listen() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) {
    throw std::runtime_error(fmt::format("invalid listen address {}", impl_->options.address));
  }
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  close_on_exec(acceptor.native_handle());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("cannot listen on {}: {}", describe(endpoint), ec.message()));
  }
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("cannot listen on {}: {}", describe(endpoint), ec.message()));
  }
  return acceptor.local_endpoint().port();
}

void Server::run() {
  Impl& impl = *impl_;
  impl.signals.async_wait([&impl](boost::system::error_code ec, int signal) {
    if (!ec) {
      impl.begin_shutdown(signal == SIGTERM ? "SIGTERM" : "SIGINT");
    }
  });
  asio::co_spawn(impl.control, impl.accept_loop(), asio::detached);

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl.options.io_threads; ++i) {
    threads.emplace_back([&impl] { impl.io.run(); });
  }
  impl.io.run();
  for (auto& thread : threads) {
    thread.join();
  }
  log::info("http.shutdown_complete");
}

void Server::request_stop() {
  asio::post(impl_->control, [impl = impl_.get()] { impl->begin_shutdown("requested"); });
}

}  // namespace berth::http
