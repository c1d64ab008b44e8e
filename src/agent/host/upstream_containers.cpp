#include "agent/host/upstream_containers.hpp"

#include <string>

namespace berth::agent::host {
namespace {

// An object's string or integer field; "" or 0 when it is missing or of another type (the
// Engine's answers are trusted to be JSON, not to be shaped as documented).
std::string text_field(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

int int_field(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_number_integer() ? found->get<int>() : 0;
}

// The ids of the bridge networks the host routes to.
std::set<std::string> routed_networks(const nlohmann::json& networks) {
  std::set<std::string> ids;
  if (!networks.is_array()) {
    return ids;
  }
  for (const auto& network : networks) {
    if (network.is_object() && text_field(network, "Driver") == "bridge" &&
        network.value("Internal", nlohmann::json(false)) != nlohmann::json(true) &&
        !text_field(network, "Id").empty()) {
      ids.insert(text_field(network, "Id"));
    }
  }
  return ids;
}

// The container's address on one of `routed` (the first by network name); "" when it has none.
std::string routed_address(const nlohmann::json& container, const std::set<std::string>& routed) {
  const auto settings = container.find("NetworkSettings");
  if (settings == container.end() || !settings->is_object()) {
    return {};
  }
  const auto attached = settings->find("Networks");
  if (attached == settings->end() || !attached->is_object()) {
    return {};
  }
  for (const auto& [name, network] : attached->items()) {
    if (!network.is_object()) {
      continue;
    }
    const auto ip = text_field(network, "IPAddress");
    if (!ip.empty() && routed.contains(text_field(network, "NetworkID"))) {
      return ip;
    }
  }
  return {};
}

Result<nlohmann::json> docker_get(DockerClient& docker, std::string_view target,
                                  std::chrono::milliseconds timeout) {
  auto answer = docker.request("GET", target, std::nullopt, {.timeout = timeout});
  if (!answer) {
    return fail(std::move(answer.error()));
  }
  if (answer->status != 200) {
    return fail(Error{.kind = ErrorKind::unavailable,
                      .code = "docker_error",
                      .message = std::string(target) + ": " + docker_error_message(*answer),
                      .internal_detail = {}});
  }
  return nlohmann::json::parse(answer->body, nullptr, false);
}

}  // namespace

DirectUpstreams direct_upstreams(const nlohmann::json& containers, const nlohmann::json& networks,
                                 const std::set<int>& ports) {
  DirectUpstreams direct;
  if (!containers.is_array()) {
    return direct;
  }
  const auto routed = routed_networks(networks);
  for (const auto& container : containers) {
    if (!container.is_object() || !container.contains("Ports") || !container["Ports"].is_array()) {
      continue;
    }
    for (const auto& published : container["Ports"]) {
      if (!published.is_object() || text_field(published, "Type") != "tcp") {
        continue;
      }
      const int host_port = int_field(published, "PublicPort");
      const int container_port = int_field(published, "PrivatePort");
      if (!ports.contains(host_port) || container_port <= 0 || container_port > 65535) {
        continue;
      }
      if (const auto ip = routed_address(container, routed); !ip.empty()) {
        direct[host_port] = DirectUpstream{.ip = ip, .port = container_port};
      }
    }
  }
  return direct;
}

Result<DirectUpstreams> find_direct_upstreams(DockerClient& docker, const std::set<int>& ports,
                                              std::chrono::milliseconds timeout) {
  if (ports.empty()) {
    return DirectUpstreams{};
  }
  auto containers = docker_get(docker, "/containers/json", timeout);
  if (!containers) {
    return fail(std::move(containers.error()));
  }
  auto networks = docker_get(docker, "/networks", timeout);
  if (!networks) {
    return fail(std::move(networks.error()));
  }
  return direct_upstreams(*containers, *networks, ports);
}

}  // namespace berth::agent::host
