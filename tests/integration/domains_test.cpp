// Domains through the API of a real berthd with real agents: a hostname another team holds is
// 409 without saying who, hostile values are 400 naming the field, a custom certificate is
// for admins and its key never comes back, and a server's public addresses are an admin's.
#include <gtest/gtest.h>

#include "integration/fleet_fixture.hpp"
#include "integration/identity_client.hpp"
#include "support/pem_certificate.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class DomainsApiTest : public FleetTest {
 protected:
  void SetUp() override {
    start_fleet();
    server_id_ = connect_agent("agent-1");
    app_id_ = create_app(api_key_, server_id_, "web");
  }

  std::string create_app(const std::string& key, const std::string& server,
                         const std::string& name) {
    const HttpResponse made = api_with(key, "POST", "/api/v1/apps",
                                       {{"name", name},
                                        {"server_id", server},
                                        {"source", {{"type", "image"}, {"image", "nginx:1.27"}}},
                                        {"settings", {{"port", 80}}}});
    EXPECT_EQ(made.status, 201) << made.body;
    return made.json().value("id", "");
  }

  // Another team with its own owner key and server; the key.
  std::string other_team() {
    IdentityClient session(port());
    EXPECT_EQ(session.login("admin@example.com", "a long admin password 1").status, 200);
    const HttpResponse team = session.post("/api/v1/teams", {{"name", "other"}});
    EXPECT_EQ(team.status, 201) << team.body;
    const HttpResponse key =
        session.post("/api/v1/api-keys", {{"name", "other"}, {"role", "owner"}}, true,
                     {{"X-Team-ID", team.json().value("id", "")}});
    EXPECT_EQ(key.status, 201) << key.body;
    const std::string other_key = key.json().value("raw_key", "");
    // connect_agent enrols with api_key_'s team: lend it the other team's key.
    const std::string own = std::exchange(api_key_, other_key);
    other_server_ = connect_agent("agent-2");
    api_key_ = own;
    return other_key;
  }

  std::string server_id_;
  std::string other_server_;
  std::string app_id_;
};

TEST_F(DomainsApiTest, AHostnameOfAnotherTeamIsTakenWithoutSayingWhoHasIt) {
  const HttpResponse added =
      api("POST", "/api/v1/apps/" + app_id_ + "/domains", {{"hostname", "Shop.Example.test"}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json()["hostname"], "shop.example.test");
  EXPECT_EQ(added.json()["dns"]["status"], "pending_dns");

  const std::string other_key = other_team();
  const std::string other_app = create_app(other_key, other_server_, "web");
  for (const json& body : {json{{"hostname", "shop.example.test"}},
                           json{{"hostname", "SHOP.example.test."}, {"path_prefix", "/x"}}}) {
    const HttpResponse taken =
        api_with(other_key, "POST", "/api/v1/apps/" + other_app + "/domains", body);
    EXPECT_EQ(taken.status, 409) << taken.body;
    EXPECT_EQ(taken.json()["error"]["code"], "hostname_taken");
    EXPECT_EQ(taken.body.find(app_id_), std::string::npos) << taken.body;
    EXPECT_EQ(taken.body.find("web"), std::string::npos) << taken.body;
    EXPECT_EQ(taken.body.find(server_id_), std::string::npos) << taken.body;
  }
  const HttpResponse by_hostname = api_with(other_key, "PATCH", "/api/v1/apps/" + other_app,
                                            {{"hostname", "shop.example.test"}});
  EXPECT_EQ(by_hostname.status, 409) << by_hostname.body;
  EXPECT_EQ(by_hostname.json()["error"]["code"], "hostname_taken");
  // Nor may the other team see or touch the domain.
  const std::string id = added.json()["id"];
  EXPECT_EQ(api_with(other_key, "GET", "/api/v1/domains/" + id).status, 404);
  EXPECT_EQ(api_with(other_key, "DELETE", "/api/v1/domains/" + id).status, 404);
  EXPECT_EQ(api_with(other_key, "GET", "/api/v1/domains").json()["data"].size(), 1U);  // its own
}

TEST_F(DomainsApiTest, HostileValuesAreRefusedNamingTheField) {
  const std::string target = "/api/v1/apps/" + app_id_ + "/domains";
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {{{"hostname", "shop.example.test\r\nX-Evil: 1"}}, "hostname"},
           {{{"hostname", "{env.HOME}.example.test"}}, "hostname"},
           {{{"hostname", "{file./etc/passwd}"}}, "hostname"},
           {{{"hostname", std::string("a\0b.example.test", 16)}}, "hostname"},
           {{{"hostname", std::string(300, 'a') + ".test"}}, "hostname"},
           {{{"hostname", "localhost"}}, "hostname"},
           {{{"hostname", "a.example.test"}, {"path_prefix", "/../admin"}}, "path_prefix"},
           {{{"hostname", "a.example.test"}, {"path_prefix", "/{env.SECRET}"}}, "path_prefix"},
           {{{"hostname", "a.example.test"}, {"path_prefix", "/a\r\nb"}}, "path_prefix"},
           {{{"hostname", "a.example.test"}, {"tls", "sometimes"}}, "tls"},
           {{{"hostname", "*.example.test"}, {"tls", "acme"}}, "tls"},
           {{{"hostname", "a.example.test"}, {"redirect_to", "https://evil.test"}}, "redirect_to"},
       }) {
    const HttpResponse refused = api("POST", target, body);
    EXPECT_EQ(refused.status, 400) << body << refused.body;
    EXPECT_EQ(refused.json()["error"]["details"]["field"], field) << body << refused.body;
  }
  // Unicode becomes its A-label form.
  const HttpResponse idn = api("POST", target, {{"hostname", "bücher.example.test"}});
  ASSERT_EQ(idn.status, 201) << idn.body;
  EXPECT_EQ(idn.json()["hostname"], "xn--bcher-kva.example.test");
}

