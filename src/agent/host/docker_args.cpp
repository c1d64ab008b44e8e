#include "agent/host/docker_args.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <initializer_list>

namespace berth::agent::host {
namespace {

Error invalid_arg(std::string_view field, std::string_view message) {
  return Error{.kind = ErrorKind::invalid,
               .code = "invalid_args",
               .message = std::string(field) + ": " + std::string(message),
               .details = {{"field", field}},
               .internal_detail = {}};
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

template <class Pred>
bool all_of(std::string_view text, Pred pred) {
  return std::all_of(text.begin(), text.end(), pred);
}

// The object of arguments, with nothing outside `allowed`; null reads as no arguments.
Result<nlohmann::json> known_fields(const nlohmann::json& args,
                                    std::initializer_list<std::string_view> allowed) {
  if (args.is_null()) {
    return nlohmann::json::object();
  }
  if (!args.is_object()) {
    return fail(invalid_arg("args", "must be an object"));
  }
  for (const auto& [key, value] : args.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return fail(invalid_arg(key, "unknown field"));
    }
  }
  return args;
}

Result<std::string> container_field(const nlohmann::json& args) {
  const auto found = args.find("container");
  if (found == args.end() || !found->is_string()) {
    return fail(invalid_arg("container", "required, a string"));
  }
  auto value = found->get<std::string>();
  if (!is_valid_container_ref(value)) {
    return fail(invalid_arg("container", "must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}"));
  }
  return value;
}

Result<bool> bool_field(const nlohmann::json& args, const char* key, bool fallback) {
  const auto found = args.find(key);
  if (found == args.end() || found->is_null()) {
    return fallback;
  }
  if (!found->is_boolean()) {
    return fail(invalid_arg(key, "must be a boolean"));
  }
  return found->get<bool>();
}

Result<std::optional<int>> int_field(const nlohmann::json& args, const char* key, int min,
                                     int max) {
  const auto found = args.find(key);
  if (found == args.end() || found->is_null()) {
    return std::optional<int>();
  }
  if (!found->is_number_integer()) {
    return fail(invalid_arg(key, "must be an integer"));
  }
  const auto value = found->get<std::int64_t>();
  if (value < min || value > max) {
    return fail(
        invalid_arg(key, "must be between " + std::to_string(min) + " and " + std::to_string(max)));
  }
  return std::optional<int>(static_cast<int>(value));
}

bool is_path_component(std::string_view part) {
  return !part.empty() && is_lower_alnum(part.front()) && is_lower_alnum(part.back()) &&
         all_of(part, [](char c) { return is_lower_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

// A registry host: "localhost", a name with a dot, or either with a numeric port.
bool is_registry_host(std::string_view part) {
  const auto colon = part.find(':');
  const auto host = part.substr(0, colon);
  if (colon != part.npos) {
    const auto port = part.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !all_of(port, [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
  }
  const bool looks_like_host =
      host == "localhost" || host.find('.') != host.npos || colon != part.npos;
  return looks_like_host && !host.empty() && is_alnum(host.front()) && is_alnum(host.back()) &&
         all_of(host, [](char c) { return is_alnum(c) || c == '.' || c == '-'; });
}

bool is_image_name(std::string_view name) {
  bool first = true;
  while (true) {
    const auto slash = name.find('/');
    const auto part = name.substr(0, slash);
    const bool ok =
        (first && slash != name.npos && is_registry_host(part)) || is_path_component(part);
    if (!ok) {
      return false;
    }
    if (slash == name.npos) {
      return true;
    }
    name.remove_prefix(slash + 1);
    first = false;
  }
}

Result<std::map<std::string, std::string>> string_map(const nlohmann::json& args, const char* key) {
  std::map<std::string, std::string> out;
  const auto found = args.find(key);
  if (found == args.end() || found->is_null()) {
    return out;
  }
  if (!found->is_object()) {
    return fail(invalid_arg(key, "must be an object of strings"));
  }
  for (const auto& [name, value] : found->items()) {
    if (!value.is_string()) {
      return fail(invalid_arg(key, "value of '" + name + "' must be a string"));
    }
    const auto text = value.get<std::string>();
    if (name.empty() || name.size() > 1024 ||
        name.find_first_of(std::string_view("=\0", 2)) != name.npos ||
        text.find('\0') != text.npos) {
      return fail(invalid_arg(key, "names must be 1-1024 characters without '=' or NUL"));
    }
    out.emplace(name, text);
  }
  return out;
}

Result<PortBinding> port_binding(const nlohmann::json& entry) {
  auto fields = known_fields(entry, {"container", "host", "host_ip", "protocol"});
  if (!fields || entry.is_null()) {
    return fail(invalid_arg("ports", "each entry must be an object {container, host, host_ip}"));
  }
  PortBinding binding;
  auto container = int_field(entry, "container", 1, 65535);
  auto host = int_field(entry, "host", 1, 65535);
  if (!container || !container->has_value() || !host || !host->has_value()) {
    return fail(invalid_arg("ports", "container and host must be ports 1-65535"));
  }
  binding.container_port = **container;
  binding.host_port = **host;
  if (const auto ip = entry.find("host_ip"); ip != entry.end()) {
    unsigned char address[16];
    const std::string text = ip->is_string() ? ip->get<std::string>() : "";
    if (::inet_pton(AF_INET, text.c_str(), address) != 1 &&
        ::inet_pton(AF_INET6, text.c_str(), address) != 1) {
      return fail(invalid_arg("ports", "host_ip must be an IPv4 or IPv6 address"));
    }
    binding.host_ip = text;
  }
  if (const auto protocol = entry.find("protocol"); protocol != entry.end()) {
    if (*protocol != "tcp" && *protocol != "udp") {
      return fail(invalid_arg("ports", "protocol must be tcp or udp"));
    }
    binding.protocol = protocol->get<std::string>();
  }
  return binding;
}

}  // namespace

bool is_valid_container_ref(std::string_view text) {
  return !text.empty() && text.size() <= 128 && is_alnum(text.front()) &&
         all_of(text, [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

Result<ImageRef> parse_image_ref(std::string_view text) {
  if (text.empty() || text.size() > 255) {
    return fail(invalid_arg("image", "must be 1-255 characters"));
  }
  ImageRef ref;
  std::string_view name = text;
  if (const auto at = text.find('@'); at != text.npos) {
    name = text.substr(0, at);
    const auto digest = text.substr(at + 1);
    const auto colon = digest.find(':');
    const bool ok = colon != digest.npos && colon > 0 && digest.size() - colon - 1 >= 32 &&
                    all_of(digest.substr(0, colon), is_lower_alnum) &&
                    all_of(digest.substr(colon + 1), is_hex);
    if (!ok) {
      return fail(invalid_arg("image", "digest must look like sha256:<hex>"));
    }
    ref.digest = std::string(digest);
  } else if (const auto colon = text.rfind(':');
             colon != text.npos && (text.rfind('/') == text.npos || colon > text.rfind('/'))) {
    name = text.substr(0, colon);
    const auto tag = text.substr(colon + 1);
    const bool ok =
        !tag.empty() && tag.size() <= 128 && (is_alnum(tag.front()) || tag.front() == '_') &&
        all_of(tag, [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
    if (!ok) {
      return fail(invalid_arg("image", "tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"));
    }
    ref.tag = std::string(tag);
  } else {
    ref.tag = "latest";
  }
  if (!is_image_name(name)) {
    return fail(invalid_arg("image", "name must be [registry/]path of lower-case components"));
  }
  ref.name = std::string(name);
  ref.canonical = ref.digest.empty() ? ref.name + ":" + ref.tag : ref.name + "@" + ref.digest;
  return ref;
}

Result<bool> parse_list_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"all"});
  if (!fields) {
    return fail(fields.error());
  }
  return bool_field(*fields, "all", false);
}

Result<std::string> parse_inspect_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"container"});
  if (!fields) {
    return fail(fields.error());
  }
  return container_field(*fields);
}

Result<ImageRef> parse_pull_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"image"});
  if (!fields) {
    return fail(fields.error());
  }
  const auto image = fields->find("image");
  if (image == fields->end() || !image->is_string()) {
    return fail(invalid_arg("image", "required, a string"));
  }
  return parse_image_ref(image->get<std::string>());
}

Result<StopArgs> parse_stop_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"container", "timeout_seconds"});
  if (!fields) {
    return fail(fields.error());
  }
  auto container = container_field(*fields);
  auto timeout = int_field(*fields, "timeout_seconds", 0, 3600);
  if (!container || !timeout) {
    return fail(!container ? container.error() : timeout.error());
  }
  return StopArgs{.container = *container, .timeout_seconds = timeout->value_or(10)};
}

