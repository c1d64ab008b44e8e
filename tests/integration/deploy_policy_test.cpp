// The deploy policy as an attacker with a member's key meets it: every way of making the
// agent run a host command or change what a privileged app runs is 403, and nothing runs.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/fleet_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class DeployPolicyTest : public FleetTest {
 protected:
  void SetUp() override {
    start_fleet();
    server_id_ = connect_agent("agent-1");
    member_ = key_with_role("member");
    marker_ = dir_.path() / "pwned";
  }

  HttpResponse as_member(const std::string& method, const std::string& target,
                         const json& body = nullptr) {
    return api_with(member_, method, target, body);
  }

  json workflow(const std::string& script) const {
    return {{"type", "workflow"}, {"steps", {{{"name", "step"}, {"shell", script}}}}};
  }

  std::string server_id_;
  std::string member_;
  std::filesystem::path marker_;
};

TEST_F(DeployPolicyTest, AMemberCannotDefineOrChangeHostCommands) {
  const std::string touch = "touch " + marker_.string();
  const HttpResponse created = as_member("POST", "/api/v1/apps",
                                         {{"name", "ci"},
                                          {"server_id", server_id_},
                                          {"source", workflow(touch)},
                                          {"settings", json::object()}});
  EXPECT_EQ(created.status, 403) << created.body;
  EXPECT_EQ(created.json()["error"]["code"], "admin_required");

  const HttpResponse by_admin = api("POST", "/api/v1/apps",
                                    {{"name", "ci"},
                                     {"server_id", server_id_},
                                     {"source", workflow("true")},
                                     {"settings", json::object()}});
  ASSERT_EQ(by_admin.status, 201) << by_admin.body;
  const std::string app = by_admin.json()["id"];
  const HttpResponse steps =
      as_member("PATCH", "/api/v1/apps/" + app, {{"source", workflow(touch)}});
  EXPECT_EQ(steps.status, 403) << steps.body;
  const HttpResponse env = as_member("PATCH", "/api/v1/apps/" + app + "/env",
                                     {{"vars", {{{"key", "BASH_ENV"}, {"value", "/tmp/x"}}}}});
  EXPECT_EQ(env.status, 403) << env.body;
  // What an admin approved, a member may still deploy.
  const HttpResponse deployed = as_member("POST", "/api/v1/apps/" + app + "/deployments");
  ASSERT_EQ(deployed.status, 202) << deployed.body;
  // Its steps run (the switch after them needs a Caddy this test does not start).
  const json done = wait_for("/api/v1/deployments/" + deployed.json()["id"].get<std::string>(),
                             [](const json& d) {
                               const std::string state = d.value("state", "");
                               return state != "queued" && state != "running";
                             });
  EXPECT_EQ(done["artifact"]["workflow_steps"], 1) << done;

  const HttpResponse image_app =
      as_member("POST", "/api/v1/apps",
                {{"name", "web"},
                 {"server_id", server_id_},
                 {"source", {{"type", "image"}, {"image", "nginx:1.27"}}},
                 {"settings", {{"port", 80}}}});
  ASSERT_EQ(image_app.status, 201) << image_app.body;
  const HttpResponse switched =
      as_member("PATCH", "/api/v1/apps/" + image_app.json()["id"].get<std::string>(),
                {{"source", workflow(touch)}, {"settings", {{"port", 8080}}}});
  EXPECT_EQ(switched.status, 403) << switched.body;
  EXPECT_FALSE(std::filesystem::exists(marker_)) << "a member's host command ran";
}

TEST_F(DeployPolicyTest, AMemberCannotChangeWhatAPrivilegedAppRuns) {
  const HttpResponse made = api("POST", "/api/v1/apps",
                                {{"name", "root"},
                                 {"server_id", server_id_},
                                 {"source", {{"type", "image"}, {"image", "registry.test/tool:1"}}},
                                 {"settings", {{"port", 8080}, {"privileged", true}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string app = made.json()["id"];
  for (const json& change :
       {json{{"source", {{"image", "evil/miner:1"}}}}, json{{"settings", {{"port", 2019}}}},
        json{{"settings", {{"command", {"sh", "-c", "id"}}}}},
        json{{"settings", {{"volumes", {{{"source", "/"}, {"target", "/host"}}}}}}}}) {
    const HttpResponse changed = as_member("PATCH", "/api/v1/apps/" + app, change);
    EXPECT_TRUE(changed.status == 403 || changed.status == 400) << change << changed.body;
  }
  EXPECT_EQ(
      as_member("POST", "/api/v1/apps/" + app + "/deployments", {{"image", "evil/miner:1"}}).status,
      403);
  EXPECT_EQ(
      as_member("PATCH", "/api/v1/apps/" + app, {{"settings", {{"drain_grace_s", 9}}}}).status,
      200);
}

}  // namespace
}  // namespace berth::testing
