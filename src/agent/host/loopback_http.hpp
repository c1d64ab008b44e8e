#pragma once
/// A one-request HTTP/1.1 client for addresses on this machine: the health probe of a new
/// container (127.0.0.1:<port>) and Caddy's admin API. Blocks the calling thread until the
/// answer, the timeout or the cancel flag (seen within about 50 ms). No name resolution: the
/// address is an IP literal.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace berth::agent::host {

struct LoopbackRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string host_header = {};  // "" sends the address
  std::string content_type = {};
  std::string body = {};
};

struct LoopbackAnswer {
  unsigned status = 0;
  std::string reason = {};
  std::string body = {};
};

/// Errors: "connection_refused" / "unreachable" (kind unavailable, the socket's message),
/// "timeout", "canceled", "protocol" (not HTTP we could read) and "invalid_address".
Result<LoopbackAnswer> loopback_http(const std::string& ip, int port,
                                     const LoopbackRequest& request,
                                     std::chrono::milliseconds timeout,
                                     const std::atomic<bool>* cancelled = nullptr);

/// "127.0.0.1:2019" or "[::1]:2019" into its IP and port; nullopt when it is not one.
struct HostPort {
  std::string ip = {};
  int port = 0;
};
std::optional<HostPort> parse_host_port(const std::string& address);

}  // namespace berth::agent::host
