#include "agent/host/caddy_config.hpp"

#include <algorithm>
#include <set>

#include "agent/host/caddy_edge.hpp"
#include "agent/host/job_args.hpp"

namespace berth::agent::host {
namespace {

bool is_dns_label(std::string_view label) {
  const auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return !label.empty() && label.size() <= 63 && ok(label.front()) && ok(label.back()) &&
         std::all_of(label.begin(), label.end(), [&](char c) { return ok(c) || c == '-'; });
}

bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) {
    return false;
  }
  while (true) {
    const auto dot = name.find('.');
    if (!is_dns_label(name.substr(0, dot))) {
      return false;
    }
    if (dot == name.npos) {
      return true;
    }
    name.remove_prefix(dot + 1);
  }
}

bool is_loopback_upstream(std::string_view upstream) {
  constexpr std::string_view kPrefix = "127.0.0.1:";
  if (!upstream.starts_with(kPrefix)) {
    return false;
  }
  const auto port = upstream.substr(kPrefix.size());
  if (port.empty() || port.size() > 5 || port.front() == '0' ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return std::stoi(std::string(port)) <= 65535;
}

Result<ProxyRoute> route_of(const nlohmann::json& entry) {
  auto fields = known_fields(entry, {"host", "upstream", "edge"});
  if (!fields || !entry.is_object()) {
    return fail(invalid_arg("routes", "each entry must be an object {host, upstream}"));
  }
  const auto host = entry.value("host", nlohmann::json());
  const auto upstream = entry.value("upstream", nlohmann::json());
  if (!host.is_string() || !is_dns_name(host.get<std::string>()) ||
      host.get<std::string>().size() > kMaxRoutedHost) {
    return fail(
        invalid_arg("routes", "host must be a lower-case DNS name of at most 232 characters"));
  }
  if (!upstream.is_string() || !is_loopback_upstream(upstream.get<std::string>())) {
    return fail(invalid_arg("routes", "upstream must be 127.0.0.1:<port>"));
  }
  auto edge = edge::parse_edge_rules(entry.value("edge", nlohmann::json()));
  if (!edge) {
    return fail(
        invalid_arg("routes", "edge of " + host.get<std::string>() + ": " + edge.error().message));
  }
  return ProxyRoute{.host = host.get<std::string>(),
                    .upstream = upstream.get<std::string>(),
                    .edge = std::move(*edge)};
}

}  // namespace

Result<ProxyTable> parse_proxy_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"http_port", "https_port", "tls", "routes"});
  if (!fields) {
    return fail(fields.error());
  }
  ProxyTable table;
  auto http = int_field(*fields, "http_port", 1, 65535);
  auto https = int_field(*fields, "https_port", 1, 65535);
  if (!http || !https) {
    return fail(!http ? http.error() : https.error());
  }
  table.http_port = http->value_or(80);
  table.https_port = https->value_or(443);
  if (const auto tls = fields->find("tls"); tls != fields->end() && !tls->is_null()) {
    if (*tls != "off" && *tls != "internal" && *tls != "acme") {
      return fail(invalid_arg("tls", "must be off, internal or acme"));
    }
    table.tls = tls->get<std::string>();
  }
  if (table.tls != "off" && table.http_port == table.https_port) {
    return fail(invalid_arg("https_port", "must differ from http_port"));
  }
  const auto routes = fields->find("routes");
  if (routes == fields->end() || !routes->is_array() || routes->size() > 10'000) {
    return fail(invalid_arg("routes", "required, an array of at most 10000 routes"));
  }
  std::set<std::string> hosts;
  for (const auto& entry : *routes) {
    auto route = route_of(entry);
    if (!route) {
      return fail(route.error());
    }
    if (!hosts.insert(route->host).second) {
      return fail(invalid_arg("routes", "host " + route->host + " appears twice"));
    }
    table.routes.push_back(std::move(*route));
  }
  return table;
}

nlohmann::json proxy_args_json(const ProxyTable& table) {
  nlohmann::json routes = nlohmann::json::array();
  for (const auto& route : table.routes) {
    routes.push_back({{"host", route.host}, {"upstream", route.upstream}});
    if (!edge::is_empty(route.edge)) {
      routes.back()["edge"] = edge::edge_rules_json(route.edge);
    }
  }
  return {{"http_port", table.http_port},
          {"https_port", table.https_port},
          {"tls", table.tls},
          {"routes", std::move(routes)}};
}

UpstreamServices upstream_services(const ProxyTable& table) {
  UpstreamServices services;
  for (const auto& route : table.routes) {
    // parse_proxy_args let only 127.0.0.1:<1-65535> through.
    const auto port = route.upstream.substr(route.upstream.rfind(':') + 1);
    services[upstream_service_name(route.host)] = std::stoi(port);
  }
  return services;
}

nlohmann::json caddy_config(const ProxyTable& table, const std::string& admin_address,
                            const std::string& dns_address) {
  const nlohmann::json resolver = {{"addresses", {"udp/" + dns_address}}};
  nlohmann::json routes = nlohmann::json::array();
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& route : table.routes) {
    hosts.push_back(route.host);
    // The name ends with a dot so that Go's resolver never tries it under a search domain.
    // The transport resolves the SRV target (upstream.berth.internal) with the same responder.
    // For the moment of a switch, and for an agent restarting, a dial that finds nothing is
    // retried for up to 5 s before the client gets an error.
    nlohmann::json proxy = {{"handler", "reverse_proxy"},
                            {"dynamic_upstreams",
                             {{"source", "srv"},
                              {"name", upstream_service_name(route.host) + "."},
                              {"refresh", kUpstreamRefresh},
                              {"resolver", resolver}}},
                            {"transport", {{"protocol", "http"}, {"resolver", resolver}}},
                            {"load_balancing", {{"try_duration", "5s"}}}};
    nlohmann::json handle = edge_handlers(route.edge);  // before the proxy: they may answer
    handle.push_back(std::move(proxy));
    routes.push_back(
        {{"match", {{{"host", {route.host}}}}}, {"handle", std::move(handle)}, {"terminal", true}});
  }
  const bool tls = table.tls != "off";
  nlohmann::json listen = {":" + std::to_string(table.http_port)};
  if (tls) {
    listen.push_back(":" + std::to_string(table.https_port));
  }
  nlohmann::json server = {{"listen", std::move(listen)}, {"routes", std::move(routes)}};
  if (!tls) {
    server["automatic_https"] = {{"disable", true}};
  }
  nlohmann::json config = {{"admin", {{"listen", admin_address}}},
                           {"apps",
                            {{"http",
                              {{"http_port", table.http_port},
                               {"https_port", table.https_port},
                               {"servers", {{kCaddyServer, std::move(server)}}}}}}}};
  if (table.tls == "internal" && !hosts.empty()) {
    config["apps"]["tls"] = {
        {"automation",
         {{"policies",
           {{{"subjects", std::move(hosts)}, {"issuers", {{{"module", "internal"}}}}}}}}}};
  }
  return config;
}

}  // namespace berth::agent::host
