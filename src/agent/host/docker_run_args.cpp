// docker.run's and docker.build's arguments: the two kinds whose arguments become Engine
// request bodies and query strings, so every field is checked against a closed character set.

#include <arpa/inet.h>

#include <algorithm>
#include <filesystem>

#include "agent/host/docker_args.hpp"
#include "agent/host/job_args.hpp"

namespace berth::agent::host {

namespace {

bool has_dot_dot(std::string_view path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto part = path.substr(start, slash == path.npos ? path.npos : slash - start);
    if (part == "..") {
      return true;
    }
    if (slash == path.npos) {
      return false;
    }
    start = slash + 1;
  }
  return false;
}

}  // namespace

bool is_absolute_path(std::string_view path) {
  return !path.empty() && path.size() <= 4096 && path.front() == '/' &&
         !has_space_or_control(path) && !has_dot_dot(path);
}

bool is_volume_name(std::string_view name) {
  return !name.empty() && name.size() <= 128 && is_ascii_alnum(name.front()) &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return is_ascii_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

namespace {

Result<PortBinding> port_binding(const nlohmann::json& entry) {
  auto fields = known_fields(entry, {"container", "host", "host_port", "host_ip", "protocol"});
  if (!fields || entry.is_null()) {
    return fail(invalid_arg("ports", "each entry must be an object {container, host, host_ip}"));
  }
  if (entry.contains("host") && entry.contains("host_port")) {
    return fail(invalid_arg("ports", "give host or host_port, not both"));
  }
  PortBinding binding;
  auto container = int_field(entry, "container", 1, 65535);
  auto host = int_field(entry, entry.contains("host_port") ? "host_port" : "host", 0, 65535);
  if (!container || !container->has_value() || !host || !host->has_value()) {
    return fail(invalid_arg(
        "ports", "container must be a port 1-65535 and host_port 0-65535 (0: any free port)"));
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

Result<VolumeMount> volume_mount(const nlohmann::json& entry) {
  auto fields = known_fields(entry, {"source", "target", "read_only"});
  if (!fields || !entry.is_object()) {
    return fail(invalid_arg("volumes", "each entry must be an object {source, target, read_only}"));
  }
  const auto source = entry.value("source", nlohmann::json());
  const auto target = entry.value("target", nlohmann::json());
  auto read_only = bool_field(entry, "read_only", false);
  if (!source.is_string() ||
      !(is_volume_name(source.get<std::string>()) || is_absolute_path(source.get<std::string>()))) {
    return fail(invalid_arg("volumes", "source must be a volume name or an absolute host path"));
  }
  if (!target.is_string() || !is_absolute_path(target.get<std::string>()) || target == "/") {
    return fail(invalid_arg("volumes", "target must be an absolute path other than /"));
  }
  if (!read_only) {
    return fail(invalid_arg("volumes", "read_only must be a boolean"));
  }
  return VolumeMount{.source = source.get<std::string>(),
                     .target = target.get<std::string>(),
                     .read_only = *read_only};
}

// A DNS label: what other containers on a network resolve.
bool is_network_alias(std::string_view alias) {
  return !alias.empty() && alias.size() <= 63 && is_ascii_alnum(alias.front()) &&
         is_ascii_alnum(alias.back()) && std::all_of(alias.begin(), alias.end(), [](char c) {
           return is_ascii_alnum(c) || c == '-';
         });
}

Result<NetworkAttachment> network_attachment(const nlohmann::json& entry) {
  auto fields = known_fields(entry, {"name", "aliases"});
  if (!fields || !entry.is_object()) {
    return fail(invalid_arg("networks", "each entry must be an object {name, aliases}"));
  }
  const auto name = entry.value("name", nlohmann::json());
  if (!name.is_string() || !is_valid_container_ref(name.get<std::string>()) || name == "bridge" ||
      name == "host" || name == "none") {
    return fail(invalid_arg(
        "networks", "name must be a user-defined network [A-Za-z0-9][A-Za-z0-9_.-]{0,127}"));
  }
  NetworkAttachment attachment{.name = name.get<std::string>(), .aliases = {}};
  const auto aliases = entry.value("aliases", nlohmann::json::array());
  if (!aliases.is_array() || aliases.size() > 8) {
    return fail(invalid_arg("networks", "aliases must be an array of at most 8 DNS labels"));
  }
  for (const auto& alias : aliases) {
    if (!alias.is_string() || !is_network_alias(alias.get<std::string>())) {
      return fail(invalid_arg("networks", "each alias must be a DNS label [A-Za-z0-9-]{1,63}"));
    }
    attachment.aliases.push_back(alias.get<std::string>());
  }
  return attachment;
}

template <class T, class Parse>
Result<std::vector<T>> array_of(const nlohmann::json& fields, const char* key, Parse parse) {
  std::vector<T> out;
  const auto found = fields.find(key);
  if (found == fields.end() || found->is_null()) {
    return out;
  }
  if (!found->is_array()) {
    return fail(invalid_arg(key, "must be an array"));
  }
  for (const auto& entry : *found) {
    auto item = parse(entry);
    if (!item) {
      return fail(item.error());
    }
    out.push_back(std::move(*item));
  }
  return out;
}

// Everything of run's arguments past the image, name and command.
std::optional<Error> parse_host_config(const nlohmann::json& fields, RunArgs& run) {
  auto ports = array_of<PortBinding>(fields, "ports", port_binding);
  auto volumes = array_of<VolumeMount>(fields, "volumes", volume_mount);
  auto networks = array_of<NetworkAttachment>(fields, "networks", network_attachment);
  auto memory = int64_field(fields, "memory_bytes", 0, INT64_MAX);
  auto cpus = int64_field(fields, "nano_cpus", 0, INT64_MAX);
  auto privileged = bool_field(fields, "privileged", false);
  for (const Error* error :
       {!ports ? &ports.error() : nullptr, !volumes ? &volumes.error() : nullptr,
        !memory ? &memory.error() : nullptr, !cpus ? &cpus.error() : nullptr,
        !privileged ? &privileged.error() : nullptr, !networks ? &networks.error() : nullptr}) {
    if (error != nullptr) {
      return *error;
    }
  }
  run.ports = std::move(*ports);
  run.volumes = std::move(*volumes);
  run.memory_bytes = memory->value_or(0);
  run.nano_cpus = cpus->value_or(0);
  run.privileged = *privileged;
  run.networks = std::move(*networks);
  for (std::size_t i = 0; i < run.networks.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (run.networks[i].name == run.networks[j].name) {
        return invalid_arg("networks", "a network is named twice");
      }
    }
  }
  if (const auto mode = fields.find("network_mode"); mode != fields.end() && !mode->is_null()) {
    const std::string text = mode->is_string() ? mode->get<std::string>() : "";
    const bool named = std::any_of(run.networks.begin(), run.networks.end(),
                                   [&text](const auto& network) { return network.name == text; });
    if (text != "bridge" && text != "host" && text != "none" && !named) {
      return invalid_arg("network_mode", "must be bridge, host, none or one of networks");
    }
    run.network_mode = text;
  }
  if (run.network_mode == "host" && !run.networks.empty()) {
    return invalid_arg("networks", "a container on the host's network joins no other");
  }
  if (run.network_mode == "none" && !run.networks.empty()) {
    return invalid_arg("networks", "a container without a network joins none");
  }
  if (const auto restart = fields.find("restart"); restart != fields.end() && !restart->is_null()) {
    static constexpr std::string_view kPolicies[] = {"no", "always", "unless-stopped",
                                                     "on-failure"};
    const std::string text = restart->is_string() ? restart->get<std::string>() : "";
    if (std::find(std::begin(kPolicies), std::end(kPolicies), text) == std::end(kPolicies)) {
      return invalid_arg("restart", "must be no, always, unless-stopped or on-failure");
    }
    run.restart = text;
  }
  return std::nullopt;
}

}  // namespace

Result<RunArgs> parse_run_args(const nlohmann::json& args) {
  auto fields =
      known_fields(args, {"image", "name", "cmd", "env", "ports", "labels", "restart", "volumes",
                          "memory_bytes", "nano_cpus", "privileged", "network_mode", "networks"});
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
  if (auto error = parse_host_config(*fields, run)) {
    return fail(std::move(*error));
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
    // An empty HostPort asks the Engine for any free port.
    bindings[key].push_back(
        {{"HostIp", port.host_ip},
         {"HostPort", port.host_port == 0 ? std::string() : std::to_string(port.host_port)}});
  }
  nlohmann::json mounts = nlohmann::json::array();
  for (const auto& volume : run.volumes) {
    mounts.push_back({{"Type", volume.source.front() == '/' ? "bind" : "volume"},
                      {"Source", volume.source},
                      {"Target", volume.target},
                      {"ReadOnly", volume.read_only}});
  }
  nlohmann::json body = {
      {"Image", run.image.canonical},
      {"Env", env},
      {"Labels", run.labels},
      {"ExposedPorts", exposed},
      {"HostConfig",
       {{"PortBindings", bindings},
        {"RestartPolicy", {{"Name", run.restart}}},
        {"Mounts", mounts},
        {"Memory", run.memory_bytes},
        {"NanoCpus", run.nano_cpus},
        {"Privileged", run.privileged},
        {"NetworkMode", run.network_mode}}},
  };
  if (run.cmd.has_value()) {
    body["Cmd"] = *run.cmd;
  }
  for (const auto& network : run.networks) {
    if (network.name == run.network_mode) {
      body["NetworkingConfig"] = {
          {"EndpointsConfig", {{network.name, {{"Aliases", network.aliases}}}}}};
    }
  }
  return body;
}

std::vector<NetworkAttachment> networks_to_connect(const RunArgs& run) {
  std::vector<NetworkAttachment> out;
  for (const auto& network : run.networks) {
    if (network.name != run.network_mode) {
      out.push_back(network);
    }
  }
  return out;
}

Result<NetworkArgs> parse_network_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"action", "name", "labels", "internal"});
  if (!fields) {
    return fail(fields.error());
  }
  NetworkArgs network;
  const auto action = fields->value("action", nlohmann::json());
  if (action != "ensure" && action != "remove") {
    return fail(invalid_arg("action", "must be ensure or remove"));
  }
  network.action = action.get<std::string>();
  auto attachment = network_attachment({{"name", fields->value("name", nlohmann::json())}});
  if (!attachment) {
    return fail(
        invalid_arg("name", "must be a user-defined network [A-Za-z0-9][A-Za-z0-9_.-]{0,127}"));
  }
  network.name = attachment->name;
  auto labels = string_map(*fields, "labels");
  auto internal = bool_field(*fields, "internal", false);
  if (!labels || !internal) {
    return fail(!labels ? labels.error() : internal.error());
  }
  network.labels = std::move(*labels);
  network.internal = *internal;
  return network;
}

