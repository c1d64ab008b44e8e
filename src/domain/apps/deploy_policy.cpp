#include "domain/apps/deploy_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace berth {

namespace {

using nlohmann::json;

// Settings that decide what runs (the rest — health checks, limits, drain time, pull policy —
// only tune how it runs).
constexpr std::array<std::string_view, 5> kRunSettings = {"command", "port", "volumes",
                                                          "privileged", "network_mode"};

bool is_host_path(std::string_view source) { return source.starts_with('/'); }

bool reads_the_server_or_travels_in_clear(std::string_view repository) {
  return repository.starts_with("file:") || repository.starts_with("http://");
}

// The first key whose value differs between two objects, in key order ("" when equal).
std::string first_difference(const json& before, const json& after) {
  std::string found;
  const auto consider = [&](const std::string& key) {
    if (found.empty() || key < found) {
      found = key;
    }
  };
  for (const auto& [key, value] : after.items()) {
    if (!before.contains(key) || before[key] != value) {
      consider(key);
    }
  }
  for (const auto& [key, value] : before.items()) {
    if (!after.contains(key)) {
      consider(key);
    }
  }
  return found;
}

json member_of(const json& object, std::string_view key) {
  return object.is_object() && object.contains(key) ? object[std::string(key)] : json();
}

}  // namespace

std::optional<std::string> guard_of(const RunSpec& spec) {
  const std::string type = spec.source.value("type", "");
  if (type == "workflow") {
    return "source.steps";
  }
  if (type == "git" && reads_the_server_or_travels_in_clear(spec.source.value("repository", ""))) {
    return "source.repository";
  }
  if (spec.settings.value("privileged", false)) {
    return "settings.privileged";
  }
  if (spec.settings.value("network_mode", "bridge") == "host") {
    return "settings.network_mode";
  }
  const json volumes = spec.settings.value("volumes", json::array());
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    // The Docker socket is a host path too: whoever holds it is root on the server.
    if (is_host_path(volumes[i].value("source", ""))) {
      return fmt::format("settings.volumes[{}].source", i);
    }
  }
  return std::nullopt;
}

std::optional<std::string> admin_only_change(const std::optional<RunSpec>& before,
                                             const RunSpec& after) {
  if (!before || !guard_of(*before)) {
    return guard_of(after);
  }
  if (before->source != after.source) {
    const std::string key = first_difference(before->source, after.source);
    return "source" + (key.empty() ? std::string() : "." + key);
  }
  for (const std::string_view key : kRunSettings) {
    if (member_of(before->settings, key) != member_of(after.settings, key)) {
      return "settings." + std::string(key);
    }
  }
  if (before->server_id != after.server_id) {
    return "server_id";
  }
  return std::nullopt;
}

Result<void> namespace_member_volumes(json& settings, const json& before_settings,
                                      std::string_view team_id) {
  constexpr std::size_t kMaxVolumeName = 128;
  if (!settings.contains("volumes")) {
    return {};
  }
  const json old =
      before_settings.is_object() ? before_settings.value("volumes", json::array()) : json::array();
  const std::string prefix = std::string(team_id) + "-";
  auto& volumes = settings["volumes"];
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    const std::string source = volumes[i].value("source", "");
    if (is_host_path(source) || source.starts_with(prefix) ||
        std::find(old.begin(), old.end(), volumes[i]) != old.end()) {
      continue;
    }
    if (prefix.size() + source.size() > kMaxVolumeName) {
      return fail(Error::validation(
          fmt::format("settings.volumes[{}].source", i),
          fmt::format("volume names are at most {} characters with the team's prefix {}",
                      kMaxVolumeName, prefix)));
    }
    volumes[i]["source"] = prefix + source;
  }
  return {};
}

Error admin_required_error(const std::string& field) {
  return Error{.kind = ErrorKind::forbidden,
               .code = "admin_required",
               .message = fmt::format(
                   "only team admins may set {}: host commands, privileged mode, host networking, "
                   "host mounts and file:// or http:// repositories are admin-only, and so is "
                   "every change of what runs on an app that has one of them",
                   field),
               .details = {{"field", field}, {"required_role", "admin"}},
               .internal_detail = {}};
}

}  // namespace berth
