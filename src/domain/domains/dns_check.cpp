#include "domain/domains/dns_check.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <set>

namespace berth::domains {

namespace {

// The canonical text of an IP literal ("" when it is none), so 2001:DB8::1 equals 2001:db8::1.
std::string canonical_ip(const std::string& text) {
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
    return inet_ntop(AF_INET, bytes.data(), out.data(), out.size()) ? out.data() : "";
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
    return inet_ntop(AF_INET6, bytes.data(), out.data(), out.size()) ? out.data() : "";
  }
  return "";
}

std::vector<DnsRecord> cname_of(const std::string& name) {
  std::array<unsigned char, 4096> answer{};
  const int size =
      res_query(name.c_str(), ns_c_in, ns_t_cname, answer.data(), static_cast<int>(answer.size()));
  if (size <= 0) {
    return {};
  }
  ns_msg message{};
  if (ns_initparse(answer.data(), size, &message) != 0) {
    return {};
  }
  std::vector<DnsRecord> out;
  for (int i = 0; i < ns_msg_count(message, ns_s_an); ++i) {
    ns_rr record{};
    if (ns_parserr(&message, ns_s_an, i, &record) != 0 || ns_rr_type(record) != ns_t_cname) {
      continue;
    }
    std::array<char, NS_MAXDNAME> target{};
    if (ns_name_uncompress(ns_msg_base(message), ns_msg_end(message), ns_rr_rdata(record),
                           target.data(), target.size()) < 0) {
      continue;
    }
    out.push_back({.type = "CNAME", .value = target.data()});
  }
  return out;
}

}  // namespace

std::vector<DnsRecord> SystemResolver::resolve(std::string_view hostname) {
  const std::string name(hostname);
  std::vector<DnsRecord> out = cname_of(name);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0) {
    return out;
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const addrinfo* at = found; at != nullptr; at = at->ai_next) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    const void* address = nullptr;
    std::string type;
    if (at->ai_family == AF_INET) {
      address = &reinterpret_cast<const sockaddr_in*>(at->ai_addr)->sin_addr;
      type = "A";
    } else if (at->ai_family == AF_INET6) {
      address = &reinterpret_cast<const sockaddr_in6*>(at->ai_addr)->sin6_addr;
      type = "AAAA";
    } else {
      continue;
    }
    if (inet_ntop(at->ai_family, address, text.data(), text.size()) != nullptr &&
        seen.emplace(type, text.data()).second) {
      out.push_back({.type = type, .value = text.data()});
    }
  }
  freeaddrinfo(found);
  return out;
}

std::string probe_name(std::string_view hostname) {
  return hostname.starts_with("*.") ? "berth-check" + std::string(hostname.substr(1))
                                    : std::string(hostname);
}

DnsVerdict judge_dns(const std::vector<DnsRecord>& records,
                     const std::vector<std::string>& addresses) {
  DnsVerdict verdict;
  std::set<std::string> server;
  for (const auto& address : addresses) {
    if (auto canonical = canonical_ip(address); !canonical.empty()) {
      server.insert(canonical);
    }
  }
  bool any_address = false;
  bool matches = false;
  for (const auto& record : records) {
    verdict.records.push_back({{"type", record.type}, {"value", record.value}});
    if (record.type == "A" || record.type == "AAAA") {
      any_address = true;
      matches = matches || server.contains(canonical_ip(record.value));
    }
  }
  verdict.status = !any_address ? "pending_dns" : matches ? "ok" : "elsewhere";
  return verdict;
}

}  // namespace berth::domains
