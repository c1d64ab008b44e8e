// Edge rules on the agent's side: proxy.apply's `edge` is validated again (a hostile value that
// got past berthd, or came from elsewhere, never reaches Caddy) and rendered as handlers before
// the route's reverse_proxy, in the documented order.

#include "agent/host/caddy_edge.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "agent/host/caddy_config.hpp"
#include "agent/host/edge_caddy.hpp"
#include "support/temp_dir.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;

const std::string kHash = "$2b$04$abcdefghijklmnopqrstuu5Rr0JbGmIAhZpYqW3pnkmMhxmQeBKCm";

json table_with(const json& edge) {
  return {{"http_port", 8080},
          {"routes", {{{"host", "web.test"}, {"upstream", "127.0.0.1:49153"}, {"edge", edge}}}}};
}

json every_rule() {
  return {{"redirects", {{{"path", "/old"}, {"to", "/new"}, {"status", 301}}}},
          {"headers", {{"set", {{"X-Frame-Options", "DENY"}}}, {"remove", {"Server"}}}},
          {"allow_ips", {"10.0.0.0/8", "::1/128"}},
          {"basic_auth", {{"users", {{{"username", "ops"}, {"password_hash", kHash}}}}}},
          {"max_body_bytes", 1000},
          {"maintenance", {{"enabled", true}, {"retry_after_seconds", 60}, {"message", ""}}}};
}

std::vector<std::string> handler_names(const json& handle) {
  std::vector<std::string> names;
  for (const auto& handler : handle) {
    names.push_back(handler["handler"]);
  }
  return names;
}

TEST(CaddyEdge, HostileEdgeValuesAreRefusedByTheAgent) {
  const std::vector<std::pair<std::string, json>> hostile = {
      {"/headers/set/X-A", "{env.HOME}"},
      {"/headers/set/X-A", "{file./etc/passwd}"},
      {"/headers/set/X-A", "a\r\nSet-Cookie: x=1"},
      {"/headers/set/X-A", std::string("a\0b", 3)},
      {"/maintenance/message", "{file./etc/shadow}"},
      {"/redirects/0/to", "https://x.example/{env.X}"},
      {"/redirects/0/path", "/../admin"},
      {"/allow_ips/0", "10.0.0.0/40"},
      {"/redirects/0/status", 200},
      {"/max_body_bytes", -5},
      {"/basic_auth/users/0/password_hash", "plaintext"},
      {"/unknown", 1}};
  for (const auto& [at, value] : hostile) {
    json edge = every_rule();
    edge[json::json_pointer(at)] = value;
    auto table = parse_proxy_args(table_with(edge));
    ASSERT_FALSE(table) << at;
    EXPECT_EQ(table.error().code, "invalid_args");
    EXPECT_NE(table.error().message.find("edge of web.test"), std::string::npos)
        << table.error().message;
  }
}

TEST(CaddyEdge, RoutesWithoutRulesRenderAsBefore) {
  json table = table_with(json::object());
  table["routes"][0].erase("edge");
  auto plain = parse_proxy_args(table);
  auto empty = parse_proxy_args(table_with(json::object()));
  ASSERT_TRUE(plain && empty);
  EXPECT_EQ(caddy_config(*plain, "127.0.0.1:2019", "127.0.0.1:53"),
            caddy_config(*empty, "127.0.0.1:2019", "127.0.0.1:53"));
  EXPECT_FALSE(proxy_args_json(*empty)["routes"][0].contains("edge"));
}

