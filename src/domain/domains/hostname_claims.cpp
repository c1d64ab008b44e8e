// Who may use a hostname: the instance-wide rule every domain and every app's hostname
// obeys, the numbered default hostname, and the primary domain that mirrors apps.hostname.
#include "domain/domains/hostname_claims.hpp"

#include <algorithm>

namespace berth {

namespace {

Error hostname_taken(std::string message) {
  return with_code(Error::conflict(std::move(message)), "hostname_taken");
}

}  // namespace

Result<void> hostname_available(Tx& tx, const AppRecord& app, std::string_view hostname,
                                std::string_view path_prefix, std::string_view except_id,
                                std::string_view panel_host) {
  if (!panel_host.empty() && hostname == panel_host) {
    // berthd's own route holds it on its server's proxy (panel_route.hpp); same answer as for a
    // name another team holds.
    return fail(hostname_taken("this hostname is already in use"));
  }
  auto holders = tx.find_domains_by_hostname(hostname);
  if (!holders) {
    return fail(std::move(holders.error()));
  }
  for (const auto& other : *holders) {
    if (other.id == except_id) {
      continue;
    }
    // The same message whoever holds it: another team's name is never confirmed or named.
    if (other.team_id != app.team_id || other.path_prefix == path_prefix) {
      return fail(hostname_taken("this hostname is already in use"));
    }
    if (other.app_id != app.id) {
      auto holder = tx.get_app(app.team_id, other.app_id);
      if (!holder) {
        return fail(std::move(holder.error()));
      }
      if (*holder && (*holder)->server_id != app.server_id) {
        return fail(hostname_taken(
            "this hostname is served by another server; path prefixes of one hostname must be "
            "on one server"));
      }
    }
  }
  return {};
}

Result<std::string> first_free_hostname(Tx& tx, const AppRecord& app, const std::string& wanted,
                                        std::string_view panel_host) {
  auto domains_of_app = tx.list_app_domains(app.id);
  auto on_server = tx.list_server_apps(app.server_id);
  if (!domains_of_app || !on_server) {
    return fail(!domains_of_app ? std::move(domains_of_app.error()) : std::move(on_server.error()));
  }
  std::string primary;
  for (const auto& domain : *domains_of_app) {
    primary = domain.is_primary ? domain.id : primary;
  }
  const auto dot = wanted.find('.');
  for (int n = 1; n < 100 && dot != std::string::npos; ++n) {
    const std::string candidate =
        n == 1 ? wanted : wanted.substr(0, dot) + "-" + std::to_string(n) + wanted.substr(dot);
    const bool used_on_server = std::any_of(
        on_server->begin(), on_server->end(),
        [&](const AppRecord& other) { return other.id != app.id && other.hostname == candidate; });
    if (used_on_server || (n > 1 && dot + 3 > 63)) {
      continue;
    }
    if (auto free = hostname_available(tx, app, candidate, "", primary, panel_host); free) {
      return candidate;
    } else if (free.error().kind != ErrorKind::conflict) {
      return fail(std::move(free.error()));
    }
  }
  return wanted;
}

Result<void> sync_primary_domain(Tx& tx, const AppRecord& app, IdGenerator& ids, TimePoint now,
                                 std::string_view panel_host) {
  auto domains_of_app = tx.list_app_domains(app.id);
  if (!domains_of_app) {
    return fail(std::move(domains_of_app.error()));
  }
  const auto primary = std::find_if(domains_of_app->begin(), domains_of_app->end(),
                                    [](const DomainRecord& d) { return d.is_primary; });
  if (app.hostname.empty()) {
    return primary == domains_of_app->end() ? Result<void>{} : tx.delete_domain(primary->id);
  }
  const std::string except = primary == domains_of_app->end() ? "" : primary->id;
  const std::string prefix = primary == domains_of_app->end() ? "" : primary->path_prefix;
  if (auto free = hostname_available(tx, app, app.hostname, prefix, except, panel_host); !free) {
    return free;
  }
  if (primary == domains_of_app->end()) {
    DomainRecord domain{.id = ids.next("dom"),
                        .team_id = app.team_id,
                        .app_id = app.id,
                        .hostname = app.hostname,
                        .is_primary = true};
    domain.created_at = now;
    domain.updated_at = now;
    return tx.create_domain(domain);
  }
  if (primary->hostname == app.hostname) {
    return {};
  }
  DomainRecord domain = *primary;
  domain.hostname = app.hostname;
  if (domain.tls == "custom") {  // the certificate was for the old name
    domain.tls.clear();
    domain.cert_chain.clear();
    domain.cert_key_sealed.clear();
    domain.cert_info = nlohmann::json::object();
  }
  domain.dns_status = "pending_dns";
  domain.dns_records = nlohmann::json::array();
  domain.dns_checked_at = std::nullopt;
  domain.certificate_status = nullptr;  // read for the old name
  domain.updated_at = now;
  return tx.update_domain(domain);
}

}  // namespace berth
