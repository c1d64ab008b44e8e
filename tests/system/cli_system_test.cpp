// The berth CLI against a real deployment: berthd, an agent with a real dockerd and Caddy.
// What a user does: deploy and wait, read the logs, follow them and press Ctrl-C.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "integration/cli_runner.hpp"
#include "system/deploy_fixture.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

class CliSystemTest : public DeployTest {
 protected:
  std::map<std::string, std::string> admin() const {
    return {{"BERTH_URL", "http://127.0.0.1:" + std::to_string(port())}, {"BERTH_TOKEN", api_key_}};
  }
};

TEST_F(CliSystemTest, DeployWaitsForTheAppAndLogsFollowUntilCtrlC) {
  ASSERT_FALSE(create_app("web", image_source(kAppV1)).empty());
  const CliRun deployed = run_cli(dir_.path(), {"deploy", "web", "--wait"}, admin());
  ASSERT_EQ(deployed.exit, 0) << deployed.out << deployed.err;
  EXPECT_NE(deployed.out.find("==> health"), std::string::npos) << deployed.out;
  EXPECT_NE(deployed.out.find("succeeded"), std::string::npos) << deployed.out;
  wait_serving("web.localhost", "v1\n");

  const CliRun logs = run_cli(dir_.path(), {"logs", "web", "--tail", "5"}, admin());
  EXPECT_EQ(logs.exit, 0) << logs.err;

  CliProcess follow(dir_.path() / "follow", {"logs", "web", "-f"}, admin());
  // Following: the command keeps running while the container does.
  std::this_thread::sleep_for(2s);  // not a wait for a result: it must still be running after
  ASSERT_FALSE(wait_for_exit(follow.pid(), 0ms).has_value()) << "logs -f ended by itself";
  ::kill(follow.pid(), SIGINT);
  const CliRun stopped = follow.wait(10s);
  EXPECT_EQ(stopped.exit, 0) << stopped.err;
}

}  // namespace
}  // namespace berth::testing
