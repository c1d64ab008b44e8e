// The agent's upstream DNS responder: answers to hand-built query packets (shaped like the ones
// Caddy's Go resolver sends: RD set, one question, an EDNS OPT record after it), refusals of
// truncated and garbage packets, and one round trip through the real UDP socket.

#include "agent/host/upstream_dns.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace berth::agent::host {
namespace {

constexpr std::uint16_t kA = 1;
constexpr std::uint16_t kAaaa = 28;
constexpr std::uint16_t kSrv = 33;

void put16(std::string& out, unsigned value) {
  out.push_back(static_cast<char>((value >> 8) & 0xff));
  out.push_back(static_cast<char>(value & 0xff));
}

std::string wire_name(const std::string& dotted) {
  std::string out;
  std::size_t start = 0;
  while (start < dotted.size()) {
    const auto dot = dotted.find('.', start);
    const auto label = dotted.substr(start, dot == std::string::npos ? dotted.npos : dot - start);
    out.push_back(static_cast<char>(label.size()));
    out += label;
    start = dot == std::string::npos ? dotted.size() : dot + 1;
  }
  out.push_back('\0');
  return out;
}

// A query as Go 1.19 builds it: id, RD, one question, and an EDNS(0) OPT record.
std::string query(const std::string& name, std::uint16_t type, std::uint16_t klass = 1) {
  std::string out;
  put16(out, 0xbeef);
  put16(out, 0x0100);
  put16(out, 1);
  put16(out, 0);
  put16(out, 0);
  put16(out, 1);
  out += wire_name(name);
  put16(out, type);
  put16(out, klass);
  out += std::string("\0\0\x29\x04\xd0\0\0\0\0\0\0", 11);
  return out;
}

unsigned u16(const std::string& packet, std::size_t at) {
  return (static_cast<unsigned char>(packet[at]) << 8) | static_cast<unsigned char>(packet[at + 1]);
}
unsigned rcode(const std::string& packet) { return static_cast<unsigned char>(packet[3]) & 0x0f; }
unsigned answers(const std::string& packet) { return u16(packet, 6); }

const UpstreamServices kServices = {{upstream_service_name("app.example.com"), 49153}};

TEST(UpstreamDns, AnswersTheSrvRecordOfAKnownHost) {
  const auto name = upstream_service_name("app.example.com");
  EXPECT_EQ(name, "app.example.com.route.berth.internal");
  const auto asked = query(name, kSrv);
  const auto answer = dns_answer(asked, kServices);
  ASSERT_TRUE(answer);
  EXPECT_EQ(u16(*answer, 0), 0xbeefu);
  EXPECT_EQ(static_cast<unsigned char>((*answer)[2]), 0x85u);  // QR, AA, RD echoed
  EXPECT_EQ(rcode(*answer), 0u);
  EXPECT_EQ(u16(*answer, 4), 1u);
  EXPECT_EQ(answers(*answer), 1u);
  EXPECT_EQ(u16(*answer, 8) + u16(*answer, 10), 0u);
  // The question comes back as asked (without the OPT record), then the answer record.
  const auto question = wire_name(name) + std::string("\0\x21\0\x01", 4);
  ASSERT_EQ(answer->substr(12, question.size()), question);
  std::string record = wire_name(name) + std::string("\0\x21\0\x01\0\0\0\0", 8);
  std::string rdata;
  put16(rdata, 0);
  put16(rdata, 0);
  put16(rdata, 49153);
  rdata += wire_name("upstream.berth.internal");
  put16(record, static_cast<unsigned>(rdata.size()));
  record += rdata;
  EXPECT_EQ(answer->substr(12 + question.size()), record);
}

TEST(UpstreamDns, NamesAreCaseInsensitiveAndTheTargetIsLoopback) {
  const auto answer = dns_answer(query("APP.Example.com.route.BERTH.internal", kSrv), kServices);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answers(*answer), 1u);

  const auto target = dns_answer(query("upstream.berth.internal", kA), kServices);
  ASSERT_TRUE(target);
  EXPECT_EQ(answers(*target), 1u);
  EXPECT_EQ(target->substr(target->size() - 6), std::string("\0\x04\x7f\0\0\x01", 6));
  // No IPv6 address: an empty answer, not an error, so Go dials the IPv4 one.
  const auto v6 = dns_answer(query("upstream.berth.internal", kAaaa), kServices);
  ASSERT_TRUE(v6);
  EXPECT_EQ(rcode(*v6), 0u);
  EXPECT_EQ(answers(*v6), 0u);
  const auto host_a = dns_answer(query(upstream_service_name("app.example.com"), kA), kServices);
  ASSERT_TRUE(host_a);
  EXPECT_EQ(rcode(*host_a), 0u);
  EXPECT_EQ(answers(*host_a), 0u);
}

