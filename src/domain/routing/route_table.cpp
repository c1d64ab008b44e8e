#include "domain/routing/route_table.hpp"

#include <map>

#include "domain/routing/route_edge.hpp"

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

Result<nlohmann::json> proxy_apply_args(Tx& tx, std::string_view server_id,
                                        const std::optional<RouteChange>& change) {
  auto settings = proxy_settings_of(tx, server_id);
  if (!settings) {
    return fail(std::move(settings.error()));
  }
  auto apps = tx.list_server_apps(server_id);
  if (!apps) {
    return fail(std::move(apps.error()));
  }
  // hostname → port; ordered, so the same state always gives the same table (Caddy skips a
  // load whose config did not change).
  std::map<std::string, std::int64_t> routes;
  std::map<std::string, nlohmann::json> edges;  // hostname → its app's edge rules, if any
  const auto add_edge = [&](std::string_view app_id, const std::string& host) -> Result<void> {
    auto edge = route_edge_args(tx, app_id);
    if (edge && *edge) {
      edges[host] = std::move(**edge);
    }
    return edge ? Result<void>{} : fail(std::move(edge.error()));
  };
  for (const auto& app : *apps) {
    if (change && app.id == change->app_id) {
      continue;
    }
    if (app.status == "stopped" || app.current_deployment_id.empty() || app.hostname.empty()) {
      continue;
    }
    auto current = tx.get_deployment(app.team_id, app.current_deployment_id);
    if (!current) {
      return fail(std::move(current.error()));
    }
    if (*current && (*current)->host_port > 0) {
      routes[app.hostname] = (*current)->host_port;
      if (auto added = add_edge(app.id, app.hostname); !added) {
        return fail(std::move(added.error()));
      }
    }
  }
  if (change && change->upstream_port > 0 && !change->hostname.empty()) {
    routes[change->hostname] = change->upstream_port;
    if (auto added = add_edge(change->app_id, change->hostname); !added) {
      return fail(std::move(added.error()));
    }
  }
  nlohmann::json table = nlohmann::json::array();
  for (const auto& [host, port] : routes) {
    table.push_back({{"host", host}, {"upstream", "127.0.0.1:" + std::to_string(port)}});
    if (const auto edge = edges.find(host); edge != edges.end()) {
      table.back()["edge"] = edge->second;
    }
  }
  return nlohmann::json{{"http_port", settings->http_port},
                        {"https_port", settings->https_port},
                        {"tls", settings->tls},
                        {"routes", std::move(table)}};
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

Result<void> ProxyRouter::apply(
    std::string_view server_id, const std::optional<RouteChange>& change,
    const std::function<Result<JobRecord>(const nlohmann::json& args)>& apply,
    const std::function<Result<void>()>& commit) {
  std::lock_guard lock(lock_for(server_id));
  auto args = read_value<nlohmann::json>(
      store_, [&](Tx& tx) { return proxy_apply_args(tx, server_id, change); });
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
