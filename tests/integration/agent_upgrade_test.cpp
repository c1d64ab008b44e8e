// Agent upgrades with the real binaries: an agent running a copy of berth-agent that reports an
// older version (BERTH_AGENT_VERSION_OVERRIDE) is upgraded through the API; it downloads the
// binary berthd serves, checks its SHA-256, renames it over its own file, starts it again in the
// same process and reconnects with berthd's version. A binary that changed on berthd's disk
// after the upgrade was asked for fails the checksum and leaves the old binary running.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.hpp"
#include "integration/cli_runner.hpp"
#include "integration/fleet_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kOldVersion = "0.0.9";

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class AgentUpgradeTest : public FleetTest {
 protected:
  void SetUp() override {
    served_ = dir_.path() / "served" / "berth-agent";
    copy_program_with_tail(BERTH_AGENT_PATH, served_, "");
    start_fleet({.args = {"--agent-binary", served_.string()}});
    version_ = api("GET", "/api/v1/version").json().value("version", "");
    ASSERT_FALSE(version_.empty());
    ASSERT_NE(version_, kOldVersion);
    old_binary_ = dir_.path() / "installed" / "berth-agent";
    copy_program_with_tail(BERTH_AGENT_PATH, old_binary_, std::string("\0old build", 10));
  }

  // The old agent, enrolled and online as kOldVersion.
  std::string start_old_agent() {
    const fs::path state = agent_dir("old");
    if (server_id_.empty()) {
      server_id_ = enrol(state);
    }
    agents_.push_back(std::make_unique<AgentProcess>(
        state, std::vector<std::string>{}, std::vector<std::string>{}, old_binary_.string(),
        std::map<std::string, std::string>{{"BERTH_AGENT_VERSION_OVERRIDE", kOldVersion}}));
    wait_for("/api/v1/servers/" + server_id_, [](const json& s) {
      return s.value("status", "") == "online" && s.value("agent_version", "") == kOldVersion;
    });
    return server_id_;
  }

  std::string served_sha256() {
    const HttpResponse answer = api("GET", "/api/v1/agent/download.sha256");
    EXPECT_EQ(answer.status, 200);
    return answer.body.substr(0, 64);
  }

  fs::path served_;
  fs::path old_binary_;
  std::string version_;
  std::string server_id_;
};

TEST_F(AgentUpgradeTest, AnOlderAgentReplacesItselfAndReconnectsWithTheNewVersion) {
  const std::string id = start_old_agent();
  const pid_t pid = agents_.back()->pid();
  json server = api("GET", "/api/v1/servers/" + id).json();
  EXPECT_TRUE(server["agent_update_available"].get<bool>());

  // Replacing a root binary on a host is an admin's call.
  for (const char* role : {"viewer", "member"}) {
    EXPECT_EQ(api_with(key_with_role(role), "POST", "/api/v1/servers/" + id + "/upgrade").status,
              403)
        << role;
  }

  const HttpResponse started = api("POST", "/api/v1/servers/" + id + "/upgrade");
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(started.json()["from_version"], kOldVersion);
  EXPECT_EQ(started.json()["to_version"], version_);
  const std::string job_id = started.json()["job"]["id"];
  const json job = wait_job_state(job_id, "succeeded", 60s);
  EXPECT_EQ(job["kind"], "agent.upgrade");
  EXPECT_EQ(job["result"]["replaced"], true);
  EXPECT_EQ(job["result"]["previous_version"], kOldVersion);

  server = wait_for(
      "/api/v1/servers/" + id,
      [&](const json& s) {
        return s.value("status", "") == "online" && s.value("agent_version", "") == version_;
      },
      60s);
  EXPECT_FALSE(server["agent_update_available"].get<bool>());
  // The same process runs the new binary (exec, no supervisor needed), and the file on disk is
  // now exactly what berthd serves.
  EXPECT_EQ(::kill(pid, 0), 0);
  EXPECT_EQ(crypto::sha256_hex(read_bytes(old_binary_)), served_sha256());
  EXPECT_EQ(std::distance(fs::directory_iterator(old_binary_.parent_path()), {}), 1);
  EXPECT_NE(agents_.back()->log().find("agent.upgraded"), std::string::npos);

  // Nothing left to do: no second upgrade, no downgrade.
  const HttpResponse again = api("POST", "/api/v1/servers/" + id + "/upgrade");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()["error"]["code"], "agent_current");
  const HttpResponse all = api("POST", "/api/v1/servers/upgrade");
  ASSERT_EQ(all.status, 202) << all.body;
  EXPECT_TRUE(all.json()["data"].empty());

  // The audit log names both versions.
  const HttpResponse audit = api("GET", "/api/v1/audit-log?action=server.agent_upgrade");
  EXPECT_NE(audit.body.find(kOldVersion), std::string::npos) << audit.body;
}