TEST_F(DomainsApiTest, ACustomCertificateIsForAdminsAndItsKeyNeverComesBack) {
  const auto ca = make_test_ca();
  const auto leaf = make_test_leaf(ca, {.dns_names = {"secure.example.test"}});
  const json body = {{"hostname", "secure.example.test"},
                     {"certificate", {{"chain", leaf.chain}, {"key", leaf.key}}}};
  const std::string target = "/api/v1/apps/" + app_id_ + "/domains";
  const HttpResponse by_member = api_with(key_with_role("member"), "POST", target, body);
  EXPECT_EQ(by_member.status, 403) << by_member.body;
  EXPECT_EQ(by_member.json()["error"]["code"], "admin_required");

  const HttpResponse added = api_with(key_with_role("admin"), "POST", target, body);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json()["tls"], "custom");
  EXPECT_EQ(added.json()["certificate"]["sans"], json({"secure.example.test"}));
  EXPECT_EQ(added.json()["certificate"]["issuer"], "CN=berth test CA");
  const std::string id = added.json()["id"];
  for (const auto& read :
       {api("GET", "/api/v1/domains/" + id), api("GET", target),
        api("GET", "/api/v1/domains?q=secure"), api("GET", "/api/v1/audit-log")}) {
    EXPECT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.body.find("PRIVATE KEY"), std::string::npos) << read.body;
  }
  const auto expired = make_test_leaf(
      ca, {.dns_names = {"old.example.test"}, .not_before_s = -7200, .not_after_s = -3600});
  const HttpResponse old = api("POST", target,
                               {{"hostname", "old.example.test"},
                                {"certificate", {{"chain", expired.chain}, {"key", expired.key}}}});
  EXPECT_EQ(old.status, 400) << old.body;
  EXPECT_EQ(old.json()["error"]["details"]["field"], "certificate.chain");
}