void redact_env(nlohmann::json& inspect) {
  if (!inspect.is_object() || !inspect.contains("Config") || !inspect["Config"].is_object()) {
    return;
  }
  auto& env = inspect["Config"]["Env"];
  if (!env.is_array()) {
    return;
  }
  for (auto& entry : env) {
    if (entry.is_string()) {
      const std::string& text = entry.get_ref<const std::string&>();
      entry = text.substr(0, text.find('=')) + "=********";
    }
  }
}

nlohmann::json published_ports(const nlohmann::json& inspect) {
  nlohmann::json out = nlohmann::json::array();
  const auto settings = inspect.value("NetworkSettings", nlohmann::json::object());
  const auto ports = settings.is_object() ? settings.value("Ports", nlohmann::json::object())
                                          : nlohmann::json::object();
  if (!ports.is_object()) {
    return out;
  }
  for (const auto& [key, bound] : ports.items()) {
    if (!bound.is_array()) {
      continue;  // exposed but not published
    }
    const int container_port = std::atoi(key.c_str());
    for (const auto& entry : bound) {
      const auto host_port = entry.value("HostPort", std::string());
      out.push_back({{"container_port", container_port},
                     {"host_ip", entry.value("HostIp", std::string())},
                     {"host_port", std::atoi(host_port.c_str())}});
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<BuildArgs> parse_build_args(const nlohmann::json& args, const std::string& work_dir) {
  auto fields = known_fields(
      args, {"context_dir", "dockerfile", "tag", "build_args", "secret_build_args", "labels"});
  if (!fields) {
    return fail(fields.error());
  }
  BuildArgs build;
  auto context = string_field(*fields, "context_dir", 4096);
  if (!context || !is_absolute_path(*context)) {
    return fail(invalid_arg("context_dir", "must be an absolute path without '..'"));
  }
  std::error_code context_ec;
  std::error_code root_ec;
  std::error_code ec;
  const auto real = std::filesystem::canonical(*context, context_ec);
  const auto root = std::filesystem::canonical(work_dir, root_ec);
  const auto relative = real.lexically_relative(root);
  if (context_ec || root_ec || relative.empty() || *relative.begin() == ".." || relative == "." ||
      !std::filesystem::is_directory(real, ec)) {
    return fail(invalid_arg("context_dir", "must be a directory inside the agent's work dir"));
  }
  build.context_dir = real.string();
  if (fields->contains("dockerfile")) {
    auto dockerfile = string_field(*fields, "dockerfile", 255);
    if (!dockerfile || dockerfile->front() == '/' || dockerfile->front() == '-' ||
        has_space_or_control(*dockerfile) || has_dot_dot(*dockerfile)) {
      return fail(invalid_arg("dockerfile", "must be a relative path inside the context"));
    }
    build.dockerfile = *dockerfile;
  }
  const auto tag = fields->value("tag", nlohmann::json());
  auto image = parse_image_ref(tag.is_string() ? tag.get<std::string>() : "");
  if (!image || !image->digest.empty()) {
    return fail(invalid_arg("tag", "must be an image reference name[:tag]"));
  }
  build.tag = image->canonical;
  auto build_args = string_map(*fields, "build_args");
  // Secret ones come apart only so berthd can mask them in what it shows; Docker gets both.
  auto secret_build_args = string_map(*fields, "secret_build_args");
  auto labels = string_map(*fields, "labels");
  if (!build_args || !secret_build_args || !labels) {
    return fail(!build_args          ? build_args.error()
                : !secret_build_args ? secret_build_args.error()
                                     : labels.error());
  }
  build.build_args = std::move(*build_args);
  build.build_args.merge(*secret_build_args);
  build.labels = std::move(*labels);
  return build;
}

}  // namespace berth::agent::host
