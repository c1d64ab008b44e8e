#include "agent/host/caddy_edge.hpp"

#include <cstdint>
#include <span>

#include "agent/host/caddy_config.hpp"
#include "core/crypto.hpp"

namespace berth::agent::host {

namespace {

using nlohmann::json;

const json kPlainText = {"text/plain; charset=utf-8"};

json static_answer(int status, json headers, const std::string& body) {
  json answer = {{"handler", "static_response"}, {"status_code", status}};
  if (!headers.empty()) {
    answer["headers"] = std::move(headers);
  }
  if (!body.empty()) {
    answer["body"] = body + "\n";
  }
  return answer;
}

// A subroute whose one route answers `answer` when `match` matches; else the request goes on.
json answer_when(json match, json answer) {
  return {{"handler", "subroute"},
          {"routes", {{{"match", {std::move(match)}}, {"handle", {std::move(answer)}}}}}};
}

json headers_handler(const edge::HeaderRules& headers) {
  json response = {{"deferred", true}};
  if (!headers.set.empty()) {
    json set = json::object();
    for (const auto& [name, value] : headers.set) {
      set[name] = {value};
    }
    response["set"] = std::move(set);
  }
  if (!headers.remove.empty()) {
    response["delete"] = headers.remove;
  }
  return {{"handler", "headers"}, {"response", std::move(response)}};
}

json basic_auth_handler(const std::vector<edge::BasicAuthUser>& users) {
  json accounts = json::array();
  for (const auto& user : users) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(  // NOLINT: bytes of text
        user.password_hash.data());
    // Caddy 2.6 reads the hash base64-encoded.
    accounts.push_back(
        {{"username", user.username},
         {"password", crypto::base64_encode(std::span(bytes, user.password_hash.size()))}});
  }
  // hash_cache: a bcrypt check per request would cost ~0.25 s of CPU each; Caddy remembers
  // the credentials it has already verified (in memory, keyed by a hash of them).
  return {{"handler", "authentication"},
          {"providers",
           {{"http_basic",
             {{"accounts", std::move(accounts)},
              {"hash", {{"algorithm", "bcrypt"}}},
              {"hash_cache", json::object()},
              {"realm", "restricted"}}}}}};
}

json redirects_handler(const std::vector<edge::Redirect>& redirects) {
  json routes = json::array();
  for (const auto& redirect : redirects) {
    routes.push_back(
        {{"match", {{{"path", {redirect.path}}}}},
         {"handle", {static_answer(redirect.status, {{"Location", {redirect.to}}}, "")}}});
  }
  return {{"handler", "subroute"}, {"routes", std::move(routes)}};
}

}  // namespace

std::string greater_than_pattern(std::int64_t limit) {
  const std::string digits = std::to_string(limit);
  // More digits than the limit, or as many with a larger digit after an equal prefix.
  std::string pattern = "^0*(?:[1-9][0-9]{" + std::to_string(digits.size()) + ",}";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (digits[i] == '9') {
      continue;
    }
    const char next = static_cast<char>(digits[i] + 1);
    pattern += "|" + digits.substr(0, i) + "[" + next + "-9]";
    if (const auto rest = digits.size() - i - 1; rest > 0) {
      pattern += "[0-9]{" + std::to_string(rest) + "}";
    }
  }
  return pattern + ")$";
}

