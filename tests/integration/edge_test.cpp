// GET/PUT /api/v1/apps/{id}/edge through the real berthd: roles, 400s naming the field for
// hostile values, passwords that never come back, and the audit entry.
#include <gtest/gtest.h>

#include "integration/fleet_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class EdgeApiTest : public FleetTest {
 protected:
  void SetUp() override {
    start_fleet();
    server_id_ = connect_agent("agent-1");
    member_ = key_with_role("member");
    viewer_ = key_with_role("viewer");
    const HttpResponse created = api("POST", "/api/v1/apps",
                                     {{"name", "web"},
                                      {"server_id", server_id_},
                                      {"source", {{"type", "image"}, {"image", "nginx:1.27"}}},
                                      {"settings", {{"port", 80}}}});
    ASSERT_EQ(created.status, 201) << created.body;
    edge_ = "/api/v1/apps/" + created.json()["id"].get<std::string>() + "/edge";
  }

  // The field a PUT of `document` by a member is refused for (or its status).
  std::string refused_field(const json& document) {
    const HttpResponse put = api_with(member_, "PUT", edge_, document);
    if (put.status != 400) {
      return "status " + std::to_string(put.status);
    }
    EXPECT_EQ(put.json()["error"]["code"], "validation_failed") << put.body;
    return put.json()["error"]["details"].value("field", "<none>");
  }

  std::string server_id_;
  std::string member_;
  std::string viewer_;
  std::string edge_;
};

TEST_F(EdgeApiTest, MembersReplaceViewersReadAndPasswordsNeverComeBack) {
  const HttpResponse empty = api_with(viewer_, "GET", edge_);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json()["redirects"], json::array());
  EXPECT_EQ(empty.json()["updated_at"], nullptr);

  const json document = {
      {"redirects", {{{"path", "/old"}, {"to", "https://example.com/new"}, {"status", 301}}}},
      {"headers", {{"set", {{"X-Frame-Options", "DENY"}}}, {"remove", {"Server"}}}},
      {"allow_ips", {"10.0.0.0/8", "2001:db8::/32"}},
      {"basic_auth", {{"users", {{{"username", "ops"}, {"password", "correct horse"}}}}}},
      {"max_body_bytes", 1048576},
      {"maintenance", {{"enabled", true}, {"retry_after_seconds", 60}}}};
  EXPECT_EQ(api_with(viewer_, "PUT", edge_, document).status, 403);
  const HttpResponse put = api_with(member_, "PUT", edge_, document);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body.find("correct horse"), std::string::npos);
  EXPECT_EQ(put.body.find("$2b$"), std::string::npos);
  EXPECT_EQ(put.json()["basic_auth"]["users"],
            json::parse(R"([{"username":"ops","has_password":true}])"));

  const HttpResponse read = api_with(viewer_, "GET", edge_);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.json()["allow_ips"], json({"10.0.0.0/8", "2001:db8::/32"}));
  EXPECT_EQ(read.json()["maintenance"]["retry_after_seconds"], 60);
  EXPECT_EQ(read.json()["maintenance"]["message"], "");
  EXPECT_EQ(read.json()["redirects"][0]["status"], 301);
  EXPECT_TRUE(read.json()["updated_at"].is_string());
  EXPECT_EQ(read.body.find("$2b$"), std::string::npos);

  // Sent back as read (users without a password), the document keeps the password.
  json again = read.json();
  again.erase("updated_at");
  for (auto& user : again["basic_auth"]["users"]) {
    user.erase("has_password");
  }
  EXPECT_EQ(api_with(member_, "PUT", edge_, again).status, 200);

  const HttpResponse audit = api("GET", "/api/v1/audit-log?action=app.edge");
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_GE(audit.json()["data"].size(), 1u) << audit.body;
  EXPECT_EQ(audit.body.find("$2b$"), std::string::npos);
  EXPECT_EQ(audit.body.find("correct horse"), std::string::npos);

  EXPECT_EQ(api_with(member_, "GET", "/api/v1/apps/app_00000000000000000000000000/edge").status,
            404);
}

TEST_F(EdgeApiTest, HostileValuesAre400NamingTheField) {
  EXPECT_EQ(refused_field({{"headers", {{"set", {{"X-A", "{env.HOME}"}}}}}}), "headers.set.X-A");
  EXPECT_EQ(refused_field({{"headers", {{"set", {{"X-A", "{file./etc/passwd}"}}}}}}),
            "headers.set.X-A");
  EXPECT_EQ(refused_field({{"headers", {{"set", {{"X-A", "a\r\nSet-Cookie: a=b"}}}}}}),
            "headers.set.X-A");
  EXPECT_EQ(refused_field({{"headers", {{"set", {{"X-A", std::string("a\0b", 3)}}}}}}),
            "headers.set.X-A");
  EXPECT_EQ(refused_field({{"headers", {{"set", {{"X-A", std::string(1025, 'a')}}}}}}),
            "headers.set.X-A");
  EXPECT_EQ(refused_field({{"headers", {{"remove", {"Transfer-Encoding"}}}}}), "headers.remove[0]");
  EXPECT_EQ(refused_field({{"redirects", {{{"path", "/a/../b"}, {"to", "/"}}}}}),
            "redirects[0].path");
  EXPECT_EQ(refused_field({{"redirects", {{{"path", "/a"}, {"to", "/{env.X}"}}}}}),
            "redirects[0].to");
  EXPECT_EQ(refused_field({{"redirects", {{{"path", "/a"}, {"to", "/"}, {"status", 200}}}}}),
            "redirects[0].status");
  EXPECT_EQ(refused_field({{"allow_ips", {"10.0.0.0/33"}}}), "allow_ips[0]");
  EXPECT_EQ(refused_field({{"allow_ips", {"example.com"}}}), "allow_ips[0]");
  EXPECT_EQ(
      refused_field({{"maintenance", {{"enabled", true}, {"message", "{file./etc/passwd}"}}}}),
      "maintenance.message");
  EXPECT_EQ(refused_field({{"max_body_bytes", -1}}), "max_body_bytes");
  EXPECT_EQ(refused_field({{"basic_auth", {{"users", {{{"username", "new"}}}}}}}),
            "basic_auth.users[0].password");
  EXPECT_EQ(
      refused_field({{"basic_auth", {{"users", {{{"username", "a:b"}, {"password", "x"}}}}}}}),
      "basic_auth.users[0].username");
  EXPECT_EQ(refused_field({{"firewall", true}}), "firewall");
  // Nothing was stored.
  EXPECT_EQ(api_with(viewer_, "GET", edge_).json()["updated_at"], nullptr);
}

}  // namespace
}  // namespace berth::testing
