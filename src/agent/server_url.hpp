#pragma once
/// berthd's base URL as the agent uses it: `http://` or `https://`, a host (a name, an IPv4
/// address or a bracketed IPv6 address), an optional port and an optional path prefix.
/// Pure; any thread.

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::agent {

struct ServerUrl {
  bool tls = false;
  std::string host;       // without brackets
  std::string port;       // "80"/"443" when the URL has none
  std::string base_path;  // "" or "/prefix" without a trailing slash

  /// The Host header: host[:port], the port left out when it is the scheme's default.
  std::string host_header() const;
  /// base_path + path (path starts with '/').
  std::string target(std::string_view path) const { return base_path + std::string(path); }
};

/// Fails with Error::invalid naming what is wrong (scheme, host, port, query or fragment).
Result<ServerUrl> parse_server_url(std::string_view url);

/// `hex` as 32 bytes when it is 64 hex digits (colons between byte pairs allowed, any case).
Result<std::string> parse_sha256_pin(std::string_view hex);

}  // namespace berth::agent
