// The front Caddy's plan for a newer table without a reload (plan_without_reload: hosts new to
// it go to the edge Caddy through their SRV names, hosts whose routes changed are rerouted or
// handed over there), and the SRV answers that carry it out (upstream_services). The Caddy JSON
// itself is built in caddy_config.cpp.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "agent/host/caddy_config.hpp"

namespace berth::agent::host {

UpstreamServices upstream_services(const ProxyTable& table, int edge_port, const FrontPlan& plan) {
  UpstreamServices services;
  if (edge_port > 0) {
    services[kEdgeCatchAllName] = edge_port;
    for (const auto& gone : plan.gone_services) {
      services[gone] = edge_port;
    }
  }
  for (const auto& route : table.routes) {
    if (route.upstream.empty()) {
      continue;  // a redirect
    }
    // parse_proxy_args let only 127.0.0.1:<1-65535> through.
    const int port = std::stoi(route.upstream.substr(route.upstream.rfind(':') + 1));
    const bool edge = has_edge_rules(route) || plan.rerouted_hosts.contains(route.host);
    services[route_service_name(route)] = edge_port > 0 && edge ? edge_port : port;
    // For every route, rules or not: an edge Caddy being replaced still answers the requests
    // the front sent it before its switch, also those of a route whose rules just went away.
    services[edge_upstream_name(route)] = port;
  }
  return services;
}

namespace {

std::vector<ProxyRoute> routes_of(const ProxyTable& table, const std::string& host) {
  std::vector<ProxyRoute> routes;
  for (const auto& route : table.routes) {
    if (route.host == host) {
      routes.push_back(route);
    }
  }
  return routes;
}

// Whether the edge Caddy can take `host` whose front routes are `before` and whose routes are
// now `after`: the front's routes all proxy (through SRV names the DNS can point at the edge),
// the TLS mode stays (certificates are the front's), and no custom certificate is involved.
bool reroutable(const ProxyTable& front, const ProxyTable& table, const std::string& host,
                const std::vector<ProxyRoute>& before, const std::vector<ProxyRoute>& after) {
  if (host.starts_with("*.") || before.empty() || after.empty()) {
    return false;
  }
  // The front goes on answering with its own http → https redirect and HSTS header for the
  // host: those must stay as they were (the edge adds them for a route that gains them, but
  // cannot take away the front's).
  const ProxyRoute& first = before.front();
  const std::string tls = route_tls(front, first);
  const auto same_kind = [&](const ProxyTable& of, const ProxyRoute& route) {
    return !route.certificate && route_tls(of, route) == tls &&
           route.https_redirect == first.https_redirect && route.hsts == first.hsts;
  };
  return std::ranges::all_of(before,
                             [&](const ProxyRoute& route) {
                               return !route.upstream.empty() && same_kind(front, route);
                             }) &&
         std::ranges::all_of(after,
                             [&](const ProxyRoute& route) { return same_kind(table, route); });
}

// Whether a marker can hand `host` over to the edge Caddy: the front matches it by its exact
// name, and its certificate stays the front's to give: the same TLS mode before and after, none
// uploaded; or TLS off and acme either way round (the front, which always listens for HTTPS
// here, obtains a newly acme host's certificate on demand, and keeps serving the one it has
// for a host whose TLS went off until its next load).
bool handable(const ProxyTable& front, const ProxyTable& table, const std::string& host,
              const std::vector<ProxyRoute>& before, const std::vector<ProxyRoute>& after) {
  if (host.starts_with("*.") || before.empty()) {
    return false;
  }
  const std::string tls = route_tls(front, before.front());
  const bool off_or_acme = tls == "off" || tls == "acme";
  const auto keeps = [&tls](const ProxyTable& of, bool either) {
    return [&of, &tls, either](const ProxyRoute& route) {
      const std::string now = route_tls(of, route);
      return !route.certificate && (now == tls || (either && (now == "off" || now == "acme")));
    };
  };
  return std::ranges::all_of(before, keeps(front, false)) &&
         std::ranges::all_of(after, keeps(table, off_or_acme));
}

// `same` holds the table's routes of the hosts the front knows; for each of them whose front
// routes would change, puts the front's own routes back and marks the host rerouted (or handed
// over, with `hand_over`). false when one such host can be neither.
bool reroute_changed_hosts(const ProxyTable& front, const ProxyTable& table, ProxyTable& same,
                           FrontPlan& plan, bool hand_over) {
  const auto rendered = [](const ProxyTable& like, std::vector<ProxyRoute> routes) {
    ProxyTable one = like;
    one.routes = std::move(routes);
    return caddy_config(one, "-", "-", acme_root_file_name(one.acme), "-");
  };
  std::set<std::string> changed;
  std::set<std::string> handed;
  for (const auto& host : route_hosts(same)) {
    auto before = routes_of(front, host);
    auto after = routes_of(table, host);
    if (after.empty() || rendered(front, before) == rendered(table, after)) {
      continue;  // a host the table dropped (kept as the front had it), or unchanged
    }
    if (reroutable(front, table, host, before, after)) {
      changed.insert(host);
    } else if (hand_over && handable(front, table, host, before, after)) {
      changed.insert(host);
      handed.insert(host);
    } else {
      return false;
    }
  }
  if (changed.empty()) {
    return false;
  }
  std::erase_if(same.routes, [&](const ProxyRoute& route) { return changed.contains(route.host); });
  const auto table_names = [&](const std::string& host) {
    std::set<std::string> names;
    for (const auto& route : routes_of(table, host)) {
      names.insert(route_service_name(route));
    }
    return names;
  };
  for (const auto& host : changed) {
    const auto kept = table_names(host);
    for (const auto& route : routes_of(front, host)) {
      same.routes.push_back(route);
      if (!kept.contains(route_service_name(route))) {
        plan.gone_services.push_back(route_service_name(route));  // to the edge, as a gone host's
      }
    }
    (handed.contains(host) ? plan.handed_hosts : plan.rerouted_hosts).insert(host);
  }
  return true;
}

// A route's part of the front config (its upstream and edge rules are not: DNS and the edge).
std::string front_shape(const ProxyTable& table, const ProxyRoute& route) {
  std::string shape = route.host + '\n' + route.path_prefix + '\n' + route_tls(table, route) +
                      '\n' + route.redirect_to + '\n' + (route.https_redirect ? "r" : "-") +
                      (route.hsts ? "h" : "-");
  if (route.certificate) {
    shape += '\n' + route.certificate->chain + '\n' + route.certificate->key;
  }
  return shape;
}

}  // namespace

bool front_routes_differ(const ProxyTable& a, const ProxyTable& b) {
  if (a.http_port != b.http_port || a.https_port != b.https_port || a.tls != b.tls ||
      a.acme != b.acme || a.routes.size() != b.routes.size()) {
    return true;
  }
  const auto shapes = [](const ProxyTable& t) {
    std::multiset<std::string> all;
    for (const auto& route : t.routes) {
      all.insert(front_shape(t, route));
    }
    return all;
  };
  return shapes(a) != shapes(b);
}

std::optional<FrontPlan> plan_without_reload(const ProxyTable& front, const ProxyTable& table,
                                             bool hand_over) {
  if (front.http_port != table.http_port || front.https_port != table.https_port ||
      front.tls != table.tls || front.acme != table.acme) {
    return std::nullopt;
  }
  std::set<std::string> front_hosts;
  std::vector<std::string> wildcard_parents;
  for (const auto& route : front.routes) {
    front_hosts.insert(route.host);
    if (route.host.starts_with("*.")) {
      wildcard_parents.push_back(route.host.substr(1));  // ".example.com"
    }
  }
  const auto table_hosts = route_hosts(table);
  // The front as it would be rebuilt: the table's routes of the hosts it knows, and its own of
  // the hosts the table dropped. Its config must come out the same.
  ProxyTable same = table;
  same.routes.clear();
  FrontPlan plan;
  for (const auto& route : table.routes) {
    if (front_hosts.contains(route.host)) {
      same.routes.push_back(route);
    } else {
      plan.pending_hosts.insert(route.host);
    }
  }
  for (const auto& route : front.routes) {
    if (table_hosts.contains(route.host)) {
      continue;
    }
    if (route.upstream.empty()) {
      // A dropped redirect would go on answering 308: handed over, the edge answers 404.
      if (!hand_over || route.host.starts_with("*.")) {
        return std::nullopt;
      }
      plan.handed_hosts.insert(route.host);
    } else {
      plan.gone_services.push_back(route_service_name(route));
    }
    same.routes.push_back(route);
  }
  const auto config_of = [](const ProxyTable& t) {
    return caddy_config(t, "-", "-", acme_root_file_name(t.acme), "-");
  };
  const auto config = config_of(front);
  if (config_of(same) != config && !reroute_changed_hosts(front, table, same, plan, hand_over)) {
    return std::nullopt;
  }
  if (plan.pending_hosts.size() + plan.rerouted_hosts.size() + plan.handed_hosts.size() >
          kMaxPendingHosts ||
      config_of(same) != config) {
    return std::nullopt;
  }
  const bool https = config["apps"]["http"]["servers"][kCaddyServer]["listen"].size() > 1;
  for (const auto& route : table.routes) {
    if (!plan.pending_hosts.contains(route.host)) {
      continue;
    }
    const std::string tls = route_tls(table, route);
    if (route.host.starts_with("*.") || (tls != "off" && (tls != "acme" || !https))) {
      return std::nullopt;
    }
    for (const auto& parent : wildcard_parents) {
      if (route.host.ends_with(parent)) {
        return std::nullopt;  // the front's wildcard route would take it
      }
    }
  }
  return plan;
}

}  // namespace berth::agent::host
