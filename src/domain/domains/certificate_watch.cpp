// DomainService's certificate watch: what each domain's server actually serves, read back
// through the agent (proxy.certificates), kept on the domain, and turned into server events
// when a certificate is about to expire or cannot be obtained. Separate from the DNS check:
// that one asks the world, this one asks the server.
#include <map>
#include <set>

#include "core/log.hpp"
#include "core/time_format.hpp"
#include "domain/domains/domain_service.hpp"
#include "domain/routing/route_table.hpp"

namespace berth {
namespace {

constexpr auto kExpiryWarning = std::chrono::hours(24 * 14);
constexpr auto kReadEvery = std::chrono::hours(6);

using nlohmann::json;

// True when the served certificate's not_after is within the warning window of `now`.
bool expiring(const json& status, TimePoint now) {
  if (!status.is_object() || !status.contains("served") || !status["served"].is_object()) {
    return false;
  }
  const auto not_after = parse_rfc3339(status["served"].value("not_after", ""));
  return not_after && *not_after - now < kExpiryWarning;
}

std::string acme_error_of(const json& status) {
  return status.is_object() && status.contains("acme_error") && status["acme_error"].is_string()
             ? status["acme_error"].get<std::string>()
             : std::string();
}

// The stored status for one host's report from the agent.
json status_of(const json& report, TimePoint now) {
  json status = {{"served", report.value("certificate", json())},
                 {"error", report.value("error", json())},
                 {"acme_error", nullptr},
                 {"acme_failed_at", nullptr},
                 {"checked_at", format_rfc3339(now)}};
  if (const auto acme = report.find("acme"); acme != report.end() && acme->is_object()) {
    status["acme_error"] = acme->value("error", json());
    status["acme_failed_at"] = acme->value("failed_at", json());
  }
  return status;
}

}  // namespace

Result<void> DomainService::check_certificates(std::string_view server_id) {
  if (!certificates_.read) {
    return fail(Error::unavailable("certificates cannot be read in this build"));
  }
  struct Read {
    std::vector<DomainRecord> domains;  // with TLS on
    std::vector<std::string> hosts;     // each hostname once
  };
  auto read = read_value<Read>(ctx_.store(), [&](Tx& tx) -> Result<Read> {
    auto domains = tx.list_server_domains(server_id);
    auto proxy = domains ? proxy_settings_of(tx, server_id) : fail(domains.error());
    if (!proxy) {
      return fail(std::move(proxy.error()));
    }
    Read out;
    std::set<std::string> seen;
    for (auto& domain : *domains) {
      if (effective_tls(domain, *proxy) == "off") {
        continue;
      }
      if (seen.insert(domain.hostname).second) {
        out.hosts.push_back(domain.hostname);
      }
      out.domains.push_back(std::move(domain));
    }
    return out;
  });
  if (!read) {
    return fail(std::move(read.error()));
  }
  if (read->hosts.empty()) {
    return {};
  }
  auto answer = certificates_.read(server_id, read->hosts);
  if (!answer) {
    return fail(std::move(answer.error()));
  }
  const TimePoint now = ctx_.clock().now();
  std::map<std::string, json, std::less<>> by_host;
  for (const auto& report : *answer) {
    if (report.is_object() && report.contains("host") && report["host"].is_string()) {
      by_host[report["host"].get<std::string>()] = status_of(report, now);
    }
  }
  std::vector<std::pair<std::string, json>> events;
  auto stored = ctx_.store().write([&](Tx& tx) -> Result<void> {
    for (const auto& domain : read->domains) {
      const auto found = by_host.find(domain.hostname);
      if (found == by_host.end()) {
        continue;  // not in the agent's answer
      }
      auto fresh = tx.get_domain("", domain.id);
      if (!fresh) {
        return fail(std::move(fresh.error()));
      }
      auto& current = *fresh;
      if (!current) {
        continue;  // removed meanwhile
      }
      const json before = current->certificate_status;
      const json& after = found->second;
      if (expiring(after, now) && !expiring(before, now)) {
        events.emplace_back("certificate_expiring",
                            json{{"domain_id", domain.id},
                                 {"hostname", domain.hostname},
                                 {"not_after", after["served"].value("not_after", "")}});
      }
      const std::string failure = acme_error_of(after);
      if (!failure.empty() && failure != acme_error_of(before)) {
        events.emplace_back(
            "certificate_failed",
            json{{"domain_id", domain.id}, {"hostname", domain.hostname}, {"error", failure}});
      }
      current->certificate_status = after;
      if (auto updated = tx.update_domain(*current); !updated) {
        return updated;
      }
    }
    return {};
  });
  if (!stored) {
    return stored;
  }
  for (auto& [kind, details] : events) {
    if (certificates_.event) {
      certificates_.event(server_id, kind, std::move(details));
    }
  }
  return {};
}

void DomainService::check_certificates_due() {
  auto due = read_value<std::vector<std::string>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<std::string>> {
        auto servers = tx.list_servers_with_status({"online", "degraded"});
        if (!servers) {
          return fail(std::move(servers.error()));
        }
        std::vector<std::string> out;
        const TimePoint stale = ctx_.clock().now() - kReadEvery;
        for (const auto& server : *servers) {
          auto domains = tx.list_server_domains(server.id);
          if (!domains) {
            return fail(std::move(domains.error()));
          }
          for (const auto& domain : *domains) {
            const json& status = domain.certificate_status;
            const auto checked =
                status.is_object() ? parse_rfc3339(status.value("checked_at", "")) : std::nullopt;
            if (!checked || *checked < stale) {
              out.push_back(server.id);
              break;
            }
          }
        }
        return out;
      });
  if (!due) {
    log::warn("domains.certificates_due_failed", {{"message", due.error().message}});
    return;
  }
  for (const auto& server_id : *due) {
    background_.post([this, server_id] {
      if (auto checked = check_certificates(server_id); !checked) {
        log::info("domains.certificates_unread",
                  {{"server_id", server_id}, {"message", checked.error().message}});
      }
    });
  }
}

}  // namespace berth
