#pragma once
/// Pure parsers for the /proc and /etc text berth-agent samples. Each takes the file's text and
/// returns what it found; malformed or missing fields read as zero (or are skipped), never
/// throw, so one odd kernel line cannot stop a heartbeat.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::agent::host {

/// Aggregate CPU jiffies from the first `cpu ` line of /proc/stat.
struct CpuTimes {
  std::uint64_t busy = 0;   // user + nice + system + irq + softirq + steal
  std::uint64_t total = 0;  // busy + idle + iowait
};
CpuTimes parse_cpu_times(std::string_view proc_stat);

/// The number of `cpuN` lines in /proc/stat (online CPUs); 0 when there are none.
int count_cpus(std::string_view proc_stat);

/// Busy share of all CPUs between two readings, 0–100; 0 when no time passed.
double cpu_percent_between(const CpuTimes& before, const CpuTimes& after);

/// The three load averages of /proc/loadavg.
struct LoadAverage {
  double one = 0;
  double five = 0;
  double fifteen = 0;
};
LoadAverage parse_loadavg(std::string_view proc_loadavg);

/// /proc/meminfo, in bytes.
struct MemoryInfo {
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;
  std::uint64_t swap_total_bytes = 0;
  std::uint64_t swap_free_bytes = 0;
};
MemoryInfo parse_meminfo(std::string_view proc_meminfo);

/// Whole seconds since boot, from the first field of /proc/uptime.
std::uint64_t parse_uptime_seconds(std::string_view proc_uptime);

/// Received and transmitted bytes summed over every interface except `lo`.
struct NetworkTotals {
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
};
NetworkTotals parse_net_dev(std::string_view proc_net_dev);

/// One mounted filesystem worth reporting.
struct MountEntry {
  std::string device;
  std::string mount_point;
  std::string fs_type;
};
/// Real filesystems from /proc/self/mounts: pseudo and in-memory types (proc, sysfs, tmpfs,
/// overlay, cgroup, squashfs, nsfs, ...) are skipped and each device is kept once (its first
/// mount), so bind mounts do not count a disk twice. Octal escapes (`\040`) are decoded.
std::vector<MountEntry> parse_mounts(std::string_view proc_mounts);

/// True for filesystem types that hold no disk of their own.
bool is_pseudo_filesystem(std::string_view fs_type);

/// A value of /etc/os-release (`PRETTY_NAME`, ...), unquoted; "" when absent.
std::string parse_os_release_value(std::string_view os_release, std::string_view key);

}  // namespace berth::agent::host
