#pragma once
/// Turns successive heartbeat snapshots into the `event` messages of docs/protocol.md: Docker
/// going away or coming back, and a disk filling up (once when it passes 90 %, again only
/// after it fell below 85 %). Pure; one instance per agent, called from the session's thread.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace berth::agent {

class HostEvents {
 public:
  /// The events ({kind, details}) this snapshot causes, given the ones before it.
  std::vector<nlohmann::json> observe(const nlohmann::json& docker, const nlohmann::json& metrics);

 private:
  std::string docker_status_;             // "" before the first snapshot
  std::map<std::string, bool> disk_low_;  // mount → reported low
};

}  // namespace berth::agent