TEST_F(AgentUpgradeTest, AWrongChecksumFailsTheJobAndKeepsTheOldBinary) {
  const std::string id = start_old_agent();
  const std::string old_bytes = read_bytes(old_binary_);
  // The agent is away when the upgrade is asked for: the job waits with the SHA-256 of the
  // binary berthd served then; meanwhile another binary lands on berthd's disk.
  agents_.back()->stop();
  wait_server_status(id, "offline");
  const HttpResponse started = api("POST", "/api/v1/servers/" + id + "/upgrade");
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string job_id = started.json()["job"]["id"];
  const std::string announced = started.json()["job"]["args"]["sha256"];
  copy_program_with_tail(BERTH_AGENT_PATH, served_, "another build");
  ASSERT_NE(served_sha256(), announced);

  start_old_agent();
  const json job = wait_job_state(job_id, "failed", 60s);
  EXPECT_EQ(job["error"]["code"], "checksum_mismatch") << job.dump();
  EXPECT_NE(job["error"]["message"].get<std::string>().find(announced), std::string::npos);
  EXPECT_EQ(read_bytes(old_binary_), old_bytes);
  EXPECT_EQ(std::distance(fs::directory_iterator(old_binary_.parent_path()), {}), 1);
  json server = api("GET", "/api/v1/servers/" + id).json();
  EXPECT_EQ(server["agent_version"], kOldVersion);
  EXPECT_EQ(server["status"], "online");

  // Asked again (for every older agent of the team), the current binary goes through.
  const HttpResponse all = api("POST", "/api/v1/servers/upgrade");
  ASSERT_EQ(all.status, 202) << all.body;
  ASSERT_EQ(all.json()["data"].size(), 1u);
  EXPECT_EQ(all.json()["data"][0]["server_id"], id);
  wait_job_state(all.json()["data"][0]["job"]["id"], "succeeded", 60s);
  wait_for(
      "/api/v1/servers/" + id,
      [&](const json& s) {
        return s.value("status", "") == "online" && s.value("agent_version", "") == version_;
      },
      60s);
  EXPECT_EQ(crypto::sha256_hex(read_bytes(old_binary_)), served_sha256());
}

// The CLI as an operator uses it: the AGENT column, then every older agent upgraded and waited
// for, then nothing left to do.
TEST_F(AgentUpgradeTest, TheCliUpgradesEveryOlderAgentAndWaitsForItsReturn) {
  const std::string id = start_old_agent();
  const std::string name = api("GET", "/api/v1/servers/" + id).json()["name"];
  const std::map<std::string, std::string> admin = {{"BERTH_URL", server_url()},
                                                    {"BERTH_TOKEN", api_key_}};

  const CliRun listed = run_cli(dir_.path(), {"servers", "ls"}, admin);
  ASSERT_EQ(listed.exit, 0) << listed.err;
  EXPECT_NE(listed.out.find("AGENT"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(kOldVersion), std::string::npos) << listed.out;
  EXPECT_EQ(run_cli(dir_.path(), {"servers", "upgrade"}, admin).exit, 2);

  const CliRun upgraded = run_cli(dir_.path(), {"servers", "upgrade", "--all", "--wait"}, admin);
  ASSERT_EQ(upgraded.exit, 0) << upgraded.out << upgraded.err;
  EXPECT_NE(upgraded.out.find("Upgrading the agent of " + name + " from " + kOldVersion + " to " +
                              version_),
            std::string::npos)
      << upgraded.out;
  EXPECT_NE(upgraded.out.find(name + ": agent " + version_ + " connected"), std::string::npos)
      << upgraded.out;
  EXPECT_EQ(api("GET", "/api/v1/servers/" + id).json()["agent_version"], version_);

  const CliRun again = run_cli(dir_.path(), {"servers", "upgrade", name}, admin);
  EXPECT_NE(again.exit, 0);
  EXPECT_NE(again.err.find("agent_current"), std::string::npos) << again.err;
  const CliRun none = run_cli(dir_.path(), {"servers", "upgrade", "--all"}, admin);
  EXPECT_EQ(none.exit, 0) << none.err;
  EXPECT_NE(none.out.find("Every agent already runs " + version_), std::string::npos) << none.out;
}

}  // namespace
}  // namespace berth::testing