TEST(CaddyEdge, HandlersComeBeforeTheProxyInTheDocumentedOrder) {
  auto table = parse_proxy_args(table_with(every_rule()));
  ASSERT_TRUE(table) << table.error().message;
  // The kept table carries the rules (an agent restart restores them).
  EXPECT_EQ(proxy_args_json(*table)["routes"][0]["edge"], every_rule());
  // Route 0 of the edge Caddy answers the agent's probe.
  json handle = edge_caddy_config(
      *table, 4000, "127.0.0.1:53")["apps"]["http"]["servers"]["berth-edge"]["routes"][1]["handle"];
  EXPECT_EQ(handle[0], caddy_no_server_header());
  handle.erase(handle.begin());
  EXPECT_EQ(handler_names(handle),
            (std::vector<std::string>{"headers", "subroute", "static_response", "authentication",
                                      "subroute", "subroute", "request_body", "reverse_proxy"}));
  EXPECT_EQ(handle[0], json::parse(R"({"handler":"headers","response":{"deferred":true,
      "set":{"X-Frame-Options":["DENY"]},"delete":["Server"]}})"));
  EXPECT_EQ(handle[1], json::parse(R"({"handler":"subroute","routes":[{
      "match":[{"not":[{"remote_ip":{"forwarded":true,"ranges":["10.0.0.0/8","::1/128"]}}]}],
      "handle":[{"handler":"static_response","status_code":403,
        "headers":{"Content-Type":["text/plain; charset=utf-8"]},"body":"Forbidden\n"}]}]})"));
  EXPECT_EQ(handle[2]["status_code"], 503);
  EXPECT_EQ(handle[2]["headers"]["Retry-After"], json({"60"}));
  EXPECT_EQ(handle[2]["body"], std::string(kDefaultMaintenanceMessage) + "\n");
  // Caddy 2.6 reads the bcrypt hash base64-encoded.
  EXPECT_EQ(handle[3]["providers"]["http_basic"]["accounts"],
            json::parse(R"([{"username":"ops","password":
              "JDJiJDA0JGFiY2RlZmdoaWprbG1ub3BxcnN0dXU1UnIwSmJHbUlBaFpwWXFXM3Bua21NaHhtUWVCS0Nt"}])"));
  EXPECT_EQ(handle[3]["providers"]["http_basic"]["hash"], json({{"algorithm", "bcrypt"}}));
  EXPECT_EQ(handle[4], json::parse(R"({"handler":"subroute","routes":[{
      "match":[{"path":["/old"]}],
      "handle":[{"handler":"static_response","status_code":301,
        "headers":{"Location":["/new"]}}]}]})"));
  EXPECT_EQ(handle[5]["routes"][0]["handle"][0]["status_code"], 413);
  EXPECT_EQ(handle[6], json({{"handler", "request_body"}, {"max_size", 1000}}));
}

// The client-facing Caddy's config is the same whatever the rules: changing them never reloads
// it. The routes with rules are sent to the edge Caddy through their SRV answer instead.
TEST(CaddyEdge, RulesLiveInTheEdgeCaddyAndTheFrontConfigNeverChangesWithThem) {
  auto ruled = parse_proxy_args(table_with(every_rule()));
  auto plain = parse_proxy_args(table_with(json::object()));
  ASSERT_TRUE(ruled && plain);
  EXPECT_EQ(caddy_config(*ruled, "127.0.0.1:2019", "127.0.0.1:53"),
            caddy_config(*plain, "127.0.0.1:2019", "127.0.0.1:53"));
  EXPECT_TRUE(edge_caddy_config(*plain, 4000, "127.0.0.1:53").is_null());

  const auto& route = ruled->routes[0];
  const auto services = upstream_services(*ruled, 4000);
  EXPECT_EQ(services.at(route_service_name(route)), 4000);
  EXPECT_EQ(services.at(edge_upstream_name(route)),
            std::stoi(route.upstream.substr(route.upstream.rfind(':') + 1)));
  // Without an edge Caddy the DNS table is the one of a table without rules.
  EXPECT_EQ(upstream_services(*ruled), upstream_services(*plain));

  const json edge = edge_caddy_config(*ruled, 4000, "127.0.0.1:53");
  EXPECT_EQ(edge["admin"], json::parse(R"({"disabled":true,"config":{"persist":false}})"));
  const json& server = edge["apps"]["http"]["servers"]["berth-edge"];
  EXPECT_EQ(server["listen"], json({"127.0.0.1:4000"}));
  EXPECT_EQ(server["routes"][0]["match"][0]["host"], json({kEdgeProbeHost}));
  EXPECT_EQ(server["routes"][1]["match"][0]["host"], json({route.host}));
  const json& proxy = server["routes"][1]["handle"].back();
  EXPECT_EQ(proxy["dynamic_upstreams"]["name"], edge_upstream_name(route) + ".");
  EXPECT_EQ(proxy["trusted_proxies"], json({"127.0.0.1/32"}));
  EXPECT_EQ(server["routes"].back()["handle"][0]["status_code"], 404);
}

