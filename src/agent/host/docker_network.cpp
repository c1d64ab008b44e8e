// docker.network: the per-project private networks services and their linked apps share.
// `ensure` is idempotent (an existing network of that name is used as it is); `remove` of a
// missing network succeeds, of one that still has containers fails with "network_in_use".

#include "agent/host/docker_args.hpp"
#include "agent/host/docker_job.hpp"

namespace berth::agent::host {
namespace {

// The network's id, "" when the Engine has none of that name.
Result<std::string> network_id(DockerJob& run, const std::string& name) {
  auto response =
      run.client().request("GET", "/networks/" + name, std::nullopt, run.limits(kShortDockerCall));
  if (!response) {
    return fail(response.error());
  }
  if (response->status == 404) {
    return std::string();
  }
  if (!is_success(response->status)) {
    return fail(engine_error(*response));
  }
  const auto details = nlohmann::json::parse(response->body, nullptr, false);
  const auto id = details.is_object() ? details.value("Id", nlohmann::json()) : nlohmann::json();
  // The Engine finds networks by id prefix too: only an exact name is this network.
  const auto found =
      details.is_object() ? details.value("Name", nlohmann::json()) : nlohmann::json();
  if (!id.is_string() || found != name) {
    return std::string();
  }
  return id.get<std::string>();
}

JobOutcome ensure_network(DockerJob& run, const NetworkArgs& network) {
  auto existing = network_id(run, network.name);
  if (!existing) {
    return outcome_of_error(existing.error());
  }
  if (!existing->empty()) {
    return succeeded({{"id", *existing}, {"name", network.name}, {"created", false}});
  }
  auto created = run.client().request("POST", "/networks/create",
                                      nlohmann::json{{"Name", network.name},
                                                     {"Driver", "bridge"},
                                                     {"CheckDuplicate", true},
                                                     {"Internal", network.internal},
                                                     {"Labels", network.labels}},
                                      run.limits(kShortDockerCall));
  if (!created) {
    return outcome_of_error(created.error());
  }
  // 409: another job made it between the look and the create; that one is as good.
  if (created->status == 409) {
    auto again = network_id(run, network.name);
    if (again && !again->empty()) {
      return succeeded({{"id", *again}, {"name", network.name}, {"created", false}});
    }
  }
  if (!is_success(created->status)) {
    return engine_refusal(*created);
  }
  const auto answer = nlohmann::json::parse(created->body, nullptr, false);
  const auto id = answer.is_object() ? answer.value("Id", nlohmann::json()) : nlohmann::json();
  if (!id.is_string()) {
    return JobOutcome::failed("docker_protocol", "Docker created a network without an id");
  }
  run.job().output.write("system", "created network " + network.name + "\n");
  return succeeded({{"id", id}, {"name", network.name}, {"created", true}});
}

JobOutcome remove_network(DockerJob& run, const NetworkArgs& network) {
  auto existing = network_id(run, network.name);
  if (!existing) {
    return outcome_of_error(existing.error());
  }
  if (existing->empty()) {
    return succeeded({{"removed", false}});
  }
  auto response = run.client().request("DELETE", "/networks/" + *existing, std::nullopt,
                                       run.limits(kShortDockerCall));
  if (!response) {
    return outcome_of_error(response.error());
  }
  if (response->status == 404) {
    return succeeded({{"removed", false}});
  }
  if (response->status == 403 || response->status == 409) {
    return JobOutcome::failed("network_in_use", docker_error_message(*response));
  }
  return is_success(response->status) ? succeeded({{"removed", true}}) : engine_refusal(*response);
}

}  // namespace

JobOutcome network_job(DockerJob& run) {
  auto network = parse_network_args(run.job().args);
  if (!network) {
    return outcome_of_error(network.error());
  }
  return network->action == "ensure" ? ensure_network(run, *network)
                                     : remove_network(run, *network);
}

}  // namespace berth::agent::host