json edge_handlers(const edge::EdgeRules& rules) {
  json handlers = json::array();
  if (!rules.headers.set.empty() || !rules.headers.remove.empty()) {
    handlers.push_back(headers_handler(rules.headers));
  }
  if (!rules.allow_ips.empty()) {
    handlers.push_back(
        // The edge Caddy's client is the front one, which replaces whatever X-Forwarded-For a
        // client sent with the client's address: that address is the one to check.
        answer_when(
            {{"not", {{{"remote_ip", {{"forwarded", true}, {"ranges", rules.allow_ips}}}}}}},
            static_answer(403, {{"Content-Type", kPlainText}}, "Forbidden")));
  }
  if (rules.maintenance.enabled) {
    const auto& message = rules.maintenance.message;
    handlers.push_back(
        static_answer(503,
                      {{"Retry-After", {std::to_string(rules.maintenance.retry_after_seconds)}},
                       {"Content-Type", kPlainText},
                       {"Cache-Control", {"no-store"}}},
                      message.empty() ? kDefaultMaintenanceMessage : message));
  }
  if (!rules.users.empty()) {
    handlers.push_back(basic_auth_handler(rules.users));
  }
  if (!rules.redirects.empty()) {
    handlers.push_back(redirects_handler(rules.redirects));
  }
  if (rules.max_body_bytes > 0) {
    handlers.push_back(answer_when(
        {{"header_regexp",
          {{"Content-Length", {{"pattern", greater_than_pattern(rules.max_body_bytes)}}}}}},
        static_answer(413, {{"Content-Type", kPlainText}}, "Request body too large")));
    handlers.push_back({{"handler", "request_body"}, {"max_size", rules.max_body_bytes}});
  }
  return handlers;
}

json edge_caddy_config(const ProxyTable& table, int port, const std::string& dns_address) {
  return edge_caddy_config(table, port, dns_address, FrontPlan{});
}

json edge_caddy_config(const ProxyTable& table, int port, const std::string& dns_address,
                       const FrontPlan& plan) {
  json routes = json::array();
  routes.push_back({{"match", {{{"host", {kEdgeProbeHost}}}}},
                    {"handle", {static_answer(204, json::object(), "")}},
                    {"terminal", true}});
  for (const ProxyRoute* route : routes_in_match_order(table)) {
    const bool pending = plan.edge_holds(route->host);
    if (!pending && !has_edge_rules(*route)) {
      continue;
    }
    auto handle = json::array({caddy_no_server_header()});
    if (pending && route_tls(table, *route) != "off") {
      if (route->https_redirect) {
        // The front replaced whatever X-Forwarded-Proto the client sent with its scheme.
        json match = caddy_route_match(*route);
        match["header"] = {{"X-Forwarded-Proto", {"http"}}};
        routes.push_back(
            {{"match", {std::move(match)}},
             {"handle",
              {caddy_no_server_header(), caddy_redirect_308(https_location(table, *route))}},
             {"terminal", true}});
      }
      if (route->hsts) {
        handle.push_back(
            {{"handler", "headers"},
             {"response", {{"set", {{"Strict-Transport-Security", {"max-age=31536000"}}}}}}});
      }
    }
    for (auto& rule : edge_handlers(route->edge)) {
      handle.push_back(std::move(rule));
    }
    if (!route->redirect_to.empty()) {
      handle.push_back(caddy_redirect_308(route->redirect_to + "{http.request.uri}"));
    } else {
      json proxy = caddy_reverse_proxy(edge_upstream_name(*route), dns_address);
      // The front Caddy set X-Forwarded-For/-Proto/-Host for the client: passed on as they are.
      proxy["trusted_proxies"] = {"127.0.0.1/32"};
      handle.push_back(std::move(proxy));
    }
    routes.push_back({{"match", {caddy_route_match(*route)}},
                      {"handle", std::move(handle)},
                      {"terminal", true}});
  }
  if (routes.size() == 1 && plan.empty()) {
    return nullptr;
  }
  // A host the front sends here that no route takes: dropped from the table (its front route
  // is pointed here until the front's next load), or one no app has (the front's catch-all).
  routes.push_back({{"handle", {static_answer(404, {{"Content-Type", kPlainText}}, "Not Found")}}});
  json server = {{"listen", {"127.0.0.1:" + std::to_string(port)}},
                 {"automatic_https", {{"disable", true}}},
                 {"routes", std::move(routes)}};
  return {{"admin", {{"disabled", true}, {"config", {{"persist", false}}}}},
          {"apps", {{"http", {{"servers", {{"berth-edge", std::move(server)}}}}}}}};
}

}  // namespace berth::agent::host
