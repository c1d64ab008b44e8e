#include "agent/server_url.hpp"

#include <cctype>
#include <charconv>

namespace berth::agent {

std::string ServerUrl::host_header() const {
  const std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool default_port = (tls && port == "443") || (!tls && port == "80");
  return default_port ? name : name + ":" + port;
}

Result<ServerUrl> parse_server_url(std::string_view url) {
  ServerUrl out;
  if (url.starts_with("https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return fail(Error::invalid("the server URL must start with http:// or https://"));
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return fail(Error::invalid("the server URL must not have a query or fragment"));
  }
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.base_path = std::string(url.substr(slash));
    while (!out.base_path.empty() && out.base_path.back() == '/') {
      out.base_path.pop_back();
    }
  }
  if (authority.find('@') != std::string_view::npos) {
    return fail(Error::invalid("the server URL must not carry credentials"));
  }
  std::string_view port;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail(Error::invalid("the server URL has an unclosed IPv6 address"));
    }
    out.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(":")) {
      return fail(Error::invalid("the server URL has junk after its IPv6 address"));
    }
    port = rest.empty() ? "" : rest.substr(1);
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    port = colon == std::string_view::npos ? "" : authority.substr(colon + 1);
  }
  if (out.host.empty()) {
    return fail(Error::invalid("the server URL has no host"));
  }
  if (port.empty()) {
    out.port = out.tls ? "443" : "80";
  } else {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return fail(Error::invalid("the server URL has an invalid port"));
    }
    out.port = std::string(port);
  }
  return out;
}

Result<std::string> parse_sha256_pin(std::string_view hex) {
  std::string bytes;
  int high = -1;
  for (const char c : hex) {
    if (c == ':') {
      continue;
    }
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      return fail(Error::invalid("the pin must be 64 hex digits (the certificate's SHA-256)"));
    }
    const int value = std::isdigit(static_cast<unsigned char>(c)) != 0
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    if (high < 0) {
      high = value;
    } else {
      bytes.push_back(static_cast<char>((high << 4) | value));
      high = -1;
    }
  }
  if (bytes.size() != 32 || high >= 0) {
    return fail(Error::invalid("the pin must be 64 hex digits (the certificate's SHA-256)"));
  }
  return bytes;
}

}  // namespace berth::agent
