#include "agent/host/caddy_config.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

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

bool is_routed_host(std::string_view host) {
  const bool wildcard = host.starts_with("*.");
  const auto name = wildcard ? host.substr(2) : host;
  return host.size() <= kMaxRoutedHost && is_dns_name(name) &&
         (!wildcard || name.find('.') != std::string_view::npos);
}

bool is_path_prefix(std::string_view path) {
  if (path.size() < 2 || path.size() > 200 || path.front() != '/' || path.back() == '/') {
    return false;
  }
  for (char c : path) {
    if (!is_ascii_alnum(c) && c != '-' && c != '.' && c != '_' && c != '~' && c != '/') {
      return false;
    }
  }
  for (std::size_t start = 1; start <= path.size();) {
    const auto slash = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return false;
    }
    start = slash + 1;
  }
  return true;
}

// "http(s)://<dns name>[:port]": nothing Caddy would expand, nothing after the origin.
bool is_redirect_origin(std::string_view url) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (!url.starts_with(scheme)) {
      continue;
    }
    auto rest = url.substr(scheme.size());
    const auto colon = rest.find(':');
    if (colon != rest.npos) {
      const auto port = rest.substr(colon + 1);
      if (port.empty() || port.size() > 5 || port.front() == '0' ||
          !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          std::stoi(std::string(port)) > 65535) {
        return false;
      }
      rest = rest.substr(0, colon);
    }
    return is_dns_name(rest) && rest.size() <= kMaxRoutedHost;
  }
  return false;
}

// PEM is printable ASCII in lines; Caddy reads it as it is.
bool is_pem_text(std::string_view text, std::size_t max_size) {
  return !text.empty() && text.size() <= max_size && text.find("-----BEGIN ") != text.npos &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f && c != '{' && c != '}');
         });
}

Result<std::string> optional_string(const nlohmann::json& entry, const char* key) {
  const auto found = entry.find(key);
  if (found == entry.end() || found->is_null()) {
    return std::string();
  }
  if (!found->is_string()) {
    return fail(invalid_arg(key, "must be a string"));
  }
  return found->get<std::string>();
}

Result<void> certificate_of(const nlohmann::json& entry, ProxyRoute& route) {
  const auto found = entry.find("certificate");
  if (found == entry.end() || found->is_null()) {
    if (route.tls == "custom") {
      return fail(invalid_arg("certificate", "tls custom needs a certificate {chain, key}"));
    }
    return {};
  }
  auto fields = known_fields(*found, {"chain", "key"});
  if (!fields || route.tls != "custom") {
    return fail(invalid_arg("certificate", "only with tls custom: an object {chain, key}"));
  }
  auto chain = optional_string(*fields, "chain");
  auto key = optional_string(*fields, "key");
  if (!chain || !key || !is_pem_text(*chain, 64 * 1024) || !is_pem_text(*key, 16 * 1024)) {
    return fail(invalid_arg("certificate", "chain and key must be PEM text (64 KiB, 16 KiB)"));
  }
  route.certificate = RouteCertificate{.chain = std::move(*chain), .key = std::move(*key)};
  return {};
}

