#include "domain/apps/app_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "domain/apps/app_settings.hpp"
#include "domain/apps/spec_text.hpp"

namespace berth {

namespace {

using namespace spec_text;  // NOLINT(google-build-using-namespace): the shared text checks

bool is_valid_volume_name(std::string_view name) {
  return !name.empty() && name.size() <= 128 && alnum(name.front()) &&
         all_of(name, [](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool is_valid_absolute_path(std::string_view path) {
  return !path.empty() && path.size() <= 4096 && path.front() == '/' &&
         path.find("..") == std::string_view::npos && all_of(path, [](char c) {
           return alnum(c) || std::string_view("._/-+@").find(c) != std::string_view::npos;
         });
}

// Seconds may be fractional (an app that starts in 100 ms need not wait a whole second).
json seconds_schema(double minimum) {
  return {{"type", "number"}, {"minimum", minimum}, {"maximum", 3600}};
}

json health_schema() {
  return schema::object({{"path", schema::string(1, 1024)},
                         {"interval_s", seconds_schema(0.1)},
                         {"timeout_s", seconds_schema(0.1)},
                         {"retries", schema::integer(1, 1000)},
                         {"start_period_s", seconds_schema(0)}});
}

json volume_schema() {
  return schema::object({{"source", schema::string(1, 4096)},
                         {"target", schema::string(1, 4096)},
                         {"read_only", schema::boolean()}},
                        {"source", "target"});
}

Result<void> check_volumes(const json& volumes) {
  std::set<std::string> targets;
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    const std::string field = fmt::format("settings.volumes[{}]", i);
    const std::string source = volumes[i]["source"].get<std::string>();
    const std::string target = volumes[i]["target"].get<std::string>();
    if (!is_valid_volume_name(source) && !is_valid_absolute_path(source)) {
      return fail(Error::validation(field + ".source",
                                    "source must be a volume name or an absolute host path"));
    }
    if (!is_valid_absolute_path(target) || target == "/") {
      return fail(Error::validation(field + ".target",
                                    "target must be an absolute path inside the container"));
    }
    if (!targets.insert(target).second) {
      return fail(Error::validation(field + ".target", "two volumes have the same target"));
    }
  }
  return {};
}
}  // namespace

bool is_valid_app_name(std::string_view name) {
  return !name.empty() && name.size() <= 63 && lower_alnum(name.front()) &&
         all_of(name, [](char c) { return lower_alnum(c) || c == '-'; });
}

Result<void> check_app_name(std::string_view name, std::string_view field) {
  if (is_valid_app_name(name)) {
    return {};
  }
  return fail(Error::validation(
      std::string(field),
      fmt::format("{} must be 1-63 lower-case letters, digits or '-', starting with a letter or "
                  "digit",
                  field)));
}

bool is_valid_hostname(std::string_view hostname) {
  if (hostname.empty() || hostname.size() > 253) {
    return false;
  }
  std::size_t start = 0;
  while (start <= hostname.size()) {
    const std::size_t dot = std::min(hostname.find('.', start), hostname.size());
    const std::string_view label = hostname.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !all_of(label, [](char c) { return lower_alnum(c) || c == '-'; })) {
      return false;
    }
    start = dot + 1;
  }
  return true;
}

bool is_valid_app_hostname(std::string_view hostname) {
  if (!is_valid_hostname(hostname) || hostname.find('.') == std::string_view::npos) {
    return false;
  }
  return !all_of(hostname, [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool is_local_service_port(std::int64_t port) {
  static constexpr std::array<std::int64_t, 7> kServerPorts = {22, 53, 80, 443, 2019, 2375, 2376};
  return std::find(kServerPorts.begin(), kServerPorts.end(), port) != kServerPorts.end();
}

bool is_valid_env_key(std::string_view key) {
  const auto word = [](char c) { return alnum(c) || c == '_'; };
  return !key.empty() && key.size() <= 128 &&
         (word(key.front()) && !(key.front() >= '0' && key.front() <= '9')) && all_of(key, word);
}

json settings_schema() {
  json cpus = {{"type", "number"}, {"minimum", 0}, {"maximum", 64}};
  json volumes = schema::array_of(volume_schema());
  volumes["maxItems"] = 32;
  json command = schema::array_of(schema::string(0, kMaxValue));
  command["type"] = {"array", "null"};
  command["maxItems"] = 256;
  return schema::object(
      {{"port", schema::integer(1, 65535)},
       {"health", health_schema()},
       {"resources",
        schema::object({{"cpus", cpus}, {"memory_mb", schema::integer(0, 4 * 1024 * 1024)}})},
       {"volumes", volumes},
       {"command", command},
       {"privileged", schema::boolean()},
       {"network_mode", schema::one_of_strings({"bridge", "host"})},
       {"drain_grace_s", schema::integer(0, 300)},
       {"pull_policy", schema::one_of_strings({"always", "if_not_present", "never"})}});
}

Result<json> normalize_settings(const json& settings, std::string_view source_type) {
  if (auto ok = validate_as("settings", settings_schema(), settings); !ok) {
    return fail(std::move(ok.error()));
  }
  const AppSettings typed = settings_from_json(settings);  // the defaults live there
  if (!typed.port && source_type != "workflow") {
    return fail(
        Error::validation("settings.port", "settings.port (the container's port) is required"));
  }
  // A workflow's or a host-network app's port is a port of the server itself.
  const bool host_port = source_type == "workflow" || typed.network_mode == "host";
  if (host_port && typed.port && is_local_service_port(*typed.port)) {
    return fail(Error::validation(
        "settings.port",
        fmt::format("port {} belongs to the server itself (ssh, DNS, Caddy or the Docker API); "
                    "the proxy never routes an app there",
                    *typed.port)));
  }
  const std::string& path = typed.health.path;
  if (path.front() != '/' || std::any_of(path.begin(), path.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F;
      })) {
    return fail(Error::validation("settings.health.path",
                                  "the health path must start with '/' and hold no spaces"));
  }
  json out = to_json(typed);
  if (auto ok = check_volumes(out["volumes"]); !ok) {
    return fail(std::move(ok.error()));
  }
  if (typed.command && typed.command->empty()) {
    return fail(Error::validation("settings.command", "command needs at least the program"));
  }
  return out;
}

}  // namespace berth
