// The proxy route table a server's agent applies.
#include "domain/routing/route_table.hpp"

#include <gtest/gtest.h>

#include "deploy/deploy_fixture.hpp"
#include "domain/fleet/job_service.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class RouteTableTest : public DeployTest {
 protected:
  json table(const std::optional<RouteChange>& change = std::nullopt) {
    auto args = read_value<json>(*store_, [&](Tx& tx) {
      return proxy_apply_args(tx, server_.id, change, &services_.master_key);
    });
    EXPECT_TRUE(args);
    return args ? *args : json();
  }

  DomainRecord add_domain(const AppRecord& app, const std::string& hostname,
                          DomainRecord fields = {}) {
    fields.id = ids_.next("dom");
    fields.team_id = app.team_id;
    fields.app_id = app.id;
    fields.hostname = hostname;
    fields.created_at = clock_.now();
    fields.updated_at = clock_.now();
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.create_domain(fields); }));
    return fields;
  }
};

TEST_F(RouteTableTest, ServingAppsAreRoutedInHostnameOrderWithDefaultSettings) {
  AppRecord web = add_app("web", {{"type", "image"}, {"image", "nginx"}});
  AppRecord api = add_app("api", {{"type", "image"}, {"image", "nginx"}});
  add_app("idle", {{"type", "image"}, {"image", "nginx"}});  // never deployed: no route
  serve(web, 32001);
  serve(api, 32002);
  const json got = table();
  EXPECT_EQ(got["http_port"], 80);
  EXPECT_EQ(got["tls"], "off");
  EXPECT_EQ(got["routes"], json::parse(R"([{"host":"api.test","upstream":"127.0.0.1:32002"},
                                            {"host":"web.test","upstream":"127.0.0.1:32001"}])"));
}

TEST_F(RouteTableTest, AChangeSwitchesOrRemovesOneAppAndStoppedAppsAreLeftOut) {
  AppRecord web = add_app("web", {{"type", "image"}, {"image", "nginx"}});
  AppRecord api = add_app("api", {{"type", "image"}, {"image", "nginx"}});
  serve(web, 32001);
  serve(api, 32002);
  EXPECT_EQ(table(RouteChange{.app_id = web.id,
                              .hostname = "web.test",
                              .upstream_port = 32009})["routes"][1]["upstream"],
            "127.0.0.1:32009");
  EXPECT_EQ(
      table(RouteChange{.app_id = web.id, .hostname = "web.test", .upstream_port = 0})["routes"]
          .size(),
      1U);
  api.status = "stopped";
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(api); }));
  EXPECT_EQ(table()["routes"].size(), 1U);
}

TEST_F(RouteTableTest, StoredProxySettingsAreUsed) {
  ASSERT_TRUE(store_->write([&](Tx& tx) {
    return tx.put_proxy_settings(ProxySettingsRecord{.server_id = server_.id,
                                                     .base_domain = "apps.example",
                                                     .http_port = 8081,
                                                     .https_port = 8443,
                                                     .tls = "internal"});
  }));
  const json got = table();
  EXPECT_EQ(got["http_port"], 8081);
  EXPECT_EQ(got["https_port"], 8443);
  EXPECT_EQ(got["tls"], "internal");
  EXPECT_FALSE(got.contains("acme"));  // Caddy's defaults: the table is as before
}

TEST_F(RouteTableTest, TheServersAcmeSettingsRideAlongWhenSet) {
  ProxySettingsRecord settings{.server_id = server_.id, .tls = "acme"};
  settings.acme_ca = "https://ca.internal:9000/acme/acme/directory";
  settings.acme_ca_root = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  settings.acme_email = "ops@example.test";
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.put_proxy_settings(settings); }));
  EXPECT_EQ(table()["acme"], (json{{"ca", settings.acme_ca},
                                   {"ca_root", settings.acme_ca_root},
                                   {"email", settings.acme_email}}));
  settings.acme_ca = settings.acme_ca_root = "";
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.put_proxy_settings(settings); }));
  EXPECT_EQ(table()["acme"], (json{{"ca", ""}, {"ca_root", ""}, {"email", "ops@example.test"}}));
}

