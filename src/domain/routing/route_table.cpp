#include "domain/routing/route_table.hpp"

#include <algorithm>
#include <map>

#include "domain/routing/route_edge.hpp"
#include "protocol/acme_settings.hpp"

namespace berth {

Result<ProxySettingsRecord> proxy_settings_of(Tx& tx, std::string_view server_id) {
  auto stored = tx.get_proxy_settings(server_id);
  if (!stored) {
    return fail(std::move(stored.error()));
  }
  if (*stored) {
    return std::move(**stored);
  }
  return ProxySettingsRecord{.server_id = std::string(server_id)};
}

std::string effective_tls(const DomainRecord& domain, const ProxySettingsRecord& proxy) {
  return domain.tls.empty() ? proxy.tls : domain.tls;
}

std::string domain_origin(const DomainRecord& domain, const ProxySettingsRecord& proxy) {
  if (effective_tls(domain, proxy) == "off") {
    return "http://" + domain.hostname +
           (proxy.http_port == 80 ? "" : ":" + std::to_string(proxy.http_port));
  }
  return "https://" + domain.hostname +
         (proxy.https_port == 443 ? "" : ":" + std::to_string(proxy.https_port));
}

namespace {

// One entry of the table: only what differs from the defaults is written, so a plain domain
// is {host, upstream} as before issue 14 and an unchanged state gives an unchanged table.
Result<std::optional<nlohmann::json>> route_entry(const DomainRecord& domain,
                                                  const std::vector<DomainRecord>& siblings,
                                                  const ProxySettingsRecord& proxy,
                                                  std::int64_t port,
                                                  const crypto::Key* master_key) {
  nlohmann::json entry = {{"host", domain.hostname}};
  if (!domain.redirect_to.empty()) {
    const auto target = std::find_if(siblings.begin(), siblings.end(), [&](const auto& other) {
      return other.id == domain.redirect_to;
    });
    if (target == siblings.end()) {
      return std::optional<nlohmann::json>();  // the service keeps targets; nothing to point at
    }
    entry["redirect_to"] = domain_origin(*target, proxy);
  } else {
    entry["upstream"] = "127.0.0.1:" + std::to_string(port);
  }
  if (!domain.path_prefix.empty()) {
    entry["path_prefix"] = domain.path_prefix;
  }
  if (!domain.tls.empty()) {
    entry["tls"] = domain.tls;
  }
  if (domain.tls == "custom") {
    if (master_key == nullptr) {
      return std::optional<nlohmann::json>();
    }
    auto key = crypto::open_sealed(*master_key, domain.cert_key_sealed);
    if (!key) {
      return fail(Error::internal("cannot open the sealed certificate key of " + domain.id));
    }
    entry["certificate"] = {{"chain", domain.cert_chain}, {"key", std::move(*key)}};
  }
  if (!domain.https_redirect) {
    entry["https_redirect"] = false;
  }
  if (domain.hsts) {
    entry["hsts"] = true;
  }
  return std::optional(std::move(entry));
}

}  // namespace

Result<nlohmann::json> proxy_apply_args(Tx& tx, std::string_view server_id,
                                        const std::optional<RouteChange>& change,
                                        const crypto::Key* master_key, const PanelRoute* panel) {
  auto settings = proxy_settings_of(tx, server_id);
  if (!settings) {
    return fail(std::move(settings.error()));
  }
  auto apps = tx.list_server_apps(server_id);
  if (!apps) {
    return fail(std::move(apps.error()));
  }
  // (host, path prefix) → entry; ordered, so the same state always gives the same table
  // (Caddy skips a load whose config did not change).
  std::map<std::pair<std::string, std::string>, nlohmann::json> routes;
  // One query for the whole server: a table of 1000 apps is applied often.
  auto server_domains = tx.list_server_domains(server_id);
  if (!server_domains) {
    return fail(std::move(server_domains.error()));
  }
  std::map<std::string, std::vector<DomainRecord>, std::less<>> domains_by_app;
  for (auto& domain : *server_domains) {
    domains_by_app[domain.app_id].push_back(std::move(domain));
  }
  const auto add_app_routes = [&](const AppRecord& app, std::int64_t port) -> Result<void> {
    // The app's edge rules go on every route that serves it (a redirect domain only answers
    // 308 and needs none).
    auto edge = route_edge_args(tx, app.id);
    if (!edge) {
      return fail(std::move(edge.error()));
    }
    const auto with_edge = [&](nlohmann::json entry) {
      if (*edge && entry.contains("upstream")) {
        entry["edge"] = **edge;
      }
      return entry;
    };
    static const std::vector<DomainRecord> kNone;
    const auto found = domains_by_app.find(app.id);
    const std::vector<DomainRecord>* domains =
        found == domains_by_app.end() ? &kNone : &found->second;
    if (domains->empty() && !app.hostname.empty()) {
      // An app whose hostname has no domain row (stored before domains existed, or lost its
      // hostname to an older app in the 0007 migration) keeps its plain route unless another
      // app's domain holds the name.
      auto holders = tx.find_domains_by_hostname(app.hostname);
      if (!holders) {
        return fail(std::move(holders.error()));
      }
      if (holders->empty()) {
        routes[{app.hostname, ""}] =
            with_edge({{"host", app.hostname}, {"upstream", "127.0.0.1:" + std::to_string(port)}});
      }
      return {};
    }
    for (const auto& domain : *domains) {
      auto entry = route_entry(domain, *domains, *settings, port, master_key);
      if (!entry) {
        return fail(std::move(entry.error()));
      }
      if (*entry) {
        routes[{domain.hostname, domain.path_prefix}] = with_edge(std::move(**entry));
      }
    }
    return {};
  };
  for (const auto& app : *apps) {
    if (change && app.id == change->app_id) {
      if (change->upstream_port > 0) {
        if (auto added = add_app_routes(app, change->upstream_port); !added) {
          return fail(std::move(added.error()));
        }
      }
      continue;
    }
    if (app.status == "stopped" || app.current_deployment_id.empty()) {
      continue;
    }
    auto current = tx.get_deployment(app.team_id, app.current_deployment_id);
    if (!current) {
      return fail(std::move(current.error()));
    }
    if (*current && (*current)->host_port > 0) {
      if (auto added = add_app_routes(app, (*current)->host_port); !added) {
        return fail(std::move(added.error()));
      }
    }
  }
  if (panel != nullptr && panel->server_id == server_id) {
    routes[{panel->host, ""}] = panel_route_entry(*panel);
  }
  nlohmann::json table = nlohmann::json::array();
  for (auto& [key, entry] : routes) {
    table.push_back(std::move(entry));
  }
  nlohmann::json args = {{"http_port", settings->http_port},
                         {"https_port", settings->https_port},
                         {"tls", settings->tls},
                         {"routes", std::move(table)}};
  // Only when set, so a server on Caddy's defaults keeps the table it had before.
  const acme::AcmeSettings acme_settings{
      .ca = settings->acme_ca, .ca_root = settings->acme_ca_root, .email = settings->acme_email};
  if (!acme::is_default(acme_settings)) {
    args["acme"] = acme::acme_settings_json(acme_settings);
  }
  return args;
}

}  // namespace berth

