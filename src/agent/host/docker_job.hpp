#pragma once
/// What every docker.* job shares (docker_jobs.cpp, docker_build.cpp): the Engine client, the
/// job's remaining time and cancel flag, and the outcome of an Error or an Engine refusal.
/// Internal to berth_agent_host.

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/host/docker_client.hpp"
#include "agent/job_types.hpp"

namespace berth::agent::host {

class DockerJob {
 public:
  DockerJob(JobContext& job, const std::string& socket_path)
      : job_(job),
        client_(socket_path),
        deadline_(std::chrono::steady_clock::now() + job.timeout) {}

  JobContext& job() { return job_; }
  DockerClient& client() { return client_; }

  /// Limits of one Engine call: at most `cap`, never past the job's deadline.
  DockerCallLimits limits(std::chrono::milliseconds cap = std::chrono::milliseconds::max()) const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    return {.timeout = std::max(std::chrono::milliseconds(1), std::min(cap, left)),
            .cancelled = &job_.cancelled};
  }

 private:
  JobContext& job_;
  DockerClient client_;
  std::chrono::steady_clock::time_point deadline_;
};

/// One ordinary Engine call's cap.
inline constexpr std::chrono::milliseconds kShortDockerCall{60'000};

inline bool is_success(unsigned status) { return status >= 200 && status < 300; }

/// "canceled" becomes a canceled outcome; anything else a failure with the error's code.
JobOutcome outcome_of_error(const Error& error);

/// An Engine refusal as an Error ("docker_error" with the Engine's message).
inline Error engine_error(const DockerResponse& response) {
  return Error{.kind = ErrorKind::unprocessable,
               .code = "docker_error",
               .message = docker_error_message(response),
               .internal_detail = {}};
}

inline JobOutcome engine_refusal(const DockerResponse& response) {
  return JobOutcome::failed("docker_error", docker_error_message(response));
}

inline JobOutcome succeeded(nlohmann::json result = nlohmann::json::object()) {
  JobOutcome out;
  out.result = std::move(result);
  return out;
}

/// A GET whose 2xx answer is JSON, returned parsed; an Engine refusal is a "docker_error".
Result<nlohmann::json> get_json(DockerJob& run, const std::string& target);

/// docker.build (docker_build.cpp): tars the context and streams the build's output.
JobOutcome build_image(DockerJob& run, const std::string& work_dir);

/// docker.network (docker_network.cpp): ensures or removes a user-defined bridge network.
JobOutcome network_job(DockerJob& run);

/// docker.volume (docker_volume.cpp): removes a named volume.
JobOutcome volume_job(DockerJob& run);

}  // namespace berth::agent::host
