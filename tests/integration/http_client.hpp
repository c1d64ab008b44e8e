#pragma once
// A raw HTTP/1.1 client over a loopback TCP socket: it sends exactly the bytes a test gives
// it, so tests can also send what no well-behaved client would (slow, oversized, malformed).

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace berth::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class RawConnection {
 public:
  /// Connects to 127.0.0.1:port; throws std::runtime_error when it cannot.
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  /// Sends all bytes; false when the peer has closed.
  bool send(const std::string& bytes);
  /// Reads one response (Content-Length framed; none for the answer to HEAD); nullopt on
  /// timeout or close before one.
  std::optional<HttpResponse> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(10), bool answer_to_head = false);
  /// True when the peer closes (EOF or reset) within the timeout.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Everything received until the peer closes or the timeout passes (streamed bodies).
  std::string read_until_closed(std::chrono::milliseconds timeout);

 private:
  enum class Read { data, closed, timeout };
  Read fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
};

/// One request on a fresh connection with `Connection: close`.
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = {},
                          const std::map<std::string, std::string>& headers = {});

/// True when a TCP connect to 127.0.0.1:port is refused.
bool connection_refused(std::uint16_t port);

}  // namespace berth::testing