TEST(UpstreamDns, UnknownNamesAndOtherZones) {
  const auto unknown =
      dns_answer(query(upstream_service_name("gone.example.com"), kSrv), kServices);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(rcode(*unknown), 3u);  // NXDOMAIN
  EXPECT_EQ(answers(*unknown), 0u);
  const auto elsewhere = dns_answer(query("example.com", kA), kServices);
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(rcode(*elsewhere), 5u);                                   // REFUSED: no recursion
  EXPECT_EQ(static_cast<unsigned char>((*elsewhere)[3]) & 0x80, 0u);  // RA clear
  EXPECT_EQ(rcode(*dns_answer(query(upstream_service_name("app.example.com"), kSrv, 3), kServices)),
            5u);  // class CH
  // A dot inside a label never passes for a label boundary.
  std::string dotted = query("x.route.berth.internal", kSrv);
  dotted[13] = '.';
  EXPECT_EQ(rcode(*dns_answer(dotted, {{"..route.berth.internal", 1}})), 3u);
}

// The SRV answer's rdata: priority, weight, port, target.
std::string srv_rdata(unsigned port, const std::string& target) {
  std::string rdata;
  put16(rdata, 0);
  put16(rdata, 0);
  put16(rdata, port);
  rdata += wire_name(target);
  return rdata;
}

// An answer's single record's rdata (the record is the packet's last bytes).
std::string last_rdata(const std::string& packet, std::size_t size) {
  return packet.size() < size ? std::string() : packet.substr(packet.size() - size);
}

const DirectUpstreams kDirect = {{49153, DirectUpstream{.ip = "172.18.0.7", .port = 8080}}};

TEST(UpstreamDns, ADirectContainerIsTheSrvTargetWithItsOwnPortAndAddress) {
  EXPECT_EQ(direct_target("172.18.0.7"), "ip-172-18-0-7.upstream.berth.internal");
  const auto answer =
      dns_answer(query(upstream_service_name("app.example.com"), kSrv), kServices, kDirect);
  ASSERT_TRUE(answer);
  EXPECT_EQ(rcode(*answer), 0u);
  EXPECT_EQ(answers(*answer), 1u);
  const auto rdata = srv_rdata(8080, "ip-172-18-0-7.upstream.berth.internal");
  EXPECT_EQ(last_rdata(*answer, rdata.size()), rdata);
  // Its A record is the container's address, answered from the name alone: an SRV answer
  // Caddy cached before a switch still resolves once the table has moved on.
  for (const auto* table : {&kDirect, static_cast<const DirectUpstreams*>(nullptr)}) {
    const auto a = dns_answer(query("IP-172-18-0-7.upstream.berth.internal", kA), kServices,
                              table ? *table : DirectUpstreams{});
    ASSERT_TRUE(a);
    EXPECT_EQ(rcode(*a), 0u);
    EXPECT_EQ(answers(*a), 1u);
    EXPECT_EQ(last_rdata(*a, 6), std::string("\0\x04\xac\x12\0\x07", 6));
  }
  const auto v6 = dns_answer(query(direct_target("172.18.0.7"), kAaaa), kServices, kDirect);
  ASSERT_TRUE(v6);
  EXPECT_EQ(rcode(*v6), 0u);
  EXPECT_EQ(answers(*v6), 0u);
  // Names of that shape that are no IPv4 address are unknown.
  for (const auto* bad :
       {"ip-172-18-0.upstream.berth.internal", "ip-172-18-0-256.upstream.berth.internal",
        "ip-.upstream.berth.internal", "ip-1-2-3-4-5.upstream.berth.internal",
        "ip-a-b-c-d.upstream.berth.internal", "x-172-18-0-7.upstream.berth.internal"}) {
    const auto unknown = dns_answer(query(bad, kA), kServices, kDirect);
    ASSERT_TRUE(unknown);
    EXPECT_EQ(rcode(*unknown), 3u) << bad;
    EXPECT_EQ(answers(*unknown), 0u) << bad;
  }
}

TEST(UpstreamDns, PortsWithoutAContainerKeepTheLoopbackAnswer) {
  // A host-network app publishes no port and an unknown container has no entry: both are
  // answered as before, upstream.berth.internal (127.0.0.1) and the host port.
  const auto loopback = srv_rdata(49153, "upstream.berth.internal");
  const auto srv = query(upstream_service_name("app.example.com"), kSrv);
  for (const DirectUpstreams& direct :
       {DirectUpstreams{}, DirectUpstreams{{49154, DirectUpstream{.ip = "172.18.0.8", .port = 80}}},
        DirectUpstreams{{49153, DirectUpstream{.ip = "not-an-address", .port = 80}}}}) {
    const auto answer = dns_answer(srv, kServices, direct);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answers(*answer), 1u);
    EXPECT_EQ(last_rdata(*answer, loopback.size()), loopback);
  }
}

