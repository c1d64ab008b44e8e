#pragma once
/// Where a domain's name points, compared with where its server is: A/AAAA records (through
/// getaddrinfo) and a CNAME (through res_query), behind an interface so tests use a fake.
/// The verdict is shown, never enforced: a CDN in front of a server is normal.
///   pending_dns: the name resolves to no address (yet)
///   ok:          one of its addresses is one of the server's public addresses
///   elsewhere:   it resolves, but to none of them (or the server's addresses are unknown)

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace berth::domains {

struct DnsRecord {
  std::string type = {};   // A | AAAA | CNAME
  std::string value = {};  // an address, or the CNAME's target without the final dot
  bool operator==(const DnsRecord&) const = default;
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  /// The records found for `hostname` (a lower-case A-label name); empty when there are none
  /// or the lookup failed. Blocking; thread-safe.
  virtual std::vector<DnsRecord> resolve(std::string_view hostname) = 0;
};

/// The system's resolver (/etc/resolv.conf, /etc/hosts through getaddrinfo).
class SystemResolver final : public Resolver {
 public:
  std::vector<DnsRecord> resolve(std::string_view hostname) override;
};

struct DnsVerdict {
  std::string status = "pending_dns";
  nlohmann::json records = nlohmann::json::array();  // [{type, value}]
};

/// The name a check resolves for `hostname`: a wildcard's "*" becomes a fixed label
/// ("berth-check"), since any name under it should lead to the same place.
std::string probe_name(std::string_view hostname);

/// The verdict for `records` against the server's public `addresses` (IP literals, compared
/// in canonical form).
DnsVerdict judge_dns(const std::vector<DnsRecord>& records,
                     const std::vector<std::string>& addresses);

}  // namespace berth::domains
