#include "core/client_address.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace berth {

namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_port(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int address_bits(const IpAddress& address) { return address.v6 ? 128 : 32; }

bool bit_set(const IpAddress& address, int bit) {
  const auto byte = address.bytes[static_cast<std::size_t>(bit / 8)];
  return (byte & (0x80U >> static_cast<unsigned>(bit % 8))) != 0;
}

// A hop as proxies write it: an address, maybe with a port ("192.0.2.1:4711",
// "[2001:db8::1]:4711").
std::optional<IpAddress> parse_hop(std::string_view text) {
  text = trim(text);
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && is_port(rest.substr(1)))) {
      return std::nullopt;
    }
    return parse_ip(text.substr(0, close + 1));
  }
  if (auto address = parse_ip(text)) {
    return address;
  }
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos ||
      !is_port(text.substr(colon + 1))) {
    return std::nullopt;
  }
  auto address = parse_ip(text.substr(0, colon));
  return address && !address->v6 ? address : std::nullopt;
}

// Splits on `separator` outside quoted strings (RFC 7230 quoted-string, with \-escapes).
std::vector<std::string_view> split_unquoted(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::string unquote(std::string_view value) {
  value = trim(value);
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
    return std::string(value);
  }
  std::string out;
  for (std::size_t i = 1; i + 1 < value.size(); ++i) {
    if (value[i] == '\\' && i + 2 < value.size()) {
      ++i;
    }
    out.push_back(value[i]);
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The `for=` of each element of Forwarded headers, in order; "" for an element without one
// (it still counts as a hop, one that cannot be read).
std::vector<std::string> forwarded_for_hops(const std::vector<std::string_view>& headers) {
  std::vector<std::string> hops;
  for (const std::string_view header : headers) {
    for (const std::string_view element : split_unquoted(header, ',')) {
      if (trim(element).empty()) {
        continue;
      }
      std::string hop;
      for (const std::string_view pair : split_unquoted(element, ';')) {
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && iequals(trim(pair.substr(0, eq)), "for")) {
          hop = unquote(pair.substr(eq + 1));
        }
      }
      hops.push_back(std::move(hop));
    }
  }
  return hops;
}

std::vector<std::string> x_forwarded_for_hops(const std::vector<std::string_view>& headers) {
  std::vector<std::string> hops;
  for (const std::string_view header : headers) {
    for (const std::string_view hop : split_unquoted(header, ',')) {
      if (!trim(hop).empty()) {
        hops.emplace_back(trim(hop));
      }
    }
  }
  return hops;
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (const auto zone = text.find('%'); zone != std::string_view::npos) {
    text = text.substr(0, zone);
  }
  if (text.empty() || text.size() > 45) {  // INET6_ADDRSTRLEN - 1
    return std::nullopt;
  }
  const std::string terminated(text);
  IpAddress out;
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, terminated.c_str(), out.bytes.data()) != 1) {
      return std::nullopt;
    }
    return out;
  }
  if (inet_pton(AF_INET6, terminated.c_str(), out.bytes.data()) != 1) {
    return std::nullopt;
  }
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), out.bytes.begin())) {
    std::copy_n(out.bytes.begin() + 12, 4, out.bytes.begin());
    std::fill(out.bytes.begin() + 4, out.bytes.end(), std::uint8_t{0});
    return out;
  }
  out.v6 = true;
  return out;
}

std::string to_string(const IpAddress& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), text.data(),
                static_cast<socklen_t>(text.size())) == nullptr) {
    return "-";  // unreachable for a well-formed IpAddress
  }
  return std::string(text.data());
}

Result<Cidr> parse_cidr(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fail(Error::invalid(fmt::format(
        "{:?} is not a network: {} (expected e.g. 10.0.0.0/8, 192.0.2.7 or fd00::/8)", text, why)));
  };
  const auto slash = text.find('/');
  const auto address = parse_ip(text.substr(0, slash));
  if (!address || text.substr(0, slash).find('%') != std::string_view::npos) {
    return bad("not an IPv4 or IPv6 address");
  }
  Cidr cidr{.network = *address, .prefix_length = address_bits(*address)};
  if (slash != std::string_view::npos) {
    const std::string_view length = text.substr(slash + 1);
    int value = -1;
    const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), value);
    if (ec != std::errc{} || end != length.data() + length.size() || length.size() > 3 ||
        value < 0 || value > address_bits(*address)) {
      return bad(fmt::format("the prefix length must be 0-{}", address_bits(*address)));
    }
    cidr.prefix_length = value;
  }
  for (int bit = cidr.prefix_length; bit < address_bits(*address); ++bit) {
    if (bit_set(*address, bit)) {
      IpAddress masked = *address;
      for (int b = cidr.prefix_length; b < address_bits(masked); ++b) {
        masked.bytes[static_cast<std::size_t>(b / 8)] &=
            static_cast<std::uint8_t>(~(0x80U >> static_cast<unsigned>(b % 8)));
      }
      return bad(fmt::format("it has bits set beyond its /{} prefix; did you mean {}/{}?",
                             cidr.prefix_length, to_string(masked), cidr.prefix_length));
    }
  }
  return cidr;
}

std::string to_string(const Cidr& cidr) {
  return fmt::format("{}/{}", to_string(cidr.network), cidr.prefix_length);
}

bool contains(const Cidr& cidr, const IpAddress& address) {
  if (cidr.network.v6 != address.v6) {
    return false;
  }
  for (int bit = 0; bit < cidr.prefix_length; ++bit) {
    if (bit_set(cidr.network, bit) != bit_set(address, bit)) {
      return false;
    }
  }
  return true;
}

ForwardingHeaders forwarding_headers(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  ForwardingHeaders out;
  for (const auto& [name, value] : headers) {
    if (name == "x-forwarded-for") {
      out.x_forwarded_for.push_back(value);
    } else if (name == "forwarded") {
      out.forwarded.push_back(value);
    }
  }
  return out;
}

std::string resolve_client(std::string_view peer, const ForwardingHeaders& headers,
                           const std::vector<Cidr>& trusted) {
  if (trusted.empty()) {
    return std::string(peer);  // the common case costs nothing
  }
  const auto peer_address = parse_ip(peer);
  if (!peer_address) {
    return std::string(peer);
  }
  const auto is_trusted = [&](const IpAddress& address) {
    return std::any_of(trusted.begin(), trusted.end(),
                       [&](const Cidr& cidr) { return contains(cidr, address); });
  };
  IpAddress client = *peer_address;
  if (!is_trusted(client)) {
    return to_string(client);
  }
  const std::vector<std::string> hops = !headers.x_forwarded_for.empty()
                                            ? x_forwarded_for_hops(headers.x_forwarded_for)
                                            : forwarded_for_hops(headers.forwarded);
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto address = parse_hop(*hop);
    if (!address) {
      break;
    }
    client = *address;
    if (!is_trusted(client)) {
      break;
    }
  }
  return to_string(client);
}

std::string client_network(std::string_view address) {
  auto parsed = parse_ip(address);
  if (!parsed) {
    return std::string(address);
  }
  if (!parsed->v6) {
    return to_string(*parsed);
  }
  std::fill(parsed->bytes.begin() + 8, parsed->bytes.end(), std::uint8_t{0});
  return to_string(*parsed) + "/64";
}

}  // namespace berth
