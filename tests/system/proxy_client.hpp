#pragma once
// An HTTP/1.1 client for what a browser does through the proxy: GETs with a Host header on one
// kept-alive connection, Content-Length or chunked bodies. It tells apart the one failure a
// client may retry by itself — a reused connection that the server closed before sending any
// byte of the response (RFC 9112 §9.3.1) — from every other, so that a load test can count
// retries separately from failures.

#include <chrono>
#include <cstdint>
#include <string>

namespace berth::testing {

struct ProxyReply {
  enum class Kind {
    ok,         // a whole response arrived (any status)
    retryable,  // a reused connection closed before any response byte
    failed,     // connect failed, reset/EOF mid-response, timeout, malformed
  };
  Kind kind = Kind::failed;
  int status = 0;
  std::string body = {};
  std::string error = {};  // what went wrong, for failed and retryable
};

class ProxyConnection {
 public:
  /// Nothing is connected until the first get().
  explicit ProxyConnection(std::uint16_t port);
  ~ProxyConnection();
  ProxyConnection(const ProxyConnection&) = delete;
  ProxyConnection& operator=(const ProxyConnection&) = delete;

  /// GET `path` with `Host: host` on the kept connection (connecting first when there is
  /// none). After anything but an ok reply, or a reply saying `Connection: close`, the
  /// connection is dropped and the next call connects again. `last` asks the server to close.
  ProxyReply get(const std::string& host, const std::string& path,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10), bool last = false);
  void close();

 private:
  ProxyReply exchange(const std::string& request, std::chrono::milliseconds timeout);
  std::uint16_t port_;
  int fd_ = -1;
  bool reused_ = false;  // the connection already carried a response
};

/// One GET on a fresh connection (Connection: close).
ProxyReply http_get(std::uint16_t port, const std::string& host, const std::string& path,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace berth::testing
