#pragma once
// A tiny HTTP server on 127.0.0.1 for agent tests (plain sockets, one thread): answers every
// request with a fixed status and a fixed body ("ok" unless told), after a number of 503
// answers.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace berth::agent::host::testing {

/// A listening socket on 127.0.0.1 at a port the kernel chose (put in `port`).
inline int listen_on_loopback(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(fd, 16);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

// Answers every request with `status` and `body`, after `unhealthy_first` answers of 503.
class TinyServer {
 public:
  TinyServer(int status, int unhealthy_first, std::string body = "ok")
      : status_(status), unhealthy_(unhealthy_first), body_(std::move(body)) {
    fd_ = listen_on_loopback(port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  std::string last_target() {
    std::lock_guard lock(mutex_);
    return target_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd pfd{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&pfd, 1, 50) <= 0) {
        continue;
      }
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) {
        continue;
      }
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const auto got = ::read(client, buffer, sizeof buffer);
        if (got <= 0) {
          break;
        }
        request.append(buffer, static_cast<std::size_t>(got));
      }
      // A proxy may close a connection before any request (Caddy reloading under load): no
      // request line, nothing to record or answer.
      const auto space = request.size() > 4 ? request.find(' ', 4) : std::string::npos;
      if (space == std::string::npos) {
        ::close(client);
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        target_ = request.substr(4, space - 4);
      }
      const int status = unhealthy_-- > 0 ? 503 : status_;
      const std::string answer =
          "HTTP/1.1 " + std::to_string(status) +
          " Whatever\r\nServer: tiny\r\nContent-Length: " + std::to_string(body_.size()) +
          "\r\nConnection: close\r\n\r\n" + body_;
      (void)::write(client, answer.data(), answer.size());
      ::close(client);
    }
  }

  int status_;
  int unhealthy_;
  std::string body_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::string target_;
  std::thread thread_;
};

/// A port on 127.0.0.1 that nothing listens on (bound, read, closed).
inline int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace berth::agent::host::testing