TEST_F(RouteTableTest, AnAppsEdgeRulesRideOnItsRouteAndTheirHashesAreNotShown) {
  AppRecord web = add_app("web", {{"type", "image"}, {"image", "nginx"}});
  AppRecord api = add_app("api", {{"type", "image"}, {"image", "nginx"}});
  serve(web, 32001);
  serve(api, 32002);
  const std::string hash = "$2b$04$abcdefghijklmnopqrstuu5Rr0JbGmIAhZpYqW3pnkmMhxmQeBKCm";
  const json rules = {
      {"allow_ips", {"10.0.0.0/8"}},
      {"basic_auth", {{"users", {{{"username", "ops"}, {"password_hash", hash}}}}}}};
  ASSERT_TRUE(store_->write([&](Tx& tx) {
    return tx.put_app_edge({.app_id = web.id, .rules = rules, .updated_at = clock_.now()});
  }));
  // Rules that change nothing put no `edge` on the route.
  ASSERT_TRUE(store_->write([&](Tx& tx) {
    return tx.put_app_edge({.app_id = api.id,
                            .rules = {{"maintenance", {{"enabled", false}}}},
                            .updated_at = clock_.now()});
  }));
  json got = table();
  EXPECT_FALSE(got["routes"][0].contains("edge"));  // api.test
  const json edge = got["routes"][1]["edge"];
  EXPECT_EQ(edge["allow_ips"], json({"10.0.0.0/8"}));
  EXPECT_EQ(edge["basic_auth"]["users"][0]["password_hash"], hash);
  EXPECT_EQ(edge["maintenance"]["enabled"], false);
  // A deployment switching the app keeps its rules on the new upstream.
  got = table(RouteChange{.app_id = web.id, .hostname = "web.test", .upstream_port = 32009});
  EXPECT_EQ(got["routes"][1]["upstream"], "127.0.0.1:32009");
  EXPECT_EQ(got["routes"][1]["edge"], edge);
  // What users see of the job's arguments.
  const json shown = job_args_summary(got);
  EXPECT_EQ(shown["routes"][1]["edge"]["basic_auth"]["users"][0]["password_hash"], "***");
  EXPECT_EQ(shown["routes"][1]["edge"]["allow_ips"], json({"10.0.0.0/8"}));
  EXPECT_EQ(shown.dump().find("$2b$"), std::string::npos);
}

TEST_F(RouteTableTest, EachDomainIsARouteWithWhatDiffersFromTheDefaults) {
  AppRecord web = add_app("web", {{"type", "image"}, {"image", "nginx"}});
  AppRecord api = add_app("api", {{"type", "image"}, {"image", "nginx"}});
  const DomainRecord primary = add_domain(web, "shop.test", {.is_primary = true, .hsts = true});
  add_domain(web, "www.shop.test", {.redirect_to = primary.id});
  add_domain(web, "*.preview.test", {.tls = "internal", .https_redirect = false});
  add_domain(api, "shop.test", {.path_prefix = "/api"});
  ASSERT_TRUE(store_->write([&](Tx& tx) {
    return tx.put_proxy_settings({.server_id = server_.id, .https_port = 8443, .tls = "acme"});
  }));
  serve(web, 32001);
  serve(api, 32002);
  EXPECT_EQ(table()["routes"], json::parse(R"([
    {"host":"*.preview.test","upstream":"127.0.0.1:32001","tls":"internal","https_redirect":false},
    {"host":"shop.test","upstream":"127.0.0.1:32001","hsts":true},
    {"host":"shop.test","upstream":"127.0.0.1:32002","path_prefix":"/api"},
    {"host":"www.shop.test","redirect_to":"https://shop.test:8443"}])"));
  // A switch moves every domain of the app; the other app's prefix stays.
  const json switched =
      table(RouteChange{.app_id = web.id, .hostname = web.hostname, .upstream_port = 32009});
  EXPECT_EQ(switched["routes"][0]["upstream"], "127.0.0.1:32009");
  EXPECT_EQ(switched["routes"][1]["upstream"], "127.0.0.1:32009");
  EXPECT_EQ(switched["routes"][2]["upstream"], "127.0.0.1:32002");
  EXPECT_EQ(table(RouteChange{.app_id = web.id, .hostname = {}, .upstream_port = 0})["routes"],
            json::parse(R"([{"host":"shop.test","upstream":"127.0.0.1:32002",
                             "path_prefix":"/api"}])"));
}

TEST_F(RouteTableTest, ACustomCertificateTravelsWithItsKeyOpenedAndTheShownArgsHideIt) {
  AppRecord web = add_app("web", {{"type", "image"}, {"image", "nginx"}});
  DomainRecord custom{.tls = "custom", .cert_chain = "-----BEGIN CERTIFICATE-----\n"};
  custom.cert_key_sealed = crypto::seal(services_.master_key, random_, "-----BEGIN PRIVATE KEY");
  add_domain(web, "secure.test", custom);
  serve(web, 32001);
  const json got = table();
  const json route = got["routes"][0];
  EXPECT_EQ(route["tls"], "custom");
  EXPECT_EQ(route["certificate"]["key"], "-----BEGIN PRIVATE KEY");
  EXPECT_EQ(job_args_summary(got)["routes"][0]["certificate"],
            json({{"chain", "-----BEGIN CERTIFICATE-----\n"}, {"key", "***"}}));
  // Without the master key the domain is left out rather than sent without its key.
  auto keyless = read_value<json>(
      *store_, [&](Tx& tx) { return proxy_apply_args(tx, server_.id, std::nullopt, nullptr); });
  ASSERT_TRUE(keyless);
  EXPECT_TRUE((*keyless)["routes"].empty());
}

}  // namespace
}  // namespace berth::testing