TEST_F(DomainsApiTest, ListsFilterAndTheChecksUseTheServersAddresses) {
  const HttpResponse added = api("POST", "/api/v1/apps/" + app_id_ + "/domains",
                                 {{"hostname", "localhost.localdomain.test"}});
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string id = added.json()["id"];
  // The agent reports its addresses; an admin may state the public ones instead.
  const json server = api("GET", "/api/v1/servers/" + server_id_).json();
  EXPECT_TRUE(server["facts"]["addresses"].is_array()) << server;
  const HttpResponse stated = api("PUT", "/api/v1/servers/" + server_id_ + "/proxy",
                                  {{"http_port", 80},
                                   {"https_port", 443},
                                   {"tls", "off"},
                                   {"public_addresses", {"2001:DB8::7", "203.0.113.7"}}});
  ASSERT_EQ(stated.status, 200) << stated.body;
  EXPECT_EQ(stated.json()["public_addresses"], json({"2001:db8::7", "203.0.113.7"}));
  EXPECT_EQ(api_with(key_with_role("member"), "PUT", "/api/v1/servers/" + server_id_ + "/proxy",
                     {{"http_port", 80}, {"https_port", 443}, {"tls", "off"}})
                .status,
            403);
  EXPECT_EQ(api("PUT", "/api/v1/servers/" + server_id_ + "/proxy",
                {{"http_port", 80},
                 {"https_port", 443},
                 {"tls", "off"},
                 {"public_addresses", {"not an address"}}})
                .status,
            400);
  const HttpResponse checked = api("POST", "/api/v1/domains/" + id + "/check");
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_FALSE(checked.json()["dns"]["checked_at"].is_null());
  EXPECT_EQ(checked.json()["dns"]["status"], "pending_dns");  // .test names resolve nowhere

  const json all = api("GET", "/api/v1/domains").json();
  EXPECT_EQ(all["total"], 2);  // the app's primary domain and this one
  const json mine =
      api("GET", "/api/v1/domains?app_id=" + app_id_ + "&dns=pending_dns&q=localdomain").json();
  ASSERT_EQ(mine["data"].size(), 1U) << mine;
  EXPECT_EQ(mine["data"][0]["id"], id);
  EXPECT_EQ(api("GET", "/api/v1/domains?dns=maybe").status, 400);
  const json app_domains = api("GET", "/api/v1/apps/" + app_id_ + "/domains").json();
  EXPECT_EQ(app_domains["total"], 2);
  const HttpResponse primary_delete =
      api("DELETE", "/api/v1/domains/" + app_domains["data"][0]["id"].get<std::string>());
  const HttpResponse other_delete =
      api("DELETE", "/api/v1/domains/" + app_domains["data"][1]["id"].get<std::string>());
  // One of the two is the primary (409 domain_primary), the other goes.
  EXPECT_EQ(primary_delete.status + other_delete.status, 409 + 204)
      << primary_delete.body << other_delete.body;
  EXPECT_EQ(api("GET", "/api/v1/audit-log?action=domain.create").json()["total"], 1);
}