Result<ProxyRoute> route_of(const nlohmann::json& entry) {
  auto fields = known_fields(entry, {"host", "upstream", "path_prefix", "tls", "certificate",
                                     "redirect_to", "https_redirect", "hsts", "edge"});
  if (!fields || !entry.is_object()) {
    return fail(invalid_arg("routes", "each entry must be an object {host, upstream, ...}"));
  }
  ProxyRoute route;
  const auto host = entry.value("host", nlohmann::json());
  if (!host.is_string() || !is_routed_host(host.get<std::string>())) {
    return fail(invalid_arg("routes",
                            "host must be a lower-case DNS name (or *.name) of at most "
                            "232 characters"));
  }
  route.host = host.get<std::string>();
  auto upstream = optional_string(*fields, "upstream");
  auto redirect = optional_string(*fields, "redirect_to");
  auto prefix = optional_string(*fields, "path_prefix");
  auto tls = optional_string(*fields, "tls");
  auto https_redirect = bool_field(*fields, "https_redirect", true);
  auto hsts = bool_field(*fields, "hsts", false);
  for (const auto* failed : {&upstream, &redirect, &prefix, &tls}) {
    if (!*failed) {
      return fail(failed->error());
    }
  }
  if (!https_redirect || !hsts) {
    return fail(!https_redirect ? https_redirect.error() : hsts.error());
  }
  route.upstream = *upstream;
  route.redirect_to = *redirect;
  route.path_prefix = *prefix;
  route.tls = *tls;
  route.https_redirect = *https_redirect;
  route.hsts = *hsts;
  if (route.upstream.empty() == route.redirect_to.empty()) {
    return fail(invalid_arg("routes", "each route needs exactly one of upstream and redirect_to"));
  }
  if (!route.upstream.empty() && !is_loopback_upstream(route.upstream)) {
    return fail(invalid_arg("upstream", "upstream must be 127.0.0.1:<port>"));
  }
  if (!route.redirect_to.empty() && !is_redirect_origin(route.redirect_to)) {
    return fail(invalid_arg("redirect_to", "must be http(s)://<dns name>[:port]"));
  }
  if (!route.path_prefix.empty() && !is_path_prefix(route.path_prefix)) {
    return fail(invalid_arg("path_prefix",
                            "must be /segment[/segment...] of letters, digits, "
                            "- . _ ~ without . or .. segments"));
  }
  if (!route.tls.empty() && route.tls != "off" && route.tls != "internal" && route.tls != "acme" &&
      route.tls != "custom") {
    return fail(invalid_arg("tls", "must be off, internal, acme or custom"));
  }
  if (route.host.starts_with("*.") && route.tls == "acme") {
    return fail(invalid_arg("tls", "a wildcard host needs tls internal, custom or off"));
  }
  if (auto certificate = certificate_of(*fields, route); !certificate) {
    return fail(certificate.error());
  }
  auto edge = edge::parse_edge_rules(entry.value("edge", nlohmann::json()));
  if (!edge) {
    return fail(invalid_arg("routes", "edge of " + route.host + ": " + edge.error().message));
  }
  route.edge = std::move(*edge);
  return route;
}

// Exact hosts before wildcards (Caddy tries routes in order), then by host, then longer path
// prefixes first so that /api/v2 wins over /api, and a host's root last.
bool more_specific(const ProxyRoute& a, const ProxyRoute& b) {
  const bool wild_a = a.host.starts_with("*.");
  const bool wild_b = b.host.starts_with("*.");
  if (wild_a != wild_b) {
    return !wild_a;
  }
  if (a.host != b.host) {
    return a.host < b.host;
  }
  return a.path_prefix.size() > b.path_prefix.size() ||
         (a.path_prefix.size() == b.path_prefix.size() && a.path_prefix < b.path_prefix);
}

// FNV-1a: a stable short name for a route whose host or prefix cannot be a DNS label.
std::string route_hash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) {
    out[static_cast<std::size_t>(i)] = kHex[hash & 0xf];
  }
  return out;
}

// The issuers of the acme hosts' policy (see caddy_config in the header).
nlohmann::json acme_issuers(const acme::AcmeSettings& settings, const std::string& root_file) {
  nlohmann::json acme_issuer = {{"module", "acme"}};
  if (!settings.ca.empty()) {
    acme_issuer["ca"] = settings.ca;
    acme_issuer["acme_timeout"] = kPrivateCaTimeout;
  }
  if (!settings.email.empty()) {
    acme_issuer["email"] = settings.email;
  }
  if (!settings.ca_root.empty()) {
    acme_issuer["trusted_roots_pem_files"] = {root_file};
  }
  auto issuers = nlohmann::json::array({std::move(acme_issuer)});
  if (settings.ca.empty()) {  // Caddy's defaults: Let's Encrypt, then ZeroSSL
    issuers.push_back({{"module", "zerossl"}, {"email", settings.email}});
  }
  return issuers;
}