namespace berth {

std::mutex& ProxyRouter::lock_for(std::string_view server_id) {
  std::lock_guard lock(mutex_);
  auto found = locks_.find(server_id);
  if (found == locks_.end()) {
    found = locks_.emplace(std::string(server_id), std::make_unique<std::mutex>()).first;
  }
  return *found->second;
}

void ProxyRouter::set_panel_route(std::optional<PanelRoute> route) {
  std::lock_guard lock(mutex_);
  panel_ = std::move(route);
}

std::optional<PanelRoute> ProxyRouter::panel_route() {
  std::lock_guard lock(mutex_);
  return panel_;
}

Result<void> ProxyRouter::apply(
    std::string_view server_id, const std::optional<RouteChange>& change,
    const std::function<Result<JobRecord>(const nlohmann::json& args)>& apply,
    const std::function<Result<void>()>& commit) {
  std::lock_guard lock(lock_for(server_id));
  const auto panel = panel_route();
  auto args = read_value<nlohmann::json>(store_, [&](Tx& tx) {
    return proxy_apply_args(tx, server_id, change, &master_key_, panel ? &*panel : nullptr);
  });
  if (!args) {
    return fail(std::move(args.error()));
  }
  auto applied = apply(*args);
  if (!applied) {
    return fail(std::move(applied.error()));
  }
  return commit ? commit() : Result<void>{};
}

}  // namespace berth
