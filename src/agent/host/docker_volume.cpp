// docker.volume: removes a named volume, the data of a managed service that is being deleted.
// Only `remove`: volumes are created by docker.run when a container first mounts them. A
// missing volume is not an error (a delete that is retried must succeed); one a container
// still uses fails with "volume_in_use".

#include <regex>

#include "agent/host/docker_args.hpp"
#include "agent/host/docker_job.hpp"
#include "agent/host/job_args.hpp"

namespace berth::agent::host {
namespace {

struct VolumeArgs {
  std::string name = {};
};

Result<VolumeArgs> parse_volume_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"action", "name"});
  if (!fields) {
    return fail(fields.error());
  }
  if (fields->value("action", nlohmann::json()) != "remove") {
    return fail(invalid_arg("action", "must be remove"));
  }
  static const std::regex kVolumeName("[A-Za-z0-9][A-Za-z0-9_.-]{1,127}");
  const auto name = fields->value("name", nlohmann::json());
  if (!name.is_string() || !std::regex_match(name.get<std::string>(), kVolumeName)) {
    return fail(invalid_arg("name", "must be a volume name [A-Za-z0-9][A-Za-z0-9_.-]{1,127}"));
  }
  return VolumeArgs{.name = name.get<std::string>()};
}

}  // namespace

JobOutcome volume_job(DockerJob& run) {
  auto volume = parse_volume_args(run.job().args);
  if (!volume) {
    return outcome_of_error(volume.error());
  }
  auto response = run.client().request("DELETE", "/volumes/" + volume->name, std::nullopt,
                                       run.limits(kShortDockerCall));
  if (!response) {
    return outcome_of_error(response.error());
  }
  if (response->status == 404) {
    return succeeded({{"removed", false}});
  }
  if (response->status == 409) {
    return JobOutcome::failed("volume_in_use", docker_error_message(*response));
  }
  if (!is_success(response->status)) {
    return engine_refusal(*response);
  }
  run.job().output.write("system", "removed volume " + volume->name + "\n");
  return succeeded({{"removed", true}});
}

}  // namespace berth::agent::host
