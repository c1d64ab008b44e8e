#include "agent/host/metrics.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

#include <array>
#include <fstream>
#include <set>
#include <sstream>

namespace berth::agent::host {
namespace {

nlohmann::json disk_usage(const std::string& mount_point, const std::string& fs_type) {
  struct statvfs stats {};
  if (::statvfs(mount_point.c_str(), &stats) != 0 || stats.f_blocks == 0) {
    return nullptr;
  }
  const std::uint64_t block = stats.f_frsize != 0 ? stats.f_frsize : stats.f_bsize;
  const std::uint64_t total = stats.f_blocks * block;
  const std::uint64_t free_bytes = stats.f_bfree * block;
  return {{"mount", mount_point},
          {"fs", fs_type},
          {"total_bytes", total},
          {"used_bytes", total - free_bytes},
          {"available_bytes", stats.f_bavail * block}};
}

nlohmann::json disks(const std::string& proc_root, const std::vector<std::string>& only) {
  const auto mounts = parse_mounts(read_small_file(proc_root + "/self/mounts"));
  nlohmann::json out = nlohmann::json::array();
  if (only.empty()) {
    for (const auto& mount : mounts) {
      if (auto usage = disk_usage(mount.mount_point, mount.fs_type); !usage.is_null()) {
        out.push_back(std::move(usage));
      }
    }
    return out;
  }
  for (const auto& mount_point : only) {
    std::string fs_type = "unknown";
    for (const auto& mount : mounts) {
      if (mount.mount_point == mount_point) {
        fs_type = mount.fs_type;
      }
    }
    if (auto usage = disk_usage(mount_point, fs_type); !usage.is_null()) {
      out.push_back(std::move(usage));
    }
  }
  return out;
}

std::string trim(std::string text) {
  const auto end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

}  // namespace

std::string read_small_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return {};
  }
  std::ostringstream text;
  text << file.rdbuf();
  return std::move(text).str();
}

MetricsSampler::MetricsSampler(std::string proc_root, std::vector<std::string> mounts_override)
    : proc_root_(std::move(proc_root)), mounts_override_(std::move(mounts_override)) {}

nlohmann::json MetricsSampler::sample() {
  const CpuTimes cpu = parse_cpu_times(read_small_file(proc_root_ + "/stat"));
  const double cpu_percent = cpu_percent_between(previous_cpu_, cpu);
  previous_cpu_ = cpu;

  const LoadAverage load = parse_loadavg(read_small_file(proc_root_ + "/loadavg"));
  const MemoryInfo memory = parse_meminfo(read_small_file(proc_root_ + "/meminfo"));
  const NetworkTotals network = parse_net_dev(read_small_file(proc_root_ + "/net/dev"));
  const std::uint64_t available = std::min(memory.available_bytes, memory.total_bytes);
  const std::uint64_t swap_free = std::min(memory.swap_free_bytes, memory.swap_total_bytes);

  return {
      {"cpu_percent", cpu_percent},
      {"load", {load.one, load.five, load.fifteen}},
      {"uptime_seconds", parse_uptime_seconds(read_small_file(proc_root_ + "/uptime"))},
      {"memory",
       {{"total_bytes", memory.total_bytes},
        {"used_bytes", memory.total_bytes - available},
        {"available_bytes", available}}},
      {"swap",
       {{"total_bytes", memory.swap_total_bytes},
        {"used_bytes", memory.swap_total_bytes - swap_free}}},
      {"disks", disks(proc_root_, mounts_override_)},
      {"network", {{"rx_bytes", network.rx_bytes}, {"tx_bytes", network.tx_bytes}}},
  };
}

std::vector<std::string> interface_addresses() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return {};
  }
  std::set<std::string> found;
  for (const ifaddrs* at = list; at != nullptr; at = at->ifa_next) {
    if (at->ifa_addr == nullptr) {
      continue;
    }
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (at->ifa_addr->sa_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(at->ifa_addr);
      const std::uint32_t host = ntohl(v4->sin_addr.s_addr);
      const bool skipped = (host >> 24) == 127 || (host >> 16) == 0xa9fe ||  // 169.254/16
                           (host >> 28) == 0xe || host == 0;
      if (!skipped && inet_ntop(AF_INET, &v4->sin_addr, text.data(), text.size()) != nullptr) {
        found.insert(text.data());
      }
    } else if (at->ifa_addr->sa_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(at->ifa_addr);
      const in6_addr& address = v6->sin6_addr;
      const bool skipped = IN6_IS_ADDR_LOOPBACK(&address) || IN6_IS_ADDR_LINKLOCAL(&address) ||
                           IN6_IS_ADDR_MULTICAST(&address) || IN6_IS_ADDR_UNSPECIFIED(&address) ||
                           IN6_IS_ADDR_V4MAPPED(&address);
      if (!skipped && inet_ntop(AF_INET6, &address, text.data(), text.size()) != nullptr) {
        found.insert(text.data());
      }
    }
  }
  ::freeifaddrs(list);
  return {found.begin(), found.end()};
}

nlohmann::json machine_facts(const std::string& proc_root) {
  struct utsname names {};
  const bool have_uname = ::uname(&names) == 0;
  const MemoryInfo memory = parse_meminfo(read_small_file(proc_root + "/meminfo"));
  std::string os = parse_os_release_value(read_small_file("/etc/os-release"), "PRETTY_NAME");
  if (os.empty()) {
    os = have_uname ? names.sysname : "unknown";
  }
  return {
      {"hostname", have_uname ? names.nodename : ""},
      {"os", os},
      {"kernel", have_uname ? names.release : ""},
      {"arch", have_uname ? names.machine : ""},
      {"cpus", count_cpus(read_small_file(proc_root + "/stat"))},
      {"memory_bytes", memory.total_bytes},
      {"machine_id", trim(read_small_file("/etc/machine-id"))},
      {"addresses", interface_addresses()},
  };
}

}  // namespace berth::agent::host