// Domains without a front reload (plan_without_reload): which tables the front Caddy's config
// serves unchanged, and what the edge Caddy and the DNS table do for the difference.
json route_json(const std::string& host, int port, const std::string& tls = {}) {
  json route = {{"host", host}, {"upstream", "127.0.0.1:" + std::to_string(port)}};
  if (!tls.empty()) {
    route["tls"] = tls;
  }
  return route;
}

ProxyTable proxy_table(json routes, const std::string& tls = "acme") {
  auto table = parse_proxy_args(
      {{"http_port", 8080}, {"https_port", 8443}, {"tls", tls}, {"routes", std::move(routes)}});
  EXPECT_TRUE(table) << table.error().message;
  return table ? *table : ProxyTable{};
}

TEST(FrontPlan, NewAndRemovedHostsLeaveTheFrontConfigAlone) {
  const ProxyTable front = proxy_table({route_json("a.test", 5001), route_json("b.test", 5002),
                                        route_json("old.test", 5003, "off")});
  // a.test moves port and gets rules, b.test stays, old.test goes, two hosts come.
  json routes = {route_json("a.test", 6001), route_json("b.test", 5002),
                 route_json("new.test", 5004), route_json("plain.test", 5005, "off")};
  routes[0]["edge"] = {{"headers", {{"set", {{"X-A", "1"}}}}}};
  routes.push_back(route_json("new.test", 5006));
  routes.back()["path_prefix"] = "/api";
  const ProxyTable table = proxy_table(routes);
  const auto plan = plan_without_reload(front, table);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->pending_hosts, (std::set<std::string>{"new.test", "plain.test"}));
  EXPECT_EQ(plan->gone_services, (std::vector<std::string>{route_service_name(front.routes[2])}));
  EXPECT_EQ(tls_ask_names(table), (std::set<std::string>{"a.test", "b.test", "new.test"}));

  // The DNS table: the gone host and the catch-all answer with the edge Caddy's port.
  const auto services = upstream_services(table, 4000, *plan);
  EXPECT_EQ(services.at(route_service_name(front.routes[2])), 4000);
  EXPECT_EQ(services.at(kEdgeCatchAllName), 4000);
  EXPECT_EQ(services.at(route_service_name(table.routes[0])), 4000);  // rules
  EXPECT_EQ(services.at(route_service_name(table.routes[1])), 5002);
  EXPECT_EQ(services.at(edge_upstream_name(table.routes[2])), 5004);
  EXPECT_FALSE(upstream_services(table).contains(kEdgeCatchAllName));

  // The edge Caddy: a.test's rules, new.test's routes whole (the longer prefix first, an https
  // redirect on what the front says the scheme was), plain.test without TLS, 404 for the rest.
  const json edge = edge_caddy_config(table, 4000, "127.0.0.1:53", *plan);
  const json& server_routes = edge["apps"]["http"]["servers"]["berth-edge"]["routes"];
  std::vector<std::string> hosts;
  for (const auto& route : server_routes) {
    hosts.push_back(route.contains("match") ? route["match"][0]["host"][0].get<std::string>()
                                            : "*");
  }
  EXPECT_EQ(hosts, (std::vector<std::string>{kEdgeProbeHost, "a.test", "new.test", "new.test",
                                             "new.test", "new.test", "plain.test", "*"}));
  EXPECT_EQ(server_routes[2]["match"][0]["header"]["X-Forwarded-Proto"], json({"http"}));
  EXPECT_EQ(server_routes[2]["match"][0]["path"], json({"/api", "/api/*"}));
  EXPECT_EQ(server_routes[2]["handle"][1]["headers"]["Location"],
            json({"https://new.test:8443{http.request.uri}"}));
  EXPECT_EQ(server_routes[3]["handle"].back()["dynamic_upstreams"]["name"],
            edge_upstream_name(table.routes[4]) + ".");
  EXPECT_EQ(server_routes[6]["handle"].back()["dynamic_upstreams"]["name"],
            edge_upstream_name(table.routes[3]) + ".");
  EXPECT_EQ(server_routes.back()["handle"][0]["status_code"], 404);

  // Nothing to do: no edge Caddy.
  const auto same = plan_without_reload(front, front);
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->empty());
  EXPECT_TRUE(edge_caddy_config(front, 4000, "127.0.0.1:53", *same).is_null());
}