// The route's Caddy routes: the http → https redirect (when on), then the route itself.
void add_caddy_routes(const ProxyTable& table, const ProxyRoute& route,
                      const std::string& dns_address, nlohmann::json& out) {
  const bool tls = route_tls(table, route) != "off";
  if (tls && route.https_redirect) {
    nlohmann::json match = caddy_route_match(route);
    match["protocol"] = "http";
    out.push_back(
        {{"match", {std::move(match)}},
         {"handle", {caddy_no_server_header(), caddy_redirect_308(https_location(table, route))}},
         {"terminal", true}});
  }
  auto handle = nlohmann::json::array({caddy_no_server_header()});
  if (tls && route.hsts) {
    handle.push_back(
        {{"handler", "headers"},
         {"response", {{"set", {{"Strict-Transport-Security", {"max-age=31536000"}}}}}}});
  }
  if (!route.redirect_to.empty()) {
    handle.push_back(caddy_redirect_308(route.redirect_to + "{http.request.uri}"));
  } else {
    // A route with edge rules is sent to the edge Caddy by the same SRV name (the agent's DNS
    // answers with the edge's port): the rules never make this config differ.
    handle.push_back(caddy_reverse_proxy(route_service_name(route), dns_address));
  }
  out.push_back(
      {{"match", {caddy_route_match(route)}}, {"handle", std::move(handle)}, {"terminal", true}});
}

}  // namespace

nlohmann::json caddy_no_server_header() {
  return {{"handler", "headers"}, {"response", {{"delete", {"Server"}}}}};
}

nlohmann::json caddy_route_match(const ProxyRoute& route) {
  nlohmann::json match = {{"host", {route.host}}};
  if (!route.path_prefix.empty()) {
    match["path"] = {route.path_prefix, route.path_prefix + "/*"};
  }
  return match;
}

nlohmann::json caddy_redirect_308(const std::string& location) {
  return {{"handler", "static_response"},
          {"status_code", 308},
          {"headers", {{"Location", {location}}}}};
}

std::string https_location(const ProxyTable& table, const ProxyRoute& route) {
  // The host comes from the request only for a wildcard, whose matcher already allowed it to
  // be a name under the validated one.
  const std::string host = route.host.starts_with("*.") ? "{http.request.host}" : route.host;
  const std::string port =
      table.https_port == 443 ? std::string() : ":" + std::to_string(table.https_port);
  return "https://" + host + port + "{http.request.uri}";
}

nlohmann::json caddy_reverse_proxy(const std::string& service_name, const std::string& dns_address,
                                   const char* try_duration) {
  const nlohmann::json resolver = {{"addresses", {"udp/" + dns_address}}};
  // The name ends with a dot so that Go's resolver never tries it under a search domain.
  // The transport resolves the SRV target (upstream.berth.internal) with the same responder.
  // For the moment of a switch, and for an agent restarting, a dial that finds nothing is
  // retried for up to 5 s before the client gets an error. A dial is given up after 100 ms and
  // tried again 10 ms later: a local connect answers in well under a millisecond, so no SYN-ACK
  // by then means the app's full accept queue dropped the SYN, and a new dial beats the
  // kernel's 1 s retransmit (issue 16; bench/results/deploy-dial.md). A failed dial sent
  // nothing, so it is retried for any method.
  return {
      {"handler", "reverse_proxy"},
      {"dynamic_upstreams",
       {{"source", "srv"},
        {"name", service_name + "."},
        {"refresh", kUpstreamRefresh},
        {"resolver", resolver}}},
      {"transport",
       {{"protocol", "http"}, {"resolver", resolver}, {"dial_timeout", kUpstreamDialTimeout}}},
      {"load_balancing", {{"try_duration", try_duration}, {"try_interval", kUpstreamTryInterval}}}};
}

