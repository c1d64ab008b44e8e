// Zero downtime: clients on kept-alive connections through Caddy keep asking for the page
// while 20 deployments in a row switch the app between two versions. Not one request may fail
// (what counts as a failure, and the one retry HTTP allows: system/keepalive_load.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "system/deploy_fixture.hpp"
#include "system/keepalive_load.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

constexpr int kClients = 8;
constexpr int kDeployments = 20;

TEST_F(DeployTest, TwentyDeploymentsUnderKeepAliveLoadDropNoRequest) {
  const std::string id = create_app("zdt", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  const json first = deploy_and_wait(id);
  ASSERT_TRUE(succeeded(first));
  ASSERT_EQ(through_proxy("zdt.test").body, "v1\n");

  KeepAliveLoad load(static_cast<std::uint16_t>(http_port_), "zdt.test", kClients,
                     {"v1\n", "v2\n"});
  int deployed = 0;
  std::vector<std::string> containers = {first.value("container_name", "")};
  for (int i = 0; i < kDeployments; ++i) {
    const std::string image = i % 2 == 0 ? kAppV2 : kAppV1;
    const json done = deploy_and_wait(id, {{"image", image}});
    if (done.value("state", "") != "succeeded") {
      ADD_FAILURE() << "deployment " << i + 1 << " of " << image << ": " << describe(done["id"]);
      continue;
    }
    ++deployed;
    containers.push_back(done.value("container_name", ""));
    // The switch happened before the deployment ended: a new connection sees the new version.
    const ProxyReply now = through_proxy("zdt.test");
    EXPECT_EQ(now.body, i % 2 == 0 ? "v2\n" : "v1\n") << "after deployment " << i + 1;
  }
  load.stop();
  std::cout << "zero-downtime: " << deployed << "/" << kDeployments << " deployments, " << kClients
            << " keep-alive clients, " << load.summary() << "\n";
  EXPECT_EQ(deployed, kDeployments);
  EXPECT_GT(load.ok(), 0);
  EXPECT_EQ(load.failures(), 0) << load.failure_samples();
  // Only the last version's container is left.
  const auto present = container_names(true);
  for (std::size_t i = 0; i < containers.size(); ++i) {
    const bool there = std::find(present.begin(), present.end(), containers[i]) != present.end();
    EXPECT_EQ(there, i + 1 == containers.size()) << containers[i];
  }
}

}  // namespace
}  // namespace berth::testing