TEST(FrontPlan, ChangesTheFrontMustTakeReloadIt) {
  json base = {route_json("a.test", 5001), route_json("*.wild.test", 5002, "internal")};
  const ProxyTable front = proxy_table(base);
  const auto with = [&](const json& route) {
    json routes = base;
    routes.push_back(route);
    return proxy_table(routes);
  };
  json wild_prefix = route_json("*.wild.test", 5003, "internal");
  wild_prefix["path_prefix"] = "/api";
  json redirect = {{"host", "r.test"}, {"redirect_to", "https://a.test"}};
  json certificate = route_json("c.test", 5003, "custom");
  certificate["certificate"] = {{"chain", "-----BEGIN CERTIFICATE-----\n"},
                                {"key", "-----BEGIN PRIVATE KEY-----\n"}};
  for (const ProxyTable& table : {
           with(route_json("i.test", 5003, "internal")),   // internal: named in the front
           with(certificate),                              // custom: its certificate too
           with(route_json("x.wild.test", 5003, "off")),   // the front's wildcard takes it
           with(route_json("*.other.test", 5003, "off")),  // a wildcard
           with(wild_prefix),                              // a new prefix of a wildcard
       }) {
    EXPECT_FALSE(plan_without_reload(front, table)) << proxy_args_json(table).dump();
  }
  // Too many new hosts at once.
  json many = base;
  for (std::size_t i = 0; i <= kMaxPendingHosts; ++i) {
    many.push_back(route_json("n" + std::to_string(i) + ".test", 5003, "off"));
  }
  EXPECT_FALSE(plan_without_reload(front, proxy_table(many)));
  many.erase(many.end() - 1);
  EXPECT_TRUE(plan_without_reload(front, proxy_table(many)));
  // A changed route of a known host, other ports, other ACME settings.
  json changed = base;
  changed[0]["hsts"] = true;
  EXPECT_FALSE(plan_without_reload(front, proxy_table(changed)));
  ProxyTable ports = front;
  ports.https_port = 9443;
  EXPECT_FALSE(plan_without_reload(front, ports));
  ProxyTable acme = front;
  acme.acme.email = "ops@example.com";
  EXPECT_FALSE(plan_without_reload(front, acme));
  // A removed redirect would go on answering 308.
  const ProxyTable redirecting = with(redirect);
  EXPECT_FALSE(plan_without_reload(redirecting, front));
  EXPECT_TRUE(plan_without_reload(front, redirecting));  // a new one is the edge's
  // The front listens for HTTPS even with no TLS host, so a first acme host is the edge's too.
  const ProxyTable plain = proxy_table(json::array({route_json("a.test", 5001)}), "off");
  EXPECT_TRUE(plan_without_reload(
      plain, proxy_table({route_json("a.test", 5001), route_json("n.test", 5002, "acme")}, "off")));
  EXPECT_TRUE(plan_without_reload(
      plain, proxy_table({route_json("a.test", 5001), route_json("n.test", 5002)}, "off")));
}

