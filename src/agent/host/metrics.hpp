#pragma once
/// The heartbeat's `metrics` object and the hello's `facts` (docs/protocol.md), read from /proc,
/// /etc and statvfs. Cheap enough to run every 30 s: a handful of small reads, no processes.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/host/proc_parse.hpp"

namespace berth::agent::host {

/// Samples the machine. Not thread-safe: one caller (the heartbeat) at a time.
class MetricsSampler {
 public:
  /// `proc_root` is read instead of /proc (tests point it at fixture files). A non-empty
  /// `mounts_override` lists the mount points whose disks are reported, instead of every
  /// real filesystem of `<proc_root>/self/mounts`.
  explicit MetricsSampler(std::string proc_root = "/proc",
                          std::vector<std::string> mounts_override = {});

  /// {cpu_percent, load, uptime_seconds, memory, swap, disks, network}. `cpu_percent` covers
  /// the time since the previous sample (since boot for the first). Files that cannot be read
  /// give zeros; a mount statvfs refuses is left out.
  nlohmann::json sample();

 private:
  std::string proc_root_;
  std::vector<std::string> mounts_override_;
  CpuTimes previous_cpu_ = {};
};

/// {hostname, os, kernel, arch, cpus, memory_bytes, machine_id, addresses}: os is PRETTY_NAME
/// of /etc/os-release, machine_id is /etc/machine-id ("" when absent), cpus and memory come
/// from `<proc_root>/stat` and `<proc_root>/meminfo`, addresses from interface_addresses().
nlohmann::json machine_facts(const std::string& proc_root = "/proc");

/// The machine's IPv4 and IPv6 addresses that others may reach it at: every interface
/// address except loopback, link-local, multicast and unspecified ones, sorted, no repeats.
/// berthd compares a domain's DNS records with them (an admin may state others).
std::vector<std::string> interface_addresses();

/// A file's whole text, or "" when it cannot be read (missing, unreadable).
std::string read_small_file(const std::string& path);

}  // namespace berth::agent::host
