#include "agent/host/upstream_dns.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "agent/host/job_args.hpp"

namespace berth::agent::host {
namespace {

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeSrv = 33;
constexpr std::uint16_t kTypeAny = 255;
constexpr std::uint16_t kClassIn = 1;
constexpr std::uint16_t kClassAny = 255;
constexpr std::size_t kHeaderSize = 12;

enum class Rcode : std::uint8_t {
  no_error = 0,
  format_error = 1,
  nx_domain = 3,
  not_impl = 4,
  refused = 5
};

std::uint8_t byte_at(std::string_view packet, std::size_t at) {
  return static_cast<std::uint8_t>(packet[at]);
}

std::uint16_t u16_at(std::string_view packet, std::size_t at) {
  return static_cast<std::uint16_t>((byte_at(packet, at) << 8) | byte_at(packet, at + 1));
}

void put_u16(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>((value >> 8) & 0xff));
  out.push_back(static_cast<char>(value & 0xff));
}

struct Question {
  std::string_view wire = {};  // name, type and class exactly as asked: echoed back
  std::string_view name_wire = {};
  std::vector<std::string_view> labels = {};
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
};

// The question after the header; nullopt when it runs past the packet, uses compression (never
// needed in a one-question query) or is longer than DNS allows.
std::optional<Question> parse_question(std::string_view packet) {
  Question question;
  std::size_t at = kHeaderSize;
  while (true) {
    if (at >= packet.size()) {
      return std::nullopt;
    }
    const std::size_t length = byte_at(packet, at);
    if (length == 0) {
      ++at;
      break;
    }
    if ((length & 0xc0) != 0 || at + 1 + length > packet.size()) {
      return std::nullopt;
    }
    question.labels.push_back(packet.substr(at + 1, length));
    at += 1 + length;
    if (at - kHeaderSize > 255) {
      return std::nullopt;
    }
  }
  if (at + 4 > packet.size()) {
    return std::nullopt;
  }
  question.name_wire = packet.substr(kHeaderSize, at - kHeaderSize);
  question.type = u16_at(packet, at);
  question.klass = u16_at(packet, at + 2);
  question.wire = packet.substr(kHeaderSize, at + 4 - kHeaderSize);
  return question;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The dotted lower-case name; nullopt when a label holds a byte no table name has (a '.'
// inside a label must never pass for a label boundary).
std::optional<std::string> plain_name(const std::vector<std::string_view>& labels) {
  std::string name;
  for (const auto label : labels) {
    for (const char c : label) {
      const char l = lower(c);
      if (!((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '_')) {
        return std::nullopt;
      }
    }
    if (!name.empty()) {
      name.push_back('.');
    }
    for (const char c : label) {
      name.push_back(lower(c));
    }
  }
  return name;
}

bool in_zone(const std::vector<std::string_view>& labels) {
  const auto equals = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == y; });
  };
  return labels.size() >= 2 && equals(labels[labels.size() - 2], "berth") &&
         equals(labels.back(), "internal");
}

// Header of an answer to `query`: its id, opcode and RD bit; QR set, RA clear (no recursion).
std::string header(std::string_view query, Rcode rcode, bool authoritative, bool with_question,
                   int answers) {
  std::string out;
  out.push_back(query[0]);
  out.push_back(query[1]);
  out.push_back(static_cast<char>(0x80 | (byte_at(query, 2) & 0x79) | (authoritative ? 0x04 : 0)));
  out.push_back(static_cast<char>(rcode));
  put_u16(out, with_question ? 1 : 0);
  put_u16(out, static_cast<std::uint32_t>(answers));
  put_u16(out, 0);
  put_u16(out, 0);
  return out;
}

void put_name(std::string& out, std::string_view dotted) {
  while (!dotted.empty()) {
    const auto dot = dotted.find('.');
    const auto label = dotted.substr(0, dot);
    out.push_back(static_cast<char>(label.size()));
    out.append(label);
    dotted.remove_prefix(dot == dotted.npos ? dotted.size() : dot + 1);
  }
  out.push_back('\0');
}

// One answer record for the asked name, TTL 0: Caddy caches by its own refresh interval.
void put_record(std::string& out, const Question& question, std::uint16_t type,
                std::string_view rdata) {
  out.append(question.name_wire);
  put_u16(out, type);
  put_u16(out, kClassIn);
  put_u16(out, 0);
  put_u16(out, 0);
  put_u16(out, static_cast<std::uint32_t>(rdata.size()));
  out.append(rdata);
}

constexpr std::string_view kDirectPrefix = "ip-";

// The 4 address bytes a direct_target() name stands for; nullopt for any other name.
std::optional<std::string> direct_address(std::string_view name) {
  const std::string suffix = "." + std::string(kUpstreamTarget);
  if (!name.starts_with(kDirectPrefix) || !name.ends_with(suffix)) {
    return std::nullopt;
  }
  std::string dotted(
      name.substr(kDirectPrefix.size(), name.size() - kDirectPrefix.size() - suffix.size()));
  std::replace(dotted.begin(), dotted.end(), '-', '.');
  in_addr address{};
  if (inet_pton(AF_INET, dotted.c_str(), &address) != 1) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(&address.s_addr), 4);
}

}  // namespace

