#pragma once
/// A small synchronous HTTP/1.1 client for the Docker Engine API over its unix socket. One
/// request per connection (the Engine's answers are small, and a fresh connection cannot be
/// left half-read by a cancelled stream). Every call blocks the calling thread until the answer,
/// the deadline or the cancel flag; any thread may call, one call per DockerClient at a time.

#include <atomic>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::agent::host {

/// Every target is prefixed with this: Debian 12's docker.io (Engine 20.10) speaks 1.41.
inline constexpr std::string_view kDockerApiPrefix = "/v1.41";
inline constexpr std::string_view kDefaultDockerSocket = "/var/run/docker.sock";

struct DockerResponse {
  unsigned status = 0;
  std::string body;
};

/// Bounds of one call. The deadline covers connect, request and the whole answer.
struct DockerCallLimits {
  std::chrono::milliseconds timeout{2000};
  const std::atomic<bool>* cancelled = nullptr;  // polled about every 50 ms when set
};

/// Receives the body of a streamed answer as it arrives, in order.
using DockerChunkHandler = std::function<void(std::string_view chunk)>;

/// Failures are values with these codes: "docker_unreachable" (socket missing or refused,
/// kind unavailable), "timeout" (kind timeout), "canceled" (kind unavailable), "docker_protocol"
/// (the answer was not HTTP we could read, kind internal). HTTP error statuses are not
/// failures here: the caller reads `status`.
class DockerClient {
 public:
  explicit DockerClient(std::string socket_path = std::string(kDefaultDockerSocket));

  /// `target` is the path and query after the version prefix, e.g. "/containers/json?all=1".
  /// A non-null `body` is sent as JSON.
  Result<DockerResponse> request(std::string_view method, std::string_view target,
                                 const std::optional<nlohmann::json>& body = std::nullopt,
                                 DockerCallLimits limits = {});

  /// Like request(), but a 2xx body goes to `on_chunk` as it arrives and the result's `body`
  /// is empty; a non-2xx body (the Engine's error JSON) is collected into `body` instead.
  Result<DockerResponse> stream(std::string_view method, std::string_view target,
                                const std::optional<nlohmann::json>& body,
                                const DockerChunkHandler& on_chunk, DockerCallLimits limits);

  /// stream() with a body that is not JSON (a build context's tar).
  Result<DockerResponse> stream_raw(std::string_view method, std::string_view target,
                                    std::string_view content_type, std::string body,
                                    const DockerChunkHandler& on_chunk, DockerCallLimits limits);

  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
};

/// The Engine's error text from an error answer's body ({"message":"..."}), or the body itself.
std::string docker_error_message(const DockerResponse& response);

/// Percent-encodes a query parameter value.
std::string url_encode(std::string_view text);

}  // namespace berth::agent::host
