// What each job kind accepts. Checked before a job is stored, so an agent only ever receives
// arguments of the expected shape (it checks again: defence in depth).
#include <regex>

#include "domain/fleet/job_service.hpp"

namespace berth {

namespace {

constexpr std::size_t kMaxArgv = 256;
constexpr std::size_t kMaxArgLength = 8192;
constexpr std::size_t kMaxEnv = 256;
constexpr std::size_t kMaxEnvValue = 32768;
constexpr std::size_t kMaxStdin = 1024 * 1024;
constexpr std::size_t kMaxPath = 4096;

Error bad(std::string field, std::string message) {
  return Error::validation("args." + field, std::move(message));
}

bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

bool is_env_name(std::string_view name) {
  static const std::regex pattern("[A-Za-z_][A-Za-z0-9_]{0,127}");
  return std::regex_match(name.begin(), name.end(), pattern);
}

bool is_docker_name(const nlohmann::json& value) {
  static const std::regex pattern("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  return value.is_string() && std::regex_match(value.get<std::string>(), pattern);
}

bool is_image_ref(const nlohmann::json& value) {
  static const std::regex pattern("[a-z0-9][a-z0-9._/:@-]{0,254}");
  return value.is_string() && std::regex_match(value.get<std::string>(), pattern);
}

Result<void> check_string_map(const nlohmann::json& args, const std::string& field,
                              std::size_t max_entries) {
  if (!args.contains(field)) {
    return {};
  }
  const auto& map = args[field];
  if (!map.is_object() || map.size() > max_entries) {
    return fail(bad(
        field, "must be an object of at most " + std::to_string(max_entries) + " string values"));
  }
  for (const auto& [name, value] : map.items()) {
    if (!is_env_name(name) || !value.is_string() ||
        value.get<std::string>().size() > kMaxEnvValue || has_nul(value.get<std::string>())) {
      return fail(bad(field, "names must match [A-Za-z_][A-Za-z0-9_]* and values be strings"));
    }
  }
  return {};
}

Result<void> check_exec(const nlohmann::json& args) {
  const auto argv = args.find("argv");
  if (argv == args.end() || !argv->is_array() || argv->empty() || argv->size() > kMaxArgv) {
    return fail(bad("argv", "argv must be a non-empty array of at most 256 strings"));
  }
  for (const auto& arg : *argv) {
    if (!arg.is_string() || arg.get<std::string>().size() > kMaxArgLength ||
        has_nul(arg.get<std::string>())) {
      return fail(bad("argv", "every argv element must be a string without NUL"));
    }
  }
  if ((*argv)[0].get<std::string>().empty()) {
    return fail(bad("argv", "argv[0] must name the program"));
  }
  if (auto env = check_string_map(args, "env", kMaxEnv); !env) {
    return env;
  }
  if (args.contains("cwd")) {
    const auto& cwd = args["cwd"];
    if (!cwd.is_string() || cwd.get<std::string>().empty() || cwd.get<std::string>()[0] != '/' ||
        cwd.get<std::string>().size() > kMaxPath || has_nul(cwd.get<std::string>())) {
      return fail(bad("cwd", "cwd must be an absolute path"));
    }
  }
  if (args.contains("stdin") &&
      (!args["stdin"].is_string() || args["stdin"].get<std::string>().size() > kMaxStdin)) {
    return fail(bad("stdin", "stdin must be a string of at most 1 MiB"));
  }
  for (const auto& [key, value] : args.items()) {
    if (key != "argv" && key != "env" && key != "cwd" && key != "stdin") {
      return fail(bad(key, "exec takes argv, env, cwd and stdin only"));
    }
  }
  return {};
}

Result<void> check_docker(std::string_view kind, const nlohmann::json& args) {
  const bool needs_container = kind == "docker.inspect" || kind == "docker.stop" ||
                               kind == "docker.remove" || kind == "docker.logs";
  if (needs_container && !is_docker_name(args.value("container", nlohmann::json()))) {
    return fail(bad("container", "container must be a container name or id"));
  }
  if ((kind == "docker.pull" || kind == "docker.run") &&
      !is_image_ref(args.value("image", nlohmann::json()))) {
    return fail(bad("image", "image must be an image reference such as nginx:1.25"));
  }
  if (kind == "docker.run") {
    if (args.contains("name") && !is_docker_name(args["name"])) {
      return fail(bad("name", "name must match [A-Za-z0-9][A-Za-z0-9_.-]*"));
    }
    if (auto env = check_string_map(args, "env", kMaxEnv); !env) {
      return env;
    }
    if (args.contains("cmd") && !args["cmd"].is_array()) {
      return fail(bad("cmd", "cmd must be an array of strings"));
    }
    if (args.contains("ports")) {
      if (!args["ports"].is_array()) {
        return fail(bad("ports", "ports must be an array"));
      }
      for (const auto& port : args["ports"]) {
        if (!port.is_object() || !port.value("container", nlohmann::json()).is_number_integer() ||
            !port.value("host", nlohmann::json()).is_number_integer()) {
          return fail(bad("ports", "each port needs integer container and host"));
        }
        const auto container = port["container"].get<std::int64_t>();
        const auto host = port["host"].get<std::int64_t>();
        if (container < 1 || container > 65535 || host < 1 || host > 65535) {
          return fail(bad("ports", "ports are 1-65535"));
        }
      }
    }
  }
  return {};
}

// proxy.apply's basic-auth users (edge rules): a bcrypt hash can still be guessed offline.
void hide_basic_auth_hashes(nlohmann::json& route) {
  const nlohmann::json::json_pointer users("/edge/basic_auth/users");
  if (!route.is_object() || !route.contains(users) || !route[users].is_array()) {
    return;
  }
  for (auto& user : route[users]) {
    if (user.is_object() && user.contains("password_hash")) {
      user["password_hash"] = "***";
    }
  }
}

}  // namespace

const std::vector<std::string>& submittable_job_kinds() {
  static const std::vector<std::string> kinds = {"exec",          "docker.list", "docker.inspect",
                                                 "docker.pull",   "docker.run",  "docker.stop",
                                                 "docker.remove", "docker.logs"};
  return kinds;
}

Result<void> check_job_args(std::string_view kind, const nlohmann::json& args) {
  if (!args.is_object()) {
    return fail(Error::validation("args", "args must be an object"));
  }
  if (kind == "exec") {
    return check_exec(args);
  }
  if (kind.starts_with("docker.")) {
    return check_docker(kind, args);
  }
  return fail(Error::validation("kind", "unknown job kind"));
}

nlohmann::json job_args_summary(const nlohmann::json& args) {
  nlohmann::json summary = args;
  for (const char* map : {"env", "secret_build_args"}) {
    if (summary.contains(map) && summary[map].is_object()) {
      for (auto& [name, value] : summary[map].items()) {
        value = "***";
      }
    }
  }
  if (summary.contains("routes") && summary["routes"].is_array()) {
    for (auto& route : summary["routes"]) {
      hide_basic_auth_hashes(route);
    }
  }
  // backup.run / backup.restore: the bucket's keys (the endpoint and bucket stay readable).
  if (summary.contains("s3") && summary["s3"].is_object()) {
    for (const char* secret : {"access_key_id", "secret_access_key"}) {
      if (summary["s3"].contains(secret)) {
        summary["s3"][secret] = "***";
      }
    }
  }
  // Secrets that ride in berthd's own jobs: a git deploy key, one backup's stream key.
  for (const char* secret : {"stdin", "deploy_key", "stream_key"}) {
    if (summary.contains(secret)) {
      summary[secret] = "***";
    }
  }
  // proxy.apply: a custom certificate's private key (the chain is public).
  if (summary.contains("routes") && summary["routes"].is_array()) {
    for (auto& route : summary["routes"]) {
      if (route.is_object() && route.contains("certificate") && route["certificate"].is_object() &&
          route["certificate"].contains("key")) {
        route["certificate"]["key"] = "***";
      }
    }
  }
  return summary;
}

}  // namespace berth