std::string acme_root_file_name(const acme::AcmeSettings& settings) {
  return "acme_ca_root-" + route_hash(settings.ca_root) + ".pem";
}

std::string route_tls(const ProxyTable& table, const ProxyRoute& route) {
  return route.tls.empty() ? table.tls : route.tls;
}

std::string route_service_name(const ProxyRoute& route) {
  if (!route.host.starts_with("*.") && route.path_prefix.empty()) {
    return upstream_service_name(route.host);
  }
  return "r" + route_hash(route.host + route.path_prefix) + ".route." + std::string(kUpstreamZone);
}

std::string edge_upstream_name(const ProxyRoute& route) {
  return "u" + route_hash(route.host + route.path_prefix) + ".edge." + std::string(kUpstreamZone);
}

bool has_edge_rules(const ProxyRoute& route) {
  return !route.upstream.empty() && !edge::is_empty(route.edge);
}

bool has_any_edge_rules(const ProxyTable& table) {
  return std::any_of(table.routes.begin(), table.routes.end(), has_edge_rules);
}

Result<ProxyTable> parse_proxy_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"http_port", "https_port", "tls", "routes", "acme"});
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
  auto acme_settings = acme::parse_acme_settings(fields->value("acme", nlohmann::json()));
  if (!acme_settings) {
    Error refused = std::move(acme_settings.error());  // names the field, as invalid_arg does
    refused.code = "invalid_args";
    return fail(std::move(refused));
  }
  table.acme = std::move(*acme_settings);
  const auto routes = fields->find("routes");
  if (routes == fields->end() || !routes->is_array() || routes->size() > 10'000) {
    return fail(invalid_arg("routes", "required, an array of at most 10000 routes"));
  }
  std::set<std::pair<std::string, std::string>> seen;
  std::set<std::string> services;
  for (const auto& entry : *routes) {
    auto route = route_of(entry);
    if (!route) {
      return fail(route.error());
    }
    if (!seen.emplace(route->host, route->path_prefix).second) {
      return fail(
          invalid_arg("routes", "host " + route->host + route->path_prefix + " appears twice"));
    }
    if (!route->upstream.empty() && !services.insert(route_service_name(*route)).second) {
      return fail(invalid_arg("routes", "two routes share an upstream name"));
    }
    table.routes.push_back(std::move(*route));
  }
  const bool any_tls = std::any_of(table.routes.begin(), table.routes.end(),
                                   [&](const auto& r) { return route_tls(table, r) != "off"; });
  if ((table.tls != "off" || any_tls) && table.http_port == table.https_port) {
    return fail(invalid_arg("https_port", "must differ from http_port"));
  }
  return table;
}

nlohmann::json proxy_args_json(const ProxyTable& table) {
  nlohmann::json routes = nlohmann::json::array();
  for (const auto& route : table.routes) {
    nlohmann::json entry = {{"host", route.host}};
    if (!route.upstream.empty()) {
      entry["upstream"] = route.upstream;
    }
    if (!route.redirect_to.empty()) {
      entry["redirect_to"] = route.redirect_to;
    }
    if (!route.path_prefix.empty()) {
      entry["path_prefix"] = route.path_prefix;
    }
    if (!route.tls.empty()) {
      entry["tls"] = route.tls;
    }
    if (route.certificate) {
      entry["certificate"] = {{"chain", route.certificate->chain}, {"key", route.certificate->key}};
    }
    if (!route.https_redirect) {
      entry["https_redirect"] = false;
    }
    if (route.hsts) {
      entry["hsts"] = true;
    }
    if (!edge::is_empty(route.edge)) {
      entry["edge"] = edge::edge_rules_json(route.edge);
    }
    routes.push_back(std::move(entry));
  }
  nlohmann::json args = {{"http_port", table.http_port},
                         {"https_port", table.https_port},
                         {"tls", table.tls},
                         {"routes", std::move(routes)}};
  if (!acme::is_default(table.acme)) {
    args["acme"] = acme::acme_settings_json(table.acme);
  }
  return args;
}

