#pragma once
/// Client addresses: IPv4 and IPv6 addresses and networks (CIDRs), finding the client behind
/// trusted reverse proxies, and the network a client is grouped by for rate limits and
/// sign-in lockouts. Pure functions; thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace berth {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // an IPv4 address in the first 4

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

/// "192.0.2.1", "2001:db8::1" or "[2001:db8::1]"; an IPv4-mapped IPv6 address
/// ("::ffff:192.0.2.1") is read as the IPv4 address and a zone ("%eth0") is ignored.
/// Nothing else (no ports, no short IPv4 forms): nullopt.
std::optional<IpAddress> parse_ip(std::string_view text);

/// The canonical text: dotted quad, or RFC 5952 lower-case IPv6.
std::string to_string(const IpAddress& address);

struct Cidr {
  IpAddress network;
  int prefix_length = 0;
};

/// "10.0.0.0/8", "fd00::/8", or a single address (as /32 or /128). Error::invalid, with a
/// message fit for the operator, for anything else, including bits set beyond the prefix
/// ("10.1.2.3/8": probably a mistake, so it is refused rather than guessed).
Result<Cidr> parse_cidr(std::string_view text);

std::string to_string(const Cidr& cidr);

/// Whether `address` is inside `cidr` (an IPv4 network never holds an IPv6 address).
bool contains(const Cidr& cidr, const IpAddress& address);

/// The forwarding headers of a request, each header's values in the order received.
struct ForwardingHeaders {
  std::vector<std::string_view> x_forwarded_for;
  std::vector<std::string_view> forwarded;  // RFC 7239
};

/// The forwarding headers among a request's (lower-case name, value) pairs; views into them.
ForwardingHeaders forwarding_headers(
    const std::vector<std::pair<std::string, std::string>>& headers);

/// The address a request comes from. When the connection's peer is inside a trusted network,
/// the forwarding chain is read from the right: the first hop that is not itself trusted is
/// the client (every hop to its left was written by someone no trusted proxy vouches for).
/// X-Forwarded-For is used when present, else the `for=` of Forwarded. A hop that cannot be
/// read ends the walk at the last one that could. Otherwise, and always for an untrusted
/// peer, the headers are ignored and the peer is the client. Addresses come back in canonical
/// form, except that without trusted networks (or for a peer that is not an address, "-")
/// the peer comes back exactly as given.
std::string resolve_client(std::string_view peer, const ForwardingHeaders& headers,
                           const std::vector<Cidr>& trusted);

/// What rate limits and lockouts count a client by: an IPv4 address itself, an IPv6
/// address's /64 ("2001:db8:1:2::/64"), since one host commonly holds a whole /64 and picks
/// new addresses inside it at will. Anything that is not an address is returned as it is.
std::string client_network(std::string_view address);

}  // namespace berth