Result<RemoveArgs> parse_remove_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"container", "force"});
  if (!fields) {
    return fail(fields.error());
  }
  auto container = container_field(*fields);
  auto force = bool_field(*fields, "force", false);
  if (!container || !force) {
    return fail(!container ? container.error() : force.error());
  }
  return RemoveArgs{.container = *container, .force = *force};
}

Result<LogsArgs> parse_logs_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"container", "tail"});
  if (!fields) {
    return fail(fields.error());
  }
  auto container = container_field(*fields);
  auto tail = int_field(*fields, "tail", 0, 1'000'000);
  if (!container || !tail) {
    return fail(!container ? container.error() : tail.error());
  }
  return LogsArgs{.container = *container, .tail = *tail};
}

Result<RunArgs> parse_run_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"image", "name", "cmd", "env", "ports", "labels", "restart"});
  if (!fields) {
    return fail(fields.error());
  }
  RunArgs run;
  auto image = parse_pull_args(nlohmann::json{{"image", fields->value("image", nlohmann::json())}});
  if (!image) {
    return fail(image.error());
  }
  run.image = std::move(*image);
  if (const auto name = fields->find("name"); name != fields->end() && !name->is_null()) {
    if (!name->is_string() || !is_valid_container_ref(name->get<std::string>())) {
      return fail(invalid_arg("name", "must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}"));
    }
    run.name = name->get<std::string>();
  }
  if (const auto cmd = fields->find("cmd"); cmd != fields->end() && !cmd->is_null()) {
    const bool ok =
        cmd->is_array() && !cmd->empty() &&
        std::all_of(cmd->begin(), cmd->end(), [](const auto& arg) {
          return arg.is_string() && arg.template get<std::string>().find('\0') == std::string::npos;
        });
    if (!ok) {
      return fail(invalid_arg("cmd", "must be a non-empty array of strings"));
    }
    run.cmd = cmd->get<std::vector<std::string>>();
  }
  auto env = string_map(*fields, "env");
  auto labels = string_map(*fields, "labels");
  if (!env || !labels) {
    return fail(!env ? env.error() : labels.error());
  }
  run.env = std::move(*env);
  run.labels = std::move(*labels);
  if (const auto ports = fields->find("ports"); ports != fields->end() && !ports->is_null()) {
    if (!ports->is_array()) {
      return fail(invalid_arg("ports", "must be an array"));
    }
    for (const auto& entry : *ports) {
      auto binding = port_binding(entry);
      if (!binding) {
        return fail(binding.error());
      }
      run.ports.push_back(std::move(*binding));
    }
  }
  if (const auto restart = fields->find("restart");
      restart != fields->end() && !restart->is_null()) {
    static constexpr std::string_view kPolicies[] = {"no", "always", "unless-stopped",
                                                     "on-failure"};
    const std::string text = restart->is_string() ? restart->get<std::string>() : "";
    if (std::find(std::begin(kPolicies), std::end(kPolicies), text) == std::end(kPolicies)) {
      return fail(invalid_arg("restart", "must be no, always, unless-stopped or on-failure"));
    }
    run.restart = text;
  }
  return run;
}

nlohmann::json container_create_body(const RunArgs& run) {
  nlohmann::json env = nlohmann::json::array();
  for (const auto& [name, value] : run.env) {
    env.push_back(name + "=" + value);
  }
  nlohmann::json exposed = nlohmann::json::object();
  nlohmann::json bindings = nlohmann::json::object();
  for (const auto& port : run.ports) {
    const std::string key = std::to_string(port.container_port) + "/" + port.protocol;
    exposed[key] = nlohmann::json::object();
    bindings[key].push_back(
        {{"HostIp", port.host_ip}, {"HostPort", std::to_string(port.host_port)}});
  }
  nlohmann::json body = {
      {"Image", run.image.canonical},
      {"Env", env},
      {"Labels", run.labels},
      {"ExposedPorts", exposed},
      {"HostConfig", {{"PortBindings", bindings}, {"RestartPolicy", {{"Name", run.restart}}}}},
  };
  if (run.cmd.has_value()) {
    body["Cmd"] = *run.cmd;
  }
  return body;
}

}  // namespace berth::agent::host
