#include "core/client_address.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace berth {
namespace {

std::vector<Cidr> networks(const std::vector<std::string>& texts) {
  std::vector<Cidr> out;
  for (const auto& text : texts) {
    auto cidr = parse_cidr(text);
    EXPECT_TRUE(cidr.has_value()) << text;
    if (cidr) {
      out.push_back(*cidr);
    }
  }
  return out;
}

ForwardingHeaders xff(std::vector<std::string_view> values) {
  return ForwardingHeaders{.x_forwarded_for = std::move(values), .forwarded = {}};
}

ForwardingHeaders forwarded(std::vector<std::string_view> values) {
  return ForwardingHeaders{.x_forwarded_for = {}, .forwarded = std::move(values)};
}

TEST(ClientAddress, ParsesAddressesInCanonicalForm) {
  EXPECT_EQ(to_string(parse_ip("192.0.2.1").value()), "192.0.2.1");
  EXPECT_EQ(to_string(parse_ip("2001:DB8:0:0::1").value()), "2001:db8::1");
  EXPECT_EQ(to_string(parse_ip("[2001:db8::1]").value()), "2001:db8::1");
  EXPECT_EQ(to_string(parse_ip("fe80::1%eth0").value()), "fe80::1");
  // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6: the same client either way.
  EXPECT_EQ(parse_ip("::ffff:192.0.2.1"), parse_ip("192.0.2.1"));
  EXPECT_FALSE(parse_ip("::ffff:192.0.2.1")->v6);

  for (const char* bad :
       {"", "-", "192.0.2", "192.0.2.1.5", "256.0.0.1", "192.0.2.1:80", "2001:db8:::1",
        "host.example", "[2001:db8::1", "unknown", " 192.0.2.1"}) {
    EXPECT_FALSE(parse_ip(bad).has_value()) << bad;
  }
}

TEST(ClientAddress, ParsesNetworksAndRefusesBadOnesWithAReason) {
  EXPECT_EQ(to_string(parse_cidr("10.0.0.0/8").value()), "10.0.0.0/8");
  EXPECT_EQ(to_string(parse_cidr("192.0.2.7").value()), "192.0.2.7/32");
  EXPECT_EQ(to_string(parse_cidr("fd00::/8").value()), "fd00::/8");
  EXPECT_EQ(to_string(parse_cidr("::1").value()), "::1/128");
  EXPECT_EQ(to_string(parse_cidr("0.0.0.0/0").value()), "0.0.0.0/0");

  for (const char* bad : {"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8x",
                          "fd00::/129", "example.com/8", "10.0.0.0/08 ", "fe80::%eth0/64"}) {
    auto cidr = parse_cidr(bad);
    ASSERT_FALSE(cidr.has_value()) << bad;
    EXPECT_EQ(cidr.error().kind, ErrorKind::invalid);
    EXPECT_NE(cidr.error().message.find("is not a network"), std::string::npos);
  }
  auto host_bits = parse_cidr("192.168.1.1/24");
  ASSERT_FALSE(host_bits.has_value());
  EXPECT_NE(host_bits.error().message.find("did you mean 192.168.1.0/24?"), std::string::npos);
  auto v6_host_bits = parse_cidr("2001:db8::1/64");
  ASSERT_FALSE(v6_host_bits.has_value());
  EXPECT_NE(v6_host_bits.error().message.find("did you mean 2001:db8::/64?"), std::string::npos);
}

TEST(ClientAddress, NetworksHoldTheirOwnFamilyOnly) {
  const Cidr ten = parse_cidr("10.0.0.0/8").value();
  EXPECT_TRUE(contains(ten, parse_ip("10.255.1.2").value()));
  EXPECT_FALSE(contains(ten, parse_ip("11.0.0.1").value()));
  EXPECT_TRUE(contains(ten, parse_ip("::ffff:10.1.1.1").value()));
  EXPECT_FALSE(contains(ten, parse_ip("a00::1").value()));  // same leading bits, other family

  const Cidr odd = parse_cidr("2001:db8:80::/41").value();
  EXPECT_TRUE(contains(odd, parse_ip("2001:db8:ff::1").value()));
  EXPECT_FALSE(contains(odd, parse_ip("2001:db8:7f::1").value()));
  EXPECT_TRUE(contains(parse_cidr("::/0").value(), parse_ip("2001:db8::1").value()));
  EXPECT_FALSE(contains(parse_cidr("::/0").value(), parse_ip("192.0.2.1").value()));
}

TEST(ClientAddress, HeadersFromAnUntrustedPeerAreIgnored) {
  const auto trusted = networks({"10.0.0.0/8"});
  EXPECT_EQ(resolve_client("192.0.2.1", xff({"203.0.113.9"}), trusted), "192.0.2.1");
  EXPECT_EQ(resolve_client("192.0.2.1", forwarded({"for=203.0.113.9"}), trusted), "192.0.2.1");
  // Without any trusted network nothing is read, not even from loopback.
  EXPECT_EQ(resolve_client("127.0.0.1", xff({"203.0.113.9"}), {}), "127.0.0.1");
}

TEST(ClientAddress, TheRightMostUntrustedHopIsTheClient) {
  const auto trusted = networks({"10.0.0.0/8", "127.0.0.1"});
  // The client wrote the left-most entry itself; the proxy appended the address it saw.
  EXPECT_EQ(resolve_client("10.0.0.2", xff({"198.51.100.66, 203.0.113.9"}), trusted),
            "203.0.113.9");
  // Through two trusted proxies, and with the list split over two headers.
  EXPECT_EQ(resolve_client("127.0.0.1", xff({"198.51.100.66", "203.0.113.9, 10.1.1.1"}), trusted),
            "203.0.113.9");
  // Every hop trusted: the farthest one.
  EXPECT_EQ(resolve_client("10.0.0.2", xff({"10.3.3.3, 10.1.1.1"}), trusted), "10.3.3.3");
  // No header: the proxy itself.
  EXPECT_EQ(resolve_client("10.0.0.2", {}, trusted), "10.0.0.2");
  // Ports some proxies add are not part of the client.
  EXPECT_EQ(resolve_client("10.0.0.2", xff({"203.0.113.9:4711"}), trusted), "203.0.113.9");
  EXPECT_EQ(resolve_client("10.0.0.2", xff({"[2001:db8::9]:4711"}), trusted), "2001:db8::9");
}

TEST(ClientAddress, AnUnreadableHopEndsTheWalk) {
  const auto trusted = networks({"10.0.0.0/8"});
  EXPECT_EQ(resolve_client("10.0.0.2", xff({"203.0.113.9, garbage"}), trusted), "10.0.0.2");
  EXPECT_EQ(resolve_client("10.0.0.2", xff({"203.0.113.9, garbage, 10.1.1.1"}), trusted),
            "10.1.1.1");
  EXPECT_EQ(resolve_client("10.0.0.2", xff({"garbage, 203.0.113.9"}), trusted), "203.0.113.9");
  EXPECT_EQ(resolve_client("10.0.0.2", forwarded({"for=unknown"}), trusted), "10.0.0.2");
  EXPECT_EQ(resolve_client("10.0.0.2", forwarded({"for=_hidden;proto=https"}), trusted),
            "10.0.0.2");
}

TEST(ClientAddress, ForwardedIsReadWhenThereIsNoXForwardedFor) {
  const auto trusted = networks({"10.0.0.0/8", "fd00::/8"});
  EXPECT_EQ(
      resolve_client(
          "10.0.0.2",
          forwarded(
              {R"(for=198.51.100.66, For="[2001:db8:cafe::17]:4711";proto=https;by=10.0.0.2)"}),
          trusted),
      "2001:db8:cafe::17");
  EXPECT_EQ(resolve_client("fd00::2", forwarded({"for=192.0.2.43:47011;proto=http"}), trusted),
            "192.0.2.43");
  // A quoted comma does not split an element; an element without for= is unreadable.
  EXPECT_EQ(resolve_client("10.0.0.2", forwarded({R"(for=203.0.113.9;host="a,b")"}), trusted),
            "203.0.113.9");
  EXPECT_EQ(resolve_client("10.0.0.2", forwarded({"for=203.0.113.9, proto=https"}), trusted),
            "10.0.0.2");
  // X-Forwarded-For wins when both are present.
  const ForwardingHeaders both{.x_forwarded_for = {"203.0.113.9"}, .forwarded = {"for=192.0.2.5"}};
  EXPECT_EQ(resolve_client("10.0.0.2", both, trusted), "203.0.113.9");
}

TEST(ClientAddress, ForwardingHeadersAreCollectedInOrder) {
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"x-forwarded-for", "198.51.100.66"},
      {"host", "berth.example"},
      {"forwarded", "for=192.0.2.5"},
      {"x-forwarded-for", "203.0.113.9"}};
  const ForwardingHeaders found = forwarding_headers(headers);
  EXPECT_EQ(found.x_forwarded_for, (std::vector<std::string_view>{"198.51.100.66", "203.0.113.9"}));
  EXPECT_EQ(found.forwarded, std::vector<std::string_view>{"for=192.0.2.5"});
  EXPECT_EQ(resolve_client("10.0.0.2", found, networks({"10.0.0.0/8"})), "203.0.113.9");
}

TEST(ClientAddress, IPv6PeersAndChains) {
  const auto trusted = networks({"fd00::/8", "::1"});
  EXPECT_EQ(resolve_client("::1", xff({"2001:db8::66, 2001:DB8::9"}), trusted), "2001:db8::9");
  EXPECT_EQ(resolve_client("fd00::1", xff({"192.0.2.1, fd12::7"}), trusted), "192.0.2.1");
  EXPECT_EQ(resolve_client("2001:db8::5", xff({"192.0.2.1"}), trusted), "2001:db8::5");
  // An IPv4-mapped peer matches an IPv4 network.
  EXPECT_EQ(resolve_client("::ffff:10.0.0.2", xff({"192.0.2.1"}), networks({"10.0.0.0/8"})),
            "192.0.2.1");
}

TEST(ClientAddress, IPv6ClientsAreGroupedByTheirSlash64) {
  EXPECT_EQ(client_network("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(client_network("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(client_network("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(client_network("2001:db8:1:2::1"), client_network("2001:db8:1:2:ffff::9"));
  EXPECT_NE(client_network("2001:db8:1:2::1"), client_network("2001:db8:1:3::1"));
  EXPECT_EQ(client_network("-"), "-");
}

}  // namespace
}  // namespace berth
