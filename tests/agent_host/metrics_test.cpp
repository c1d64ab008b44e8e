#include "agent/host/metrics.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.hpp"

namespace berth::agent::host {
namespace {

void write_file(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A /proc of fixture files; its mounts name the real "/" so statvfs has something to read.
class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto root = dir_.path();
    write_file(root / "stat", "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 100 0 100 800 0 0 0 0 0 0\n");
    write_file(root / "loadavg", "1.50 0.75 0.25 1/100 42\n");
    write_file(root / "meminfo",
               "MemTotal: 1000 kB\nMemAvailable: 400 kB\nSwapTotal: 200 kB\nSwapFree: 50 kB\n");
    write_file(root / "uptime", "3600.99 100.00\n");
    write_file(root / "net/dev",
               "h1\nh2\n    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n"
               "  eth0: 70 1 0 0 0 0 0 0 30 1 0 0 0 0 0 0\n");
    write_file(root / "self/mounts",
               "proc /proc proc rw 0 0\nfixture-disk / ext4 rw 0 0\n"
               "fixture-gone /no/such/mount/point xfs rw 0 0\n");
  }
  std::string proc_root() const { return dir_.path().string(); }

  testing::TempDir dir_;
};

TEST_F(FakeProc, SampleHasEveryHeartbeatField) {
  MetricsSampler sampler(proc_root());
  const auto metrics = sampler.sample();
  EXPECT_DOUBLE_EQ(metrics["cpu_percent"].get<double>(), 20.0);  // since boot: 200 of 1000
  EXPECT_EQ(metrics["load"], nlohmann::json({1.5, 0.75, 0.25}));
  EXPECT_EQ(metrics["uptime_seconds"], 3600);
  EXPECT_EQ(metrics["memory"]["total_bytes"], 1000 * 1024);
  EXPECT_EQ(metrics["memory"]["available_bytes"], 400 * 1024);
  EXPECT_EQ(metrics["memory"]["used_bytes"], 600 * 1024);
  EXPECT_EQ(metrics["swap"]["total_bytes"], 200 * 1024);
  EXPECT_EQ(metrics["swap"]["used_bytes"], 150 * 1024);
  EXPECT_EQ(metrics["network"]["rx_bytes"], 70);
  EXPECT_EQ(metrics["network"]["tx_bytes"], 30);
  ASSERT_EQ(metrics["disks"].size(), 1u);  // the mount that does not exist is left out
  const auto& root = metrics["disks"][0];
  EXPECT_EQ(root["mount"], "/");
  EXPECT_EQ(root["fs"], "ext4");
  EXPECT_GT(root["total_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_LE(root["used_bytes"].get<std::uint64_t>(), root["total_bytes"].get<std::uint64_t>());
}

TEST_F(FakeProc, CpuPercentCoversOnlyTheTimeSinceThePreviousSample) {
  MetricsSampler sampler(proc_root());
  (void)sampler.sample();
  // 100 more jiffies, all busy.
  write_file(dir_.path() / "stat", "cpu  150 0 150 800 0 0 0 0 0 0\n");
  EXPECT_DOUBLE_EQ(sampler.sample()["cpu_percent"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(sampler.sample()["cpu_percent"].get<double>(), 0.0);
}

TEST_F(FakeProc, MountsOverrideNamesTheDisksToReport) {
  MetricsSampler sampler(proc_root(), {"/", "/no/such/path"});
  const auto disks = sampler.sample()["disks"];
  ASSERT_EQ(disks.size(), 1u);
  EXPECT_EQ(disks[0]["mount"], "/");
  EXPECT_EQ(disks[0]["fs"], "ext4");
}

TEST(Metrics, MissingProcGivesZerosNotErrors) {
  MetricsSampler sampler("/no/such/proc");
  const auto metrics = sampler.sample();
  EXPECT_EQ(metrics["cpu_percent"], 0.0);
  EXPECT_EQ(metrics["memory"]["total_bytes"], 0);
  EXPECT_TRUE(metrics["disks"].empty());
}

TEST(Metrics, RealProcReadsThisMachine) {
  MetricsSampler sampler;
  const auto metrics = sampler.sample();
  EXPECT_GT(metrics["memory"]["total_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_GT(metrics["uptime_seconds"].get<std::uint64_t>(), 0u);
  EXPECT_FALSE(metrics["disks"].empty());
  const auto facts = machine_facts();
  EXPECT_FALSE(facts["hostname"].get<std::string>().empty());
  EXPECT_FALSE(facts["kernel"].get<std::string>().empty());
  EXPECT_FALSE(facts["arch"].get<std::string>().empty());
  EXPECT_FALSE(facts["os"].get<std::string>().empty());
  EXPECT_GE(facts["cpus"].get<int>(), 1);
  EXPECT_EQ(facts["memory_bytes"], metrics["memory"]["total_bytes"]);
  EXPECT_TRUE(facts["machine_id"].is_string());
}

}  // namespace
}  // namespace berth::agent::host