std::set<std::string> tls_ask_names(const ProxyTable& table) {
  std::set<std::string> names;
  for (const auto& route : table.routes) {
    if (route_tls(table, route) == "acme") {
      names.insert(route.host);  // never a wildcard: parse_proxy_args refuses one with acme
    }
  }
  return names;
}

std::set<std::string> route_hosts(const ProxyTable& table) {
  std::set<std::string> hosts;
  for (const auto& route : table.routes) {
    hosts.insert(route.host);
  }
  return hosts;
}

std::vector<const ProxyRoute*> routes_in_match_order(const ProxyTable& table) {
  std::vector<const ProxyRoute*> ordered;
  for (const auto& route : table.routes) {
    ordered.push_back(&route);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const ProxyRoute* a, const ProxyRoute* b) { return more_specific(*a, *b); });
  return ordered;
}

std::string handover_marker(const std::string& host) { return host + ".handed"; }

nlohmann::json caddy_config(const ProxyTable& table, const std::string& admin_address,
                            const std::string& dns_address, const std::string& acme_root_file,
                            const std::string& ask_address, const std::string& handover_dir) {
  const auto ordered = routes_in_match_order(table);
  nlohmann::json routes = nlohmann::json::array();
  // The catch-all to the edge Caddy (plan_without_reload): after every host's routes, and first
  // of all for the hosts handed over. Looked up more often than a host's upstream, and retried
  // sooner while nothing answers, so that a new host answers soon after its edge Caddy does.
  const auto to_edge = [&] {
    auto proxy = caddy_reverse_proxy(kEdgeCatchAllName, dns_address, kCatchAllTry);
    proxy["dynamic_upstreams"]["refresh"] = kCatchAllRefresh;
    proxy["load_balancing"]["try_interval"] = kCatchAllRefresh;
    return nlohmann::json::array({caddy_no_server_header(), std::move(proxy)});
  };
  if (!ask_address.empty() && !handover_dir.empty()) {
    // A stat per request. The Host header cannot climb out of the directory (Go refuses '/' in
    // it, and Caddy joins the path under the root); a name no marker has simply misses.
    const nlohmann::json marker = {{"root", handover_dir},
                                   {"try_files", {"/" + handover_marker("{http.request.host}")}}};
    routes.push_back({{"match", nlohmann::json::array({{{"file", marker}}})},
                      {"handle", to_edge()},
                      {"terminal", true}});
  }
  // host → its TLS mode (path prefixes of one host share the host's certificate).
  std::map<std::string, std::string> host_tls;
  std::map<std::string, const RouteCertificate*> custom;
  for (const ProxyRoute* route : ordered) {
    add_caddy_routes(table, *route, dns_address, routes);
    const std::string tls = route_tls(table, *route);
    host_tls.emplace(route->host, tls);
    if (tls == "custom" && route->certificate) {
      custom.emplace(route->host, &*route->certificate);
    }
  }
  if (!ask_address.empty()) {
    // Hosts new since this config was loaded: the edge Caddy knows them.
    routes.push_back({{"handle", to_edge()}, {"terminal", true}});
  }
  nlohmann::json skip = nlohmann::json::array();
  nlohmann::json internal = nlohmann::json::array();
  nlohmann::json acme_hosts = nlohmann::json::array();
  for (const auto& [host, tls] : host_tls) {
    if (tls == "off") {
      skip.push_back(host);
    } else if (tls == "internal") {
      internal.push_back(host);
    } else if (tls == "acme") {
      acme_hosts.push_back(host);
    }
  }
  // With an ask listener (a real agent) the HTTPS listener is always there, even before any
  // host wants TLS: a first `acme` domain then needs no front reload (it is issued on demand),
  // and a reload is what closes the clients' idle keep-alive connections.
  const bool tls = table.tls != "off" || skip.size() < host_tls.size() || !ask_address.empty();
  nlohmann::json listen = {":" + std::to_string(table.http_port)};
  if (tls) {
    listen.push_back(":" + std::to_string(table.https_port));
  }
  nlohmann::json server = {{"listen", std::move(listen)}, {"routes", std::move(routes)}};
  if (!tls) {
    server["automatic_https"] = {{"disable", true}};
  } else {
    server["automatic_https"] = {{"disable_redirects", true}};
    if (!skip.empty()) {
      server["automatic_https"]["skip"] = skip;
    }
    // Said outright: with no host that wants a certificate, Caddy would otherwise serve plain
    // HTTP on the HTTPS port.
    server["tls_connection_policies"] = nlohmann::json::array({nlohmann::json::object()});
  }
  nlohmann::json config = {{"admin", {{"listen", admin_address}}},
                           {"apps",
                            {{"http",
                              {{"http_port", table.http_port},
                               {"https_port", table.https_port},
                               {"servers", {{kCaddyServer, std::move(server)}}}}}}}};
  nlohmann::json tls_app = nlohmann::json::object();
  nlohmann::json policies = nlohmann::json::array();
  const bool internal_hosts = !internal.empty();
  if (internal_hosts) {
    policies.push_back(
        {{"subjects", std::move(internal)}, {"issuers", {{{"module", "internal"}}}}});
  }
  const bool on_demand = tls && !ask_address.empty();
  if (!acme_hosts.empty() && (on_demand || !acme::is_default(table.acme))) {
    // Named, so that the catch-all on-demand policy below never takes them: their certificates
    // are obtained at load and renewed ahead, as without it. No issuers: Caddy's defaults.
    nlohmann::json policy = {{"subjects", std::move(acme_hosts)}};
    if (!acme::is_default(table.acme)) {
      policy["issuers"] = acme_issuers(table.acme, acme_root_file);
    }
    policies.push_back(std::move(policy));
  }
  if (on_demand) {
    nlohmann::json policy = {{"on_demand", true}};
    if (!acme::is_default(table.acme)) {
      policy["issuers"] = acme_issuers(table.acme, acme_root_file);
    }
    policies.push_back(std::move(policy));
    tls_app["automation"]["on_demand"] = {
        {"ask", "http://" + ask_address + std::string(kTlsAskPath)}};
  }
  if (!policies.empty()) {
    tls_app["automation"]["policies"] = std::move(policies);
  }
  if (internal_hosts) {
    // Caddy would add its local CA to this machine's trust store: the clients that should
    // trust it are elsewhere, and the host's trust store is not Caddy's to change.
    config["apps"]["pki"] = {{"certificate_authorities", {{"local", {{"install_trust", false}}}}}};
  }
  if (!custom.empty()) {
    nlohmann::json pems = nlohmann::json::array();
    nlohmann::json connection_policies = nlohmann::json::array();
    nlohmann::json skip_certificates = nlohmann::json::array();
    for (const auto& [host, certificate] : custom) {
      const std::string tag = "berth-" + route_hash(host);
      pems.push_back(
          {{"certificate", certificate->chain}, {"key", certificate->key}, {"tags", {tag}}});
      connection_policies.push_back(
          {{"match", {{"sni", {host}}}}, {"certificate_selection", {{"any_tag", {tag}}}}});
      skip_certificates.push_back(host);
    }
    connection_policies.push_back(nlohmann::json::object());  // every other name: Caddy's choice
    tls_app["certificates"] = {{"load_pem", std::move(pems)}};
    auto& http_server = config["apps"]["http"]["servers"][kCaddyServer];
    http_server["tls_connection_policies"] = std::move(connection_policies);
    http_server["automatic_https"]["skip_certificates"] = std::move(skip_certificates);
  }
  if (!tls_app.empty()) {
    config["apps"]["tls"] = std::move(tls_app);
  }
  return config;
}

}  // namespace berth::agent::host
