// Upgrading Berth while an app serves, with real parts: berthd, a real agent (a copy of
// berth-agent that says it is 0.0.9) with dockerd and Caddy on loopback, an app deployed and
// served through Caddy. Keep-alive clients ask for its page all along while
//   1. the package's upgrade runs as packaging/deb/postinst does it: berthd stopped, its store
//      copied (`berthd backup-store`) and migrated (`berthd migrate`), berthd started again, and
//      the local agent restarted by its unit (stopped, started);
//   2. the agent is upgraded through the API: it fetches berthd's binary, checks it, and starts
//      it in its own process.
// Not one request may fail, and afterwards a deployment goes through the upgraded pair.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "system/deploy_fixture.hpp"
#include "system/keepalive_load.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kOldVersion = "0.0.9";
constexpr int kClients = 4;

class UpgradeServingTest : public DeployTest {
 protected:
  void SetUp() override {
    const fs::path served = dir_.path() / "served" / "berth-agent";
    copy_program_with_tail(BERTH_AGENT_PATH, served, "");
    berthd_args_ = {"--agent-binary", served.string()};
    agent_program_ = (dir_.path() / "installed" / "berth-agent").string();
    copy_program_with_tail(BERTH_AGENT_PATH, agent_program_, std::string("\0old build", 10));
    agent_env_ = {{"BERTH_AGENT_VERSION_OVERRIDE", kOldVersion}};
    DeployTest::SetUp();
  }

  // As `systemctl restart berth-agent`: SIGTERM, wait, start the same program again.
  void restart_agent() {
    ASSERT_EQ(agents_.back()->stop(), 0) << agents_.back()->log();
    agents_.push_back(std::make_unique<AgentProcess>(
        agent_dir("agent-deploy"), std::vector<std::string>{},
        std::vector<std::string>{"--docker-socket", socket_path_, "--caddy-admin",
                                 caddy_->admin_address()},
        agent_program_, agent_env_));
    wait_server_status(server_id_, "online", 30s);
  }
};

TEST_F(UpgradeServingTest, AnAppKeepsServingWhileBerthdAndItsAgentAreUpgraded) {
  const std::string version = api("GET", "/api/v1/version").json().value("version", "");
  ASSERT_FALSE(version.empty());
  ASSERT_EQ(api("GET", "/api/v1/servers/" + server_id_).json().value("agent_version", ""),
            kOldVersion);
  const std::string id = create_app("steady", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(succeeded(deploy_and_wait(id)));
  ASSERT_EQ(wait_serving("steady.test", "v1\n").status, 200);

  KeepAliveLoad load(static_cast<std::uint16_t>(http_port_), "steady.test", kClients, {"v1\n"});
  std::this_thread::sleep_for(500ms);  // requests on every connection before anything changes

  // 1. The package's upgrade.
  const fs::path data = berthd_->data_dir();
  ASSERT_EQ(berthd_->stop(), 0);
  std::string output;
  const fs::path copy = dir_.path() / "pre-upgrade.sqlite";
  ASSERT_EQ(
      run_berthd({"backup-store", "--data-dir", data.string(), "--to", copy.string()}, output), 0)
      << output;
  ASSERT_EQ(run_berthd({"migrate", "--data-dir", data.string()}, output), 0) << output;
  restart_berthd();
  restart_agent();
  const std::int64_t answered_after_package = load.ok();

  // 2. The agent's upgrade through the API.
  const HttpResponse started = api("POST", "/api/v1/servers/" + server_id_ + "/upgrade");
  ASSERT_EQ(started.status, 202) << started.body;
  wait_for(
      "/api/v1/servers/" + server_id_,
      [&](const json& s) {
        return s.value("status", "") == "online" && s.value("agent_version", "") == version;
      },
      60s);
  std::this_thread::sleep_for(1s);  // the upgraded agent answers Caddy's lookups
  load.stop();
  std::cout << "upgrades under load: " << kClients << " keep-alive clients, " << load.summary()
            << "\n";
  EXPECT_GT(answered_after_package, 0);
  EXPECT_GT(load.ok(), answered_after_package);
  EXPECT_EQ(load.failures(), 0) << load.failure_samples();

  // The upgraded pair still deploys.
  const json next = deploy_and_wait(id, {{"image", kAppV2}});
  ASSERT_TRUE(succeeded(next));
  EXPECT_EQ(through_proxy("steady.test").body, "v2\n");
}

}  // namespace
}  // namespace berth::testing
