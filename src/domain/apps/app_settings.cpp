#include "domain/apps/app_settings.hpp"

#include <cmath>

namespace berth {

namespace {

using nlohmann::json;

// A member of the given type, else the fallback: the schema has been checked already, so a
// mismatch only comes from old or hand-written rows, which get the default.
template <class T>
T member(const json& object, const char* key, T fallback) {
  if (!object.is_object()) {
    return fallback;
  }
  const auto found = object.find(key);
  if (found == object.end()) {
    return fallback;
  }
  if constexpr (std::is_same_v<T, bool>) {
    return found->is_boolean() ? found->get<bool>() : fallback;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return found->is_string() ? found->get<std::string>() : fallback;
  } else if constexpr (std::is_same_v<T, double>) {
    return found->is_number() ? found->get<double>() : fallback;
  } else {
    return found->is_number_integer() ? found->get<T>() : fallback;
  }
}

// A number as given: 2 stays 2, 0.5 stays 0.5 (seconds, cpus).
json number_json(double value) {
  if (std::floor(value) == value && std::abs(value) < 1e15) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

}  // namespace

AppSettings settings_from_json(const json& in) {
  AppSettings out;
  if (in.is_object() && in.contains("port") && in["port"].is_number_integer()) {
    out.port = in["port"].get<std::int64_t>();
  }
  const json health = in.is_object() ? in.value("health", json::object()) : json::object();
  out.health =
      HealthCheck{.path = member(health, "path", out.health.path),
                  .interval_s = member(health, "interval_s", out.health.interval_s),
                  .timeout_s = member(health, "timeout_s", out.health.timeout_s),
                  .retries = member(health, "retries", out.health.retries),
                  .start_period_s = member(health, "start_period_s", out.health.start_period_s)};
  const json resources = in.is_object() ? in.value("resources", json::object()) : json::object();
  out.resources = Resources{.cpus = member(resources, "cpus", out.resources.cpus),
                            .memory_mb = member(resources, "memory_mb", out.resources.memory_mb)};
  if (in.is_object() && in.contains("volumes") && in["volumes"].is_array()) {
    for (const auto& volume : in["volumes"]) {
      out.volumes.push_back(VolumeMount{.source = member(volume, "source", std::string()),
                                        .target = member(volume, "target", std::string()),
                                        .read_only = member(volume, "read_only", false)});
    }
  }
  if (in.is_object() && in.contains("command") && in["command"].is_array()) {
    std::vector<std::string> command;
    for (const auto& arg : in["command"]) {
      command.push_back(arg.is_string() ? arg.get<std::string>() : std::string());
    }
    out.command = std::move(command);
  }
  out.privileged = member(in, "privileged", out.privileged);
  out.network_mode = member(in, "network_mode", out.network_mode);
  out.drain_grace_s = member(in, "drain_grace_s", out.drain_grace_s);
  out.pull_policy = member(in, "pull_policy", out.pull_policy);
  return out;
}

json to_json(const AppSettings& settings) {
  json volumes = json::array();
  for (const auto& volume : settings.volumes) {
    volumes.push_back(
        {{"source", volume.source}, {"target", volume.target}, {"read_only", volume.read_only}});
  }
  json out = {{"health",
               {{"path", settings.health.path},
                {"interval_s", number_json(settings.health.interval_s)},
                {"timeout_s", number_json(settings.health.timeout_s)},
                {"retries", settings.health.retries},
                {"start_period_s", number_json(settings.health.start_period_s)}}},
              {"resources",
               {{"cpus", number_json(settings.resources.cpus)},
                {"memory_mb", settings.resources.memory_mb}}},
              {"volumes", std::move(volumes)},
              {"privileged", settings.privileged},
              {"network_mode", settings.network_mode},
              {"drain_grace_s", settings.drain_grace_s},
              {"pull_policy", settings.pull_policy}};
  if (settings.port) {
    out["port"] = *settings.port;
  }
  if (settings.command) {
    out["command"] = *settings.command;
  }
  return out;
}

}  // namespace berth