TEST(UpstreamDns, TruncatedAndGarbagePackets) {
  const auto valid = query(upstream_service_name("app.example.com"), kSrv);
  EXPECT_FALSE(dns_answer("", kServices));
  EXPECT_FALSE(dns_answer(valid.substr(0, 11), kServices));
  // Every cut inside the question is a format error, never a read past the packet.
  const auto question_end = 12 + wire_name(upstream_service_name("app.example.com")).size() + 4;
  for (std::size_t size = 12; size < question_end; ++size) {
    const auto answer = dns_answer(valid.substr(0, size), kServices);
    ASSERT_TRUE(answer) << size;
    EXPECT_EQ(rcode(*answer), 1u) << size;
    EXPECT_EQ(answer->size(), 12u) << size;
  }
  std::string answer_packet = valid;
  answer_packet[2] = static_cast<char>(0x81);  // QR set: never answered
  EXPECT_FALSE(dns_answer(answer_packet, kServices));
  std::string update = valid;
  update[2] = static_cast<char>(0x28);  // opcode UPDATE
  EXPECT_EQ(rcode(*dns_answer(update, kServices)), 4u);
  std::string two_questions = valid;
  two_questions[5] = 2;
  EXPECT_EQ(rcode(*dns_answer(two_questions, kServices)), 1u);
  std::string pointer = valid.substr(0, 12) + std::string("\xc0\x0c\0\x21\0\x01", 6);
  EXPECT_EQ(rcode(*dns_answer(pointer, kServices)), 1u);
  std::string overlong = valid.substr(0, 12);
  for (int label = 0; label < 5; ++label) {
    overlong += std::string(1, '\x3f') + std::string(63, 'a');
  }
  overlong += std::string("\0\0\x21\0\x01", 5);
  EXPECT_EQ(rcode(*dns_answer(overlong, kServices)), 1u);
  // Bytes of every value at every position of the question: no crash, no read past the end.
  for (std::size_t at = 12; at < valid.size(); ++at) {
    for (int value = 0; value < 256; value += 17) {
      std::string mutated = valid;
      mutated[at] = static_cast<char>(value);
      (void)dns_answer(mutated, kServices);
    }
  }
}

TEST(UpstreamDns, AnswersOverUdpAndFollowsTableChanges) {
  auto dns = UpstreamDns::start("127.0.0.1", 0);
  ASSERT_TRUE(dns) << dns.error().message;
  ASSERT_GT((*dns)->port(), 0);
  EXPECT_EQ((*dns)->address(), "127.0.0.1:" + std::to_string((*dns)->port()));
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>((*dns)->port()));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto ask = [&](const std::string& packet) {
    ::sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    pollfd pfd{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&pfd, 1, 10'000) != 1) {
      return std::string();
    }
    std::vector<char> buffer(4096);
    const auto got = ::recv(fd, buffer.data(), buffer.size(), 0);
    return std::string(buffer.data(), got > 0 ? static_cast<std::size_t>(got) : 0);
  };
  const auto srv = query(upstream_service_name("app.example.com"), kSrv);
  EXPECT_EQ(rcode(ask(srv)), 3u);
  (*dns)->set_services(kServices);
  EXPECT_EQ((*dns)->services(), kServices);
  const auto answer = ask(srv);
  ASSERT_GT(answer.size(), 12u);
  EXPECT_EQ(rcode(answer), 0u);
  EXPECT_EQ(answer, *dns_answer(srv, kServices));
  // A deployment's switch: the new container's address is what the next lookup gets.
  (*dns)->set_direct(kDirect);
  EXPECT_EQ((*dns)->direct(), kDirect);
  EXPECT_EQ(ask(srv), *dns_answer(srv, kServices, kDirect));
  const DirectUpstreams moved = {{49160, DirectUpstream{.ip = "172.18.0.9", .port = 8080}}};
  (*dns)->set_direct(moved);
  (*dns)->set_services({{upstream_service_name("app.example.com"), 49160}});
  const auto switched = ask(srv);
  const auto rdata = srv_rdata(8080, "ip-172-18-0-9.upstream.berth.internal");
  EXPECT_EQ(last_rdata(switched, rdata.size()), rdata);
  ::close(fd);
  EXPECT_FALSE(UpstreamDns::start("localhost", 0));
  EXPECT_FALSE(UpstreamDns::start("127.0.0.1", (*dns)->port()));  // taken
  dns->reset();  // stops without waiting for a packet
}

}  // namespace
}  // namespace berth::agent::host
