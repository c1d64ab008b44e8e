// The physical limit of this stack on this machine: the smallest Beast + Asio coroutine
// server that answers every request with {"status":"ok"}, keep-alive, nothing else.
// bench/http/run measures berthd's /api/v1/health against it, side by side.
//
// Usage: beast_hello PORT_FILE THREADS

// clang-format off: Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// clang-format on

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

asio::awaitable<void> serve(tcp::socket socket) {
  boost::beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (;;) {
    bhttp::request<bhttp::string_body> request;
    co_await bhttp::async_read(socket, buffer, request,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      break;
    }
    bhttp::response<bhttp::string_body> response{bhttp::status::ok, request.version()};
    response.set(bhttp::field::content_type, "application/json");
    response.keep_alive(request.keep_alive());
    response.body() = R"({"status":"ok"})";
    response.prepare_payload();
    co_await bhttp::async_write(socket, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) {
      break;
    }
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept(asio::io_context& io, tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(io), asio::use_awaitable);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    return 2;
  }
  const int threads = std::stoi(argv[2]);
  asio::io_context io(threads);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::ofstream(argv[1]) << acceptor.local_endpoint().port() << '\n';
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](auto, auto) { io.stop(); });
  asio::co_spawn(io, accept(io, acceptor), asio::detached);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) {
    pool.emplace_back([&io] { io.run(); });
  }
  io.run();
  for (auto& thread : pool) {
    thread.join();
  }
}
