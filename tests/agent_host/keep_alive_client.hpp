#pragma once
// A client that keeps one HTTP/1.1 connection to 127.0.0.1:<port> open and sends GET / with a
// Host header on it in a loop, on a thread of its own, the way a browser or wrk reuses its
// connections. Anything that ends the connection (a reset, an early close, "Connection: close",
// a status other than 200, no answer within 10 s) counts as an error, after which it connects
// again.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace berth::agent::host::testing {

class KeepAliveClient {
 public:
  KeepAliveClient(int port, std::string host) : port_(port), host_(std::move(host)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~KeepAliveClient() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  int answers() const { return answers_; }
  int errors() const { return errors_; }
  int connections() const { return connections_; }
  std::string last_body() {
    std::lock_guard lock(mutex_);
    return last_body_;
  }
  std::string last_error() {
    std::lock_guard lock(mutex_);
    return last_error_;
  }

 private:
  void loop() {
    // Bounded: at most this many requests, whatever the test does.
    for (int request = 0; request < 200'000 && !stop_; ++request) {
      if (fd_ < 0 && !connect()) {
        failed("connect");
        continue;
      }
      auto body = exchange();
      if (!body) {
        ::close(fd_);
        fd_ = -1;
        continue;
      }
      ++answers_;
      std::lock_guard lock(mutex_);
      last_body_ = std::move(*body);
    }
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  bool connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
      return false;
    }
    ++connections_;
    return true;
  }

  std::optional<std::string> exchange() {
    const std::string request = "GET / HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      return failed("send");
    }
    std::string got;
    std::size_t head_end = std::string::npos;
    std::size_t length = 0;
    char buffer[4096];
    while (head_end == std::string::npos || got.size() < head_end + 4 + length) {
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        return failed(n == 0 ? "closed by Caddy" : "recv");
      }
      got.append(buffer, static_cast<std::size_t>(n));
      if (head_end == std::string::npos && (head_end = got.find("\r\n\r\n")) != got.npos) {
        const auto field = got.find("Content-Length: ");
        if (field == std::string::npos || field > head_end) {
          return failed("no Content-Length");
        }
        length = std::stoul(got.substr(field + 16, got.find("\r\n", field) - field - 16));
      }
    }
    const auto head = got.substr(0, head_end);
    if (!head.starts_with("HTTP/1.1 200 ")) {
      return failed(head.substr(0, head.find("\r\n")));
    }
    if (head.find("Connection: close") != std::string::npos) {
      return failed("Connection: close");
    }
    return got.substr(head_end + 4, length);
  }

  std::nullopt_t failed(const std::string& what) {
    ++errors_;
    std::lock_guard lock(mutex_);
    last_error_ = what;
    return std::nullopt;
  }

  int port_;
  std::string host_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> answers_{0};
  std::atomic<int> errors_{0};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::string last_body_;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace berth::agent::host::testing
