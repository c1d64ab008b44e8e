#pragma once
/// The state of one deployment while the pipeline runs it (private to pipeline*.cpp).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/apps/app_settings.hpp"
#include "domain/deploy/pipeline.hpp"

namespace berth {

struct Pipeline::Run {
  DeploymentRecord dep;
  AppRecord app = {};
  std::optional<DeploymentRecord> previous = {};  // the deployment serving before this one
  bool previous_running = false;                  // its container is up (the app not stopped)
  nlohmann::json source = nlohmann::json::object();
  AppSettings settings = {};
  std::map<std::string, std::string> env = {};
  std::string deploy_key = {};  // the server's git deploy key; "" when it has none
  /// The private networks of the services the app is linked to (its project's), joined besides
  /// the bridge.
  std::vector<std::string> networks = {};
  bool started = false;   // the new container may exist
  bool switched = false;  // the proxy sends traffic to the new version
};

}  // namespace berth
