// berthd's own domain as a system route (issue 17): made from the public URL, placed on the
// server whose agent runs on berthd's machine, in every table applied to that server, and a
// hostname no app may take.
#include "domain/routing/panel_route.hpp"

#include <gtest/gtest.h>

#include "deploy/deploy_fixture.hpp"
#include "domain/domains/hostname_claims.hpp"
#include "domain/routing/route_table.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(PanelRouteRules, AnHttpsPublicUrlWithADnsNameOnALoopbackBerthdGivesTheRoute) {
  const auto route = make_panel_route("https://Panel.Example.com", "127.0.0.1", 8080);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->host, "panel.example.com");
  EXPECT_EQ(route->upstream, "127.0.0.1:8080");
  EXPECT_EQ(route->server_id, "");
  EXPECT_EQ(
      panel_route_entry(*route),
      json::parse(R"({"host":"panel.example.com","upstream":"127.0.0.1:8080","tls":"acme"})"));
  // A wildcard listen address includes loopback; a port in the URL does not change the host.
  EXPECT_TRUE(make_panel_route("https://panel.example.com:443/", "0.0.0.0", 8080));
  EXPECT_EQ(make_panel_route("https://user@panel.example.com:8443", "::", 1)->host,
            "panel.example.com");
}

TEST(PanelRouteRules, NoRouteForPlainHttpAnAddressOrAnUnreachableUpstream) {
  for (const auto& [url, listen] : std::vector<std::pair<std::string, std::string>>{
           {"http://panel.example.com", "127.0.0.1"},
           {"https://203.0.113.7", "127.0.0.1"},
           {"https://[2001:db8::1]", "127.0.0.1"},
           {"https://localhost", "127.0.0.1"},
           {"https://*.example.com", "127.0.0.1"},
           {"https://panel.example.com", "10.0.0.5"},  // Caddy's upstreams are 127.0.0.1 only
       }) {
    std::string why;
    EXPECT_FALSE(make_panel_route(url, listen, 8080, &why)) << url << " " << listen;
    EXPECT_FALSE(why.empty()) << url;
  }
  EXPECT_EQ(panel_hostname("http://127.0.0.1:8080"), "");
  EXPECT_EQ(panel_hostname("http://Panel.Example.com:8080/x"), "panel.example.com");
}

ServerRecord server_at(const std::string& id, const std::string& hostname, int minute) {
  ServerRecord server{.id = id, .facts = {{"hostname", hostname}}};
  server.created_at = TimePoint{} + std::chrono::minutes(minute);
  return server;
}

TEST(PanelRouteRules, TheLocalAgentsServerOrElseTheEarliestOnThisMachineCarriesIt) {
  const std::vector<ServerRecord> servers = {server_at("srv_c", "vps", 3),
                                             server_at("srv_a", "elsewhere", 1),
                                             server_at("srv_b", "vps", 2)};
  EXPECT_EQ(panel_server_of(servers, "", "vps"), "srv_b");
  EXPECT_EQ(panel_server_of(servers, "srv_c", "vps"), "srv_c");
  EXPECT_EQ(panel_server_of(servers, "srv_gone", "vps"), "srv_b");
  EXPECT_EQ(panel_server_of(servers, "", "other"), "");
  EXPECT_EQ(panel_server_of(servers, "", ""), "");
}

class PanelRouteTest : public DeployTest {
 protected:
  json table(const std::string& server_id, const PanelRoute* panel) {
    auto args = read_value<json>(*store_, [&](Tx& tx) {
      return proxy_apply_args(tx, server_id, std::nullopt, &services_.master_key, panel);
    });
    EXPECT_TRUE(args);
    return args ? *args : json();
  }

  void set_online(const std::string& hostname) {
    server_.status = "online";
    server_.facts = {{"hostname", hostname}};
    server_.connected_at = clock_.now();
    ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_server(server_); }));
  }
};

TEST_F(PanelRouteTest, EveryTableOfItsServerHasTheRouteBesideTheApps) {
  AppRecord web = add_app("web", {{"type", "image"}, {"image", "nginx"}});
  serve(web, 32001);
  const PanelRoute panel{
      .host = "panel.example.com", .upstream = "127.0.0.1:8080", .server_id = server_.id};
  EXPECT_EQ(table(server_.id, &panel)["routes"], json::parse(R"([
      {"host":"panel.example.com","upstream":"127.0.0.1:8080","tls":"acme"},
      {"host":"web.test","upstream":"127.0.0.1:32001"}])"));
  const PanelRoute elsewhere{
      .host = "panel.example.com", .upstream = "127.0.0.1:8080", .server_id = "srv_other"};
  EXPECT_EQ(table(server_.id, &elsewhere)["routes"].size(), 1U);
  EXPECT_EQ(table(server_.id, nullptr)["routes"].size(), 1U);
}

TEST_F(PanelRouteTest, NoAppMayTakeThePanelsHostname) {
  AppRecord web = add_app("web", {{"type", "image"}, {"image", "nginx"}});
  const auto taken = read_value<bool>(*store_, [&](Tx& tx) -> Result<bool> {
    auto available = hostname_available(tx, web, "panel.example.com", "", "", "panel.example.com");
    if (available) {
      return false;
    }
    EXPECT_EQ(available.error().code, "hostname_taken");
    return true;
  });
  ASSERT_TRUE(taken);
  EXPECT_TRUE(*taken);
  const auto other = read_value<bool>(*store_, [&](Tx& tx) -> Result<bool> {
    return hostname_available(tx, web, "shop.example.com", "", "", "panel.example.com").has_value();
  });
  EXPECT_TRUE(other && *other);
}

TEST_F(PanelRouteTest, TheWatchPlacesTheRouteWhenTheServerConnectsAndAgainAfterAReconnect) {
  std::vector<PanelRoute> placed;
  PanelRouteWatch watch(
      *store_, PanelRoute{.host = "panel.example.com", .upstream = "127.0.0.1:8080"}, "vps",
      [] { return std::string(); }, [&](const PanelRoute& route) { placed.push_back(route); });
  watch.tick();
  EXPECT_TRUE(placed.empty());  // not connected: nowhere to place it yet
  set_online("vps");
  watch.tick();
  watch.tick();
  ASSERT_EQ(placed.size(), 1U);
  EXPECT_EQ(placed[0].server_id, server_.id);
  EXPECT_EQ(placed[0].host, "panel.example.com");
  clock_.advance(5s);
  set_online("vps");  // the agent reconnected: its Caddy may have lost the table
  watch.tick();
  EXPECT_EQ(placed.size(), 2U);
}

}  // namespace
}  // namespace berth::testing
