#include "agent/host_events.hpp"

namespace berth::agent {

namespace {
constexpr double kDiskLow = 0.90;
constexpr double kDiskRecovered = 0.85;
}  // namespace

std::vector<nlohmann::json> HostEvents::observe(const nlohmann::json& docker,
                                                const nlohmann::json& metrics) {
  std::vector<nlohmann::json> events;
  const std::string status = docker.is_object() ? docker.value("status", "") : "";
  // The first snapshot reports only trouble; later ones report every change.
  if (!status.empty() && status != docker_status_ &&
      !(docker_status_.empty() && status == "online")) {
    events.push_back({{"kind", status == "online" ? "docker_up" : "docker_down"},
                      {"details",
                       {{"from", docker_status_.empty() ? "unknown" : docker_status_},
                        {"to", status},
                        {"reason", docker.value("reason", "")}}}});
  }
  docker_status_ = status;

  const auto disks = metrics.is_object() ? metrics.value("disks", nlohmann::json::array())
                                         : nlohmann::json::array();
  for (const auto& disk : disks) {
    const double total = disk.value("total_bytes", 0.0);
    if (!disk.is_object() || total <= 0) {
      continue;
    }
    const std::string mount = disk.value("mount", "");
    const double used = disk.value("used_bytes", 0.0) / total;
    bool& low = disk_low_[mount];
    if (!low && used >= kDiskLow) {
      low = true;
      events.push_back({{"kind", "disk_low"},
                        {"details",
                         {{"mount", mount},
                          {"used_percent", used * 100},
                          {"available_bytes", disk.value("available_bytes", 0.0)}}}});
    } else if (low && used < kDiskRecovered) {
      low = false;
    }
  }
  return events;
}

}  // namespace berth::agent
