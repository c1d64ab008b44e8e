#include "agent/host/proc_parse.hpp"

#include <gtest/gtest.h>

namespace berth::agent::host {
namespace {

constexpr std::string_view kStat =
    "cpu  100 20 30 800 50 5 5 10 7 0\n"
    "cpu0 50 10 15 400 25 2 3 5 3 0\n"
    "cpu1 50 10 15 400 25 3 2 5 4 0\n"
    "intr 12345 0 0\n"
    "ctxt 999\n";

TEST(ProcParse, CpuTimesCountIowaitAsIdleAndGuestNotTwice) {
  const CpuTimes times = parse_cpu_times(kStat);
  EXPECT_EQ(times.busy, 100u + 20 + 30 + 5 + 5 + 10);
  EXPECT_EQ(times.total, times.busy + 800 + 50);
  EXPECT_EQ(count_cpus(kStat), 2);
}

TEST(ProcParse, CpuPercentIsTheBusyShareOfTheInterval) {
  EXPECT_DOUBLE_EQ(cpu_percent_between({.busy = 100, .total = 1000}, {.busy = 150, .total = 1200}),
                   25.0);
  EXPECT_DOUBLE_EQ(cpu_percent_between({}, {.busy = 1, .total = 4}), 25.0);
  // No time passed, or a counter went backwards (CPU hot-unplug): no made-up number.
  EXPECT_DOUBLE_EQ(cpu_percent_between({.busy = 5, .total = 10}, {.busy = 5, .total = 10}), 0.0);
  EXPECT_DOUBLE_EQ(cpu_percent_between({.busy = 9, .total = 10}, {.busy = 5, .total = 20}), 0.0);
}

TEST(ProcParse, GarbageReadsAsZeros) {
  EXPECT_EQ(parse_cpu_times("").total, 0u);
  EXPECT_EQ(parse_cpu_times("cpu  x y z\n").busy, 0u);
  EXPECT_EQ(parse_uptime_seconds("nonsense"), 0u);
  EXPECT_EQ(parse_meminfo("MemTotal:\n").total_bytes, 0u);
  EXPECT_DOUBLE_EQ(parse_loadavg("1.0").one, 0.0);
}

TEST(ProcParse, LoadAverageAndUptime) {
  const LoadAverage load = parse_loadavg("0.52 0.58 0.59 2/345 12345\n");
  EXPECT_DOUBLE_EQ(load.one, 0.52);
  EXPECT_DOUBLE_EQ(load.five, 0.58);
  EXPECT_DOUBLE_EQ(load.fifteen, 0.59);
  EXPECT_EQ(parse_uptime_seconds("350735.47 234388.90\n"), 350735u);
}

TEST(ProcParse, MeminfoInBytes) {
  const MemoryInfo info = parse_meminfo(
      "MemTotal:        2000000 kB\n"
      "MemFree:          100000 kB\n"
      "MemAvailable:     500000 kB\n"
      "Buffers:           10000 kB\n"
      "SwapTotal:       1000000 kB\n"
      "SwapFree:         750000 kB\n"
      "HugePages_Total:       0\n");
  EXPECT_EQ(info.total_bytes, 2000000u * 1024);
  EXPECT_EQ(info.available_bytes, 500000u * 1024);
  EXPECT_EQ(info.swap_total_bytes, 1000000u * 1024);
  EXPECT_EQ(info.swap_free_bytes, 750000u * 1024);
}

TEST(ProcParse, NetDevSumsEveryInterfaceButLoopback) {
  const NetworkTotals totals = parse_net_dev(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n"
      "    lo: 9999999    100    0    0    0     0          0         0  9999999     100    0 "
      "   0    0     0       0          0\n"
      "  eth0: 1000      10    0    0    0     0          0         0     2000      20    0    "
      "0    0     0       0          0\n"
      "docker0:300       3    0    0    0     0          0         0      400       4    0    "
      "0    0     0       0          0\n");
  EXPECT_EQ(totals.rx_bytes, 1300u);
  EXPECT_EQ(totals.tx_bytes, 2400u);
}

TEST(ProcParse, MountsKeepRealFilesystemsOncePerDevice) {
  const auto mounts = parse_mounts(
      "proc /proc proc rw,relatime 0 0\n"
      "sysfs /sys sysfs rw 0 0\n"
      "/dev/vda1 / ext4 rw,relatime 0 0\n"
      "tmpfs /run tmpfs rw 0 0\n"
      "overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0\n"
      "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n"
      "/dev/loop0 /snap/core/1 squashfs ro 0 0\n"
      "nsfs /run/docker/netns/x nsfs rw 0 0\n"
      "/dev/vdb1 /srv/my\\040data xfs rw 0 0\n"
      "/dev/vda1 /var/lib/docker ext4 rw,relatime 0 0\n");
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[0].device, "/dev/vda1");
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[0].fs_type, "ext4");
  EXPECT_EQ(mounts[1].mount_point, "/srv/my data");
  EXPECT_EQ(mounts[1].fs_type, "xfs");
}

TEST(ProcParse, OsReleaseValuesAreUnquoted) {
  constexpr std::string_view kOsRelease =
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "NAME=\"Debian GNU/Linux\"\n"
      "VERSION_ID='12'\n"
      "ID=debian\n"
      "QUOTED=\"say \\\"hi\\\"\"\n";
  EXPECT_EQ(parse_os_release_value(kOsRelease, "PRETTY_NAME"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(parse_os_release_value(kOsRelease, "ID"), "debian");
  EXPECT_EQ(parse_os_release_value(kOsRelease, "VERSION_ID"), "12");
  EXPECT_EQ(parse_os_release_value(kOsRelease, "QUOTED"), "say \"hi\"");
  EXPECT_EQ(parse_os_release_value(kOsRelease, "NAM"), "");
  EXPECT_EQ(parse_os_release_value(kOsRelease, "MISSING"), "");
}

}  // namespace
}  // namespace berth::agent::host
