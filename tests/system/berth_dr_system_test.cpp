// Berth's own disaster recovery with real parts: berthd, a real agent with dockerd and Caddy on
// loopback, an app deployed and served through Caddy. berthd is backed up while it runs, killed
// with SIGKILL, its data directory deleted, the backup restored into a new directory and berthd
// started there on the same address. The app answers through Caddy every time it is asked,
// throughout; the agent reconnects by itself; a new deployment goes through the restored berthd.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "system/deploy_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class BerthDisasterRecoveryTest : public DeployTest {};

TEST_F(BerthDisasterRecoveryTest, AppsKeepServingAndTheAgentReturnsToTheRestoredBerthd) {
  const std::string id = create_app("survivor", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(succeeded(deploy_and_wait(id)));
  ASSERT_EQ(wait_serving("survivor.test", "v1\n").status, 200);

  // Ask the app through Caddy, on a new connection each time, for the whole recovery.
  std::atomic<bool> stop = false;
  std::atomic<int> answered = 0;
  std::atomic<int> failed = 0;
  std::string first_failure;
  std::thread prober([&] {
    while (!stop) {
      const ProxyReply reply = through_proxy("survivor.test");
      if (reply.kind == ProxyReply::Kind::ok && reply.status == 200 && reply.body == "v1\n") {
        ++answered;
      } else if (failed++ == 0) {
        first_failure = std::to_string(reply.status) + " " + reply.error + " " + reply.body;
      }
      std::this_thread::sleep_for(20ms);
    }
  });

  const fs::path old_data = berthd_->data_dir();
  const fs::path backup = dir_.path() / "berth.backup";
  const std::map<std::string, std::string> env = {
      {"BERTH_BACKUP_PASSPHRASE", "the system test's passphrase"}};
  std::string output;
  ASSERT_EQ(run_berthd({"backup", "--to", backup.string(), "--data-dir", old_data.string()}, output,
                       env, 120s),
            0)
      << output;

  // The Berth machine is lost.
  berthd_->stop(SIGKILL);
  fs::remove_all(old_data);
  const int answered_while_down_before = answered;
  // berthd is gone; the app must still answer (poll until it has, with a deadline).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (answered < answered_while_down_before + 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(answered, answered_while_down_before + 5) << "the app stopped answering with berthd";

  const fs::path new_data = dir_.path() / "restored";
  output.clear();
  ASSERT_EQ(run_berthd({"restore", "--from", backup.string(), "--data-dir", new_data.string()},
                       output, env, 120s),
            0)
      << output;
  restart_berthd(new_data);
  const auto restarted = std::chrono::steady_clock::now();

  // The agent comes back by itself, Docker with it.
  wait_server_status(server_id_, "online", 60s);
  RecordProperty("agent_back_ms",
                 static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - restarted)
                                      .count()));
  wait_for("/api/v1/servers/" + server_id_,
           [](const nlohmann::json& s) { return s["docker"].value("status", "") == "online"; });
  stop = true;
  prober.join();
  RecordProperty("answered_through_caddy", answered.load());
  EXPECT_EQ(failed, 0) << "first failure: " << first_failure;
  EXPECT_GT(answered, answered_while_down_before + 5);

  // The restored berthd drives the server as before: a new version deploys and is served.
  ASSERT_TRUE(succeeded(deploy_and_wait(id, {{"image", kAppV2}})));
  EXPECT_EQ(wait_serving("survivor.test", "v2\n").status, 200);
}

}  // namespace
}  // namespace berth::testing