// A host the front serves gets a path prefix, or loses one: the front keeps its routes, their
// SRV names point at the edge Caddy, and the edge holds the host's routes whole.
TEST(FrontPlan, APrefixAddedOrRemovedOnAServedHostIsTheEdgesToo) {
  const ProxyTable front =
      proxy_table({route_json("a.test", 5001), route_json("b.test", 5002, "off")});
  json api = route_json("a.test", 5003);
  api["path_prefix"] = "/api";
  const ProxyTable table =
      proxy_table({route_json("a.test", 5001), api, route_json("b.test", 5002, "off")});
  const auto plan = plan_without_reload(front, table);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->rerouted_hosts, (std::set<std::string>{"a.test"}));
  EXPECT_TRUE(plan->pending_hosts.empty());
  EXPECT_TRUE(plan->gone_services.empty());
  const auto services = upstream_services(table, 4000, *plan);
  EXPECT_EQ(services.at(route_service_name(table.routes[0])), 4000);  // a.test: to the edge
  EXPECT_EQ(services.at(edge_upstream_name(table.routes[0])), 5001);
  EXPECT_EQ(services.at(edge_upstream_name(table.routes[1])), 5003);  // a.test/api
  EXPECT_EQ(services.at(route_service_name(table.routes[2])), 5002);  // b.test: as it was
  const json edge = edge_caddy_config(table, 4000, "127.0.0.1:53", *plan);
  const json& routes = edge["apps"]["http"]["servers"]["berth-edge"]["routes"];
  // The probe; a.test/api and a.test, each after its http → https redirect; 404.
  ASSERT_EQ(routes.size(), 6U) << routes.dump();
  EXPECT_EQ(routes[2]["match"][0]["path"], json({"/api", "/api/*"}));
  EXPECT_EQ(routes[2]["handle"].back()["dynamic_upstreams"]["name"],
            edge_upstream_name(table.routes[1]) + ".");
  EXPECT_FALSE(routes[4]["match"][0].contains("path"));
  EXPECT_EQ(routes[4]["handle"].back()["dynamic_upstreams"]["name"],
            edge_upstream_name(table.routes[0]) + ".");

  // And back: the prefix's front route (there after a load) is pointed at the edge.
  const auto back = plan_without_reload(table, front);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->rerouted_hosts, (std::set<std::string>{"a.test"}));
  EXPECT_EQ(back->gone_services, (std::vector<std::string>{route_service_name(table.routes[1])}));
  EXPECT_EQ(upstream_services(front, 4000, *back).at(route_service_name(table.routes[1])), 4000);

  // Not when the front's own redirect or HSTS would have to go: a reload.
  json strict = route_json("a.test", 5001);
  strict["hsts"] = true;
  const ProxyTable hsts = proxy_table({strict, route_json("b.test", 5002, "off")});
  json strict_api = api;
  strict_api["hsts"] = true;
  EXPECT_FALSE(plan_without_reload(
      hsts, proxy_table({route_json("a.test", 5001), api, route_json("b.test", 5002, "off")})));
  EXPECT_TRUE(plan_without_reload(
      hsts, proxy_table({strict, strict_api, route_json("b.test", 5002, "off")})));
}