std::string direct_target(std::string_view ipv4) {
  std::string label(ipv4);
  std::replace(label.begin(), label.end(), '.', '-');
  return std::string(kDirectPrefix) + label + "." + std::string(kUpstreamTarget);
}

std::string upstream_service_name(std::string_view host) {
  return std::string(host) + ".route." + std::string(kUpstreamZone);
}

std::optional<std::string> dns_answer(std::string_view query, const UpstreamServices& services,
                                      const DirectUpstreams& direct) {
  if (query.size() < kHeaderSize || (byte_at(query, 2) & 0x80) != 0) {
    return std::nullopt;  // no id to answer to, or an answer (answering answers could loop)
  }
  if (((byte_at(query, 2) >> 3) & 0x0f) != 0) {
    return header(query, Rcode::not_impl, false, false, 0);
  }
  const auto question = u16_at(query, 4) == 1 ? parse_question(query) : std::nullopt;
  if (!question) {
    return header(query, Rcode::format_error, false, false, 0);
  }
  const auto respond = [&](Rcode rcode, bool authoritative, std::uint16_t type = 0,
                           std::string_view rdata = {}) {
    std::string out = header(query, rcode, authoritative, true, type == 0 ? 0 : 1);
    out.append(question->wire);
    if (type != 0) {
      put_record(out, *question, type, rdata);
    }
    return out;
  };
  if (!in_zone(question->labels) || (question->klass != kClassIn && question->klass != kClassAny)) {
    return respond(Rcode::refused, false);
  }
  const auto name = plain_name(question->labels);
  const auto wants = [&](std::uint16_t type) {
    return question->type == type || question->type == kTypeAny;
  };
  if (name && *name == kUpstreamTarget) {
    return wants(kTypeA) ? respond(Rcode::no_error, true, kTypeA, std::string("\x7f\0\0\x01", 4))
                         : respond(Rcode::no_error, true);
  }
  if (const auto address = name ? direct_address(*name) : std::nullopt) {
    return wants(kTypeA) ? respond(Rcode::no_error, true, kTypeA, *address)
                         : respond(Rcode::no_error, true);
  }
  const auto service = name ? services.find(*name) : services.end();
  if (service != services.end()) {
    if (!wants(kTypeSrv)) {
      return respond(Rcode::no_error, true);
    }
    const auto container = direct.find(service->second);
    const bool dial_container =
        container != direct.end() && direct_address(direct_target(container->second.ip));
    std::string rdata;
    put_u16(rdata, 0);  // priority
    put_u16(rdata, 0);  // weight
    if (dial_container) {
      put_u16(rdata, static_cast<std::uint32_t>(container->second.port));
      put_name(rdata, direct_target(container->second.ip));
    } else {
      put_u16(rdata, static_cast<std::uint32_t>(service->second));
      put_name(rdata, kUpstreamTarget);
    }
    return respond(Rcode::no_error, true, kTypeSrv, rdata);
  }
  return respond(name && *name == kUpstreamZone ? Rcode::no_error : Rcode::nx_domain, true);
}

Result<std::unique_ptr<UpstreamDns>> UpstreamDns::start(const std::string& ip, int port,
                                                        int inherited) {
  std::unique_ptr<UpstreamDns> dns(new UpstreamDns());
  auto listener = UdpListener::start(
      ip, port, 4096,
      [responder = dns.get()](std::string_view query) {
        std::lock_guard lock(responder->mutex_);
        return dns_answer(query, responder->services_, responder->direct_);
      },
      "upstream_dns", "dns_bind", inherited);
  if (!listener) {
    return fail(std::move(listener.error()));
  }
  dns->listener_ = std::move(*listener);
  return dns;
}

void UpstreamDns::set_services(UpstreamServices services) {
  std::lock_guard lock(mutex_);
  services_ = std::move(services);
}

UpstreamServices UpstreamDns::services() const {
  std::lock_guard lock(mutex_);
  return services_;
}

void UpstreamDns::set_direct(DirectUpstreams direct) {
  std::lock_guard lock(mutex_);
  direct_ = std::move(direct);
}

DirectUpstreams UpstreamDns::direct() const {
  std::lock_guard lock(mutex_);
  return direct_;
}

}  // namespace berth::agent::host
