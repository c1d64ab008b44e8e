// Heartbeat snapshots into events: Docker down/up, a disk passing 90 % (once, until it
// recovers below 85 %).
#include "agent/host_events.hpp"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

using nlohmann::json;

json disk(double used_fraction) {
  return {{"disks",
           {{{"mount", "/"},
             {"total_bytes", 1000.0},
             {"used_bytes", used_fraction * 1000},
             {"available_bytes", (1 - used_fraction) * 1000}}}}};
}

TEST(HostEvents, DockerChangesAreReportedButAHealthyStartIsNot) {
  HostEvents events;
  EXPECT_TRUE(events.observe({{"status", "online"}}, disk(0.1)).empty());
  auto down = events.observe({{"status", "offline"}, {"reason", "socket gone"}}, disk(0.1));
  ASSERT_EQ(down.size(), 1U);
  EXPECT_EQ(down[0]["kind"], "docker_down");
  EXPECT_EQ(down[0]["details"]["reason"], "socket gone");
  EXPECT_TRUE(events.observe({{"status", "offline"}}, disk(0.1)).empty());
  auto up = events.observe({{"status", "online"}}, disk(0.1));
  ASSERT_EQ(up.size(), 1U);
  EXPECT_EQ(up[0]["kind"], "docker_up");
}

TEST(HostEvents, AnAgentStartingWithoutDockerSaysSoOnce) {
  HostEvents events;
  EXPECT_EQ(events.observe({{"status", "offline"}}, json::object()).size(), 1U);
  EXPECT_TRUE(events.observe({{"status", "offline"}}, json::object()).empty());
}

TEST(HostEvents, DiskLowOnceUntilItRecovers) {
  HostEvents events;
  const json docker = {{"status", "online"}};
  EXPECT_TRUE(events.observe(docker, disk(0.5)).empty());
  auto low = events.observe(docker, disk(0.95));
  ASSERT_EQ(low.size(), 1U);
  EXPECT_EQ(low[0]["kind"], "disk_low");
  EXPECT_EQ(low[0]["details"]["mount"], "/");
  EXPECT_TRUE(events.observe(docker, disk(0.96)).empty());
  EXPECT_TRUE(events.observe(docker, disk(0.88)).empty());  // still above 85 %
  EXPECT_TRUE(events.observe(docker, disk(0.80)).empty());
  EXPECT_EQ(events.observe(docker, disk(0.92)).size(), 1U);
}

}  // namespace
}  // namespace berth::agent