// What the front answers itself (a redirect, its http → https redirect, HSTS) is handed over
// with a marker instead of reloading it, where the agent has a handover directory.
TEST(FrontPlan, WhatTheFrontAnswersItselfIsHandedOverWithAMarker) {
  json redirect = {{"host", "r.test"}, {"redirect_to", "https://a.test"}};
  const ProxyTable front = proxy_table({route_json("a.test", 5001), redirect});
  const ProxyTable without_redirect = proxy_table(json::array({route_json("a.test", 5001)}));
  // A dropped redirect: the edge holds nothing for it (404).
  EXPECT_FALSE(plan_without_reload(front, without_redirect));
  auto plan = plan_without_reload(front, without_redirect, /*hand_over=*/true);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->handed_hosts, (std::set<std::string>{"r.test"}));
  EXPECT_TRUE(plan->edge_holds("r.test"));
  const json edge = edge_caddy_config(without_redirect, 4000, "127.0.0.1:53", *plan);
  const json& edge_routes = edge["apps"]["http"]["servers"]["berth-edge"]["routes"];
  ASSERT_EQ(edge_routes.size(), 2U) << edge_routes.dump();  // the probe, 404
  // HSTS and the http → https redirect turned on or off on a served host; a redirect aimed
  // elsewhere; a redirect made an app's domain again.
  json strict = route_json("a.test", 5001);
  strict["hsts"] = true;
  json plain = route_json("a.test", 5001);
  plain["https_redirect"] = false;
  json elsewhere = redirect;
  elsewhere["redirect_to"] = "https://b.test";
  for (const ProxyTable& table :
       {proxy_table({strict, redirect}), proxy_table({plain, redirect}),
        proxy_table({route_json("a.test", 5001), elsewhere}),
        proxy_table({route_json("a.test", 5001), route_json("r.test", 5002)})}) {
    plan = plan_without_reload(front, table, true);
    ASSERT_TRUE(plan) << proxy_args_json(table).dump();
    EXPECT_EQ(plan->handed_hosts.size(), 1U) << proxy_args_json(table).dump();
    EXPECT_TRUE(plan->pending_hosts.empty());
  }
  // Not a wildcard (no one name to mark), nor a TLS mode or certificate the front would change.
  const ProxyTable wild = proxy_table(json::array({route_json("*.w.test", 5001, "internal")}));
  json wild_strict = route_json("*.w.test", 5001, "internal");
  wild_strict["hsts"] = true;
  EXPECT_FALSE(plan_without_reload(wild, proxy_table(json::array({wild_strict})), true));
  EXPECT_FALSE(plan_without_reload(
      front, proxy_table({route_json("a.test", 5001, "internal"), redirect}), true));
  // TLS off and acme either way round: the front obtains (on demand) or keeps the certificate.
  const ProxyTable off = proxy_table({route_json("a.test", 5001, "off"), redirect});
  plan = plan_without_reload(front, off, true);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->handed_hosts, (std::set<std::string>{"a.test"}));
  EXPECT_TRUE(plan_without_reload(off, front, true));

  // The front's first route sends a marked host to the edge Caddy.
  const json config = caddy_config(front, "127.0.0.1:2019", "127.0.0.1:53", {}, "127.0.0.1:7000",
                                   "/var/lib/berth-agent/handover");
  const json& first = config["apps"]["http"]["servers"][kCaddyServer]["routes"][0];
  EXPECT_EQ(first["match"][0]["file"]["root"], "/var/lib/berth-agent/handover");
  EXPECT_EQ(first["match"][0]["file"]["try_files"], json({"/{http.request.host}.handed"}));
  EXPECT_EQ(first["handle"].back()["dynamic_upstreams"]["name"],
            std::string(kEdgeCatchAllName) + ".");
  EXPECT_EQ(handover_marker("r.test"), "r.test.handed");
  // Front routes differ only where the front config can.
  json moved = route_json("a.test", 6001);
  moved["edge"] = {{"headers", {{"set", {{"X-A", "1"}}}}}};
  EXPECT_FALSE(front_routes_differ(front, proxy_table({moved, redirect})));
  EXPECT_TRUE(front_routes_differ(front, proxy_table({strict, redirect})));
  EXPECT_TRUE(front_routes_differ(front, without_redirect));
}

TEST(FrontPlan, TheFrontConfigCatchesOtherHostsAndAsksBeforeOnDemandCertificates) {
  const ProxyTable table =
      proxy_table({route_json("a.test", 5001), route_json("i.test", 5002, "internal")});
  const json config = caddy_config(table, "127.0.0.1:2019", "127.0.0.1:53", {}, "127.0.0.1:7000");
  const json& routes = config["apps"]["http"]["servers"][kCaddyServer]["routes"];
  EXPECT_FALSE(routes.back().contains("match"));
  EXPECT_EQ(routes.back()["handle"].back()["dynamic_upstreams"]["name"],
            std::string(kEdgeCatchAllName) + ".");
  EXPECT_EQ(routes.back()["handle"].back()["load_balancing"]["try_duration"], kCatchAllTry);
  EXPECT_EQ(routes.back()["handle"].back()["load_balancing"]["try_interval"], kCatchAllRefresh);
  EXPECT_EQ(routes.back()["handle"].back()["dynamic_upstreams"]["refresh"], kCatchAllRefresh);
  const json& automation = config["apps"]["tls"]["automation"];
  EXPECT_EQ(automation["on_demand"]["ask"], "http://127.0.0.1:7000/berth/tls-ask");
  EXPECT_EQ(automation["policies"], json::parse(R"([
    {"subjects": ["i.test"], "issuers": [{"module": "internal"}]},
    {"subjects": ["a.test"]},
    {"on_demand": true}])"));
  // Without an ask address: the config of before (no catch-all, no on-demand).
  const json before = caddy_config(table, "127.0.0.1:2019", "127.0.0.1:53");
  EXPECT_EQ(before["apps"]["http"]["servers"][kCaddyServer]["routes"].size(), routes.size() - 1);
  EXPECT_FALSE(before["apps"]["tls"]["automation"].contains("on_demand"));
  // No TLS host yet: the catch-all, and the HTTPS listener with its on-demand policy already
  // there (TLS said outright, or Caddy would serve plain HTTP on it), so that a first acme
  // host needs no reload. Without an ask address (no agent to answer), no HTTPS at all.
  const ProxyTable off = proxy_table(json::array({route_json("a.test", 5001)}), "off");
  const json plain = caddy_config(off, "127.0.0.1:2019", "127.0.0.1:53", {}, "127.0.0.1:7000");
  const json& server = plain["apps"]["http"]["servers"][kCaddyServer];
  EXPECT_FALSE(server["routes"].back().contains("match"));
  EXPECT_EQ(server["listen"], json({":8080", ":8443"}));
  EXPECT_EQ(server["tls_connection_policies"], json::parse("[{}]"));
  EXPECT_EQ(server["automatic_https"]["skip"], json({"a.test"}));
  EXPECT_EQ(plain["apps"]["tls"]["automation"]["policies"],
            json::parse(R"([{"on_demand": true}])"));
  const json no_ask = caddy_config(off, "127.0.0.1:2019", "127.0.0.1:53");
  EXPECT_EQ(no_ask["apps"]["http"]["servers"][kCaddyServer]["listen"], json({":8080"}));
  EXPECT_FALSE(no_ask["apps"].contains("tls"));
}

