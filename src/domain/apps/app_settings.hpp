#pragma once
/// An app's run settings as a typed value, with every default in one place: the API completes
/// what a user gave through it (normalize_settings), the pipeline reads deployments through
/// it. Stored (AppRecord.settings, DeploymentRecord.spec) as the JSON to_json writes.
/// Pure; thread-safe.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace berth {

struct HealthCheck {
  std::string path = "/";
  double interval_s = 2;  // seconds may be fractional
  double timeout_s = 2;
  std::int64_t retries = 15;
  double start_period_s = 0;
};

struct Resources {
  double cpus = 0;  // 0: unlimited
  std::int64_t memory_mb = 0;
};

struct VolumeMount {
  std::string source;  // a volume name or an absolute host path
  std::string target;
  bool read_only = false;
};

struct AppSettings {
  std::optional<std::int64_t> port = {};  // required for image and git apps
  HealthCheck health = {};
  Resources resources = {};
  std::vector<VolumeMount> volumes = {};
  std::optional<std::vector<std::string>> command = {};  // the image's own when absent
  bool privileged = false;
  std::string network_mode = "bridge";  // bridge | host
  std::int64_t drain_grace_s = 5;
  std::string pull_policy = "always";  // always | if_not_present | never
};

/// The settings in `json` with the defaults for whatever is missing. Expects JSON of the
/// settings schema (normalize_settings checks it); wrong types fall back to the defaults.
AppSettings settings_from_json(const nlohmann::json& json);
/// The stored shape: every field, `command` only when set; whole seconds as integers.
nlohmann::json to_json(const AppSettings& settings);

}  // namespace berth
