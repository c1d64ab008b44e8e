// Deleting a team takes its servers with it: their agents are disconnected for good, and the
// deletion waits until the team's apps are gone (their containers and routes are cleaned up
// by deleting them, which needs the servers).
#include <gtest/gtest.h>

#include "integration/fleet_fixture.hpp"
#include "integration/identity_client.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class TeamDeletionTest : public FleetTest {
 protected:
  // A second team of the admin's (a personal team cannot be deleted); api() then acts in it.
  void SetUp() override {
    FleetTest::SetUp();
    start_fleet();
    owner_ = std::make_unique<IdentityClient>(port());
    ASSERT_EQ(owner_->login("admin@example.com", "a long admin password 1").status, 200);
    const HttpResponse team = owner_->post("/api/v1/teams", {{"name", "doomed"}});
    ASSERT_EQ(team.status, 201) << team.body;
    team_id_ = team.json()["id"];
    const HttpResponse key =
        owner_->post("/api/v1/api-keys", {{"name", "doomed"}, {"role", "owner"}}, true,
                     {{"X-Team-ID", team_id_}});
    ASSERT_EQ(key.status, 201) << key.body;
    api_key_ = key.json()["raw_key"];
  }

  std::unique_ptr<IdentityClient> owner_;
  std::string team_id_;
};

TEST_F(TeamDeletionTest, ItsAgentsAreDisconnectedAndCannotReconnect) {
  const std::string server_id = connect_agent("agent-1");
  const std::string token =
      json::parse(read_file(agent_dir("agent-1") / "agent.json"))["agent_token"];

  const HttpResponse deleted = owner_->del("/api/v1/teams/" + team_id_);
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  // Its server is gone: the agent hears 4003 and stops for good (exit 3).
  EXPECT_EQ(agents_.back()->wait_exit(10s), 3) << agents_.back()->log();
  const HttpResponse refused = agent_upgrade(token);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json()["error"]["code"], "invalid_agent_token");
}

TEST_F(TeamDeletionTest, IsRefusedWhileTheTeamHasAppsAndLeavesItsAgentConnected) {
  const std::string server_id = connect_agent("agent-1");
  const HttpResponse app = api("POST", "/api/v1/apps",
                               {{"name", "web"},
                                {"server_id", server_id},
                                {"source", {{"type", "image"}, {"image", "nginx:1.27"}}},
                                {"settings", {{"port", 80}}}});
  ASSERT_EQ(app.status, 201) << app.body;

  const HttpResponse refused = owner_->del("/api/v1/teams/" + team_id_);
  ASSERT_EQ(refused.status, 409) << refused.body;
  const json error = refused.json()["error"];
  EXPECT_EQ(error["code"], "team_has_apps");
  EXPECT_EQ(error["details"]["apps"][0]["name"], "web");
  EXPECT_EQ(owner_->get("/api/v1/teams/" + team_id_).status, 200);
  EXPECT_EQ(api("GET", "/api/v1/servers/" + server_id).json()["status"], "online");
  EXPECT_FALSE(agents_.back()->wait_exit(0ms).has_value());

  ASSERT_EQ(api("DELETE", "/api/v1/apps/" + app.json()["id"].get<std::string>()).status, 204);
  EXPECT_EQ(owner_->del("/api/v1/teams/" + team_id_).status, 204);
  EXPECT_EQ(agents_.back()->wait_exit(10s), 3) << agents_.back()->log();
}

}  // namespace
}  // namespace berth::testing