TEST_F(DomainsApiTest, AServersAcmeSettingsAreAnAdminsAndCheckedAtTheBoundary) {
  const std::string path = "/api/v1/servers/" + server_id_ + "/proxy";
  const std::string root = make_test_ca().chain;
  const json base = {{"http_port", 80}, {"https_port", 443}, {"tls", "acme"}};
  json settings = base;
  settings["acme_ca"] = "https://ca.internal.test:9000/acme/acme/directory";
  settings["acme_ca_root"] = root;
  settings["acme_email"] = "ops@example.test";
  const HttpResponse put = api("PUT", path, settings);
  ASSERT_EQ(put.status, 200) << put.body;
  const json shown = api("GET", path).json();
  EXPECT_EQ(shown["acme_ca"], "https://ca.internal.test:9000/acme/acme/directory");
  EXPECT_EQ(shown["acme_ca_root"], root);
  EXPECT_EQ(shown["acme_email"], "ops@example.test");
  // What GET answered goes back through PUT unchanged.
  json again = shown;
  again.erase("server_id");
  if (again["base_domain"].is_null()) {
    again.erase("base_domain");
  }
  const HttpResponse round_trip = api("PUT", path, again);
  ASSERT_EQ(round_trip.status, 200) << round_trip.body;
  EXPECT_EQ(round_trip.json(), shown);
  EXPECT_EQ(api_with(key_with_role("member"), "PUT", path, settings).status, 403);

  // Hostile or malformed values: 400 naming the field, and nothing stored.
  const auto refused = [&](const char* field, const json& value) {
    json body = settings;
    body[field] = value;
    const HttpResponse answer = api("PUT", path, body);
    EXPECT_EQ(answer.status, 400) << field << " " << value.dump() << " " << answer.body;
    return answer.json()["error"]["details"].value("field", "");
  };
  EXPECT_EQ(refused("acme_ca", "http://ca.internal.test/directory"), "acme_ca");
  EXPECT_EQ(refused("acme_ca", "https://ca.test/{env.HOME}"), "acme_ca");
  EXPECT_EQ(refused("acme_ca", "https://ca.test/\r\nX-Injected: 1"), "acme_ca");
  EXPECT_EQ(refused("acme_ca", "https://ca.test/" + std::string(600, 'a')), "acme_ca");
  EXPECT_EQ(
      refused("acme_ca_root", "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"),
      "acme_ca_root");
  EXPECT_EQ(refused("acme_ca_root", root + "{file./etc/passwd}"), "acme_ca_root");
  EXPECT_EQ(refused("acme_email", "not an email"), "acme_email");
  EXPECT_EQ(refused("acme_email", "{env.X}@example.test"), "acme_email");
  json root_alone = base;
  root_alone["acme_ca_root"] = root;
  const HttpResponse lone = api("PUT", path, root_alone);
  EXPECT_EQ(lone.status, 400) << lone.body;
  EXPECT_EQ(lone.json()["error"]["details"]["field"], "acme_ca_root");
  EXPECT_EQ(api("GET", path).json(), shown);

  // Absent: Caddy's defaults again.
  const HttpResponse cleared = api("PUT", path, base);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.json()["acme_ca"], "");
  EXPECT_EQ(cleared.json()["acme_ca_root"], "");
  EXPECT_EQ(cleared.json()["acme_email"], "");
}

// berthd's own hostname (an https --public-url, routed to berthd by the proxy of its machine:
// docs/install.md) is no app's: neither a domain nor an app's hostname may take it, and the
// domains API does not show the panel's route.
class PanelHostnameTest : public FleetTest {};

TEST_F(PanelHostnameTest, ThePanelsHostnameIsTakenForEveryApp) {
  start_fleet({.args = {"--public-url", "https://panel.example.test"}});
  // A Caddy admin address where nothing listens: the panel's route is applied to this agent.
  const std::string server = connect_agent("agent-1", {}, {"--caddy-admin", "127.0.0.1:1"});
  const HttpResponse made = api("POST", "/api/v1/apps",
                                {{"name", "web"},
                                 {"server_id", server},
                                 {"source", {{"type", "image"}, {"image", "nginx:1.27"}}},
                                 {"settings", {{"port", 80}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string app = made.json().value("id", "");
  for (const std::string hostname : {"panel.example.test", "PANEL.example.test."}) {
    const HttpResponse taken =
        api("POST", "/api/v1/apps/" + app + "/domains", {{"hostname", hostname}});
    EXPECT_EQ(taken.status, 409) << taken.body;
    EXPECT_EQ(taken.json()["error"]["code"], "hostname_taken") << taken.body;
  }
  const HttpResponse renamed =
      api("PATCH", "/api/v1/apps/" + app, {{"hostname", "panel.example.test"}});
  EXPECT_EQ(renamed.status, 409) << renamed.body;
  EXPECT_EQ(renamed.json()["error"]["code"], "hostname_taken") << renamed.body;
  const HttpResponse other =
      api("POST", "/api/v1/apps/" + app + "/domains", {{"hostname", "www.panel.example.test"}});
  EXPECT_EQ(other.status, 201) << other.body;
  const json listed = api("GET", "/api/v1/domains").json();
  EXPECT_EQ(listed.dump().find("\"panel.example.test\""), std::string::npos) << listed;
}

}  // namespace
}  // namespace berth::testing