// An agent starting with an edge.json it cannot use (damaged, or naming a process that is not
// its edge Caddy) starts without one instead of failing or signalling a stranger.
TEST(CaddyEdge, AnUnusableKeptEdgeIsIgnored) {
  for (const std::string kept :
       {"not json", R"({"pid":"1","port":1,"hash":"x"})", R"({"pid":1,"port":1,"hash":"x"})",
        R"({"pid":1,"port":99999,"hash":"x"})"}) {
    berth::testing::TempDir dir;
    std::ofstream(dir.path() / "edge.json") << kept;
    EdgeCaddy edge({.caddy_binary = {}, .dir = dir.path()});
    EXPECT_EQ(edge.port(), 0) << kept;
    EXPECT_FALSE(edge.alive()) << kept;
  }
}

TEST(CaddyEdge, AMaintenanceMessageIsTheBody) {
  json edge = {{"maintenance", {{"enabled", true}, {"message", "Back at 14:00 — merci"}}}};
  auto table = parse_proxy_args(table_with(edge));
  ASSERT_TRUE(table);
  const json handlers = edge_handlers(table->routes[0].edge);
  ASSERT_EQ(handlers.size(), 1u);
  EXPECT_EQ(handlers[0]["body"], "Back at 14:00 — merci\n");
  EXPECT_EQ(handlers[0]["headers"]["Retry-After"], json({"300"}));
}

TEST(CaddyEdge, TheContentLengthPatternMatchesExactlyTheLargerNumbers) {
  for (const std::int64_t limit : std::vector<std::int64_t>{1, 9, 10, 99, 100, 1000, 1048576, 4096,
                                                            909, edge::kMaxBodyBytes}) {
    const std::regex larger(greater_than_pattern(limit));
    for (const std::int64_t n : std::vector<std::int64_t>{
             0, 1, limit - 1, limit, limit + 1, limit * 10, limit + 9, limit / 10 * 10 + 10}) {
      if (n < 0) {
        continue;
      }
      EXPECT_EQ(std::regex_match(std::to_string(n), larger), n > limit)
          << "limit " << limit << ", n " << n << ", " << greater_than_pattern(limit);
      EXPECT_EQ(std::regex_match("00" + std::to_string(n), larger), n > limit);
    }
    EXPECT_FALSE(std::regex_match("", larger));
    EXPECT_FALSE(std::regex_match("1 ", larger));
  }
  // Every number up to 2100 against a few limits.
  for (const std::int64_t limit : std::vector<std::int64_t>{7, 19, 200, 1999}) {
    const std::regex larger(greater_than_pattern(limit));
    for (std::int64_t n = 0; n <= 2100; ++n) {
      ASSERT_EQ(std::regex_match(std::to_string(n), larger), n > limit) << limit << " " << n;
    }
  }
}

}  // namespace
}  // namespace berth::agent::host
