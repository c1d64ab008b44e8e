// The proxy route table a server's agent applies.
#include "domain/routing/route_table.hpp"

#include <gtest/gtest.h>

#include "deploy/deploy_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class RouteTableTest : public DeployTest {
 protected:
  json table(const std::optional<RouteChange>& change = std::nullopt) {
    auto args =
        read_value<json>(*store_, [&](Tx& tx) { return proxy_apply_args(tx, server_.id, change); });
    EXPECT_TRUE(args);
    return args ? *args : json();
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
}

}  // namespace
}  // namespace berth::testing
