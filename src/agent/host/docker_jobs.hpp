#pragma once
/// The docker.* job kinds of docs/protocol.md, run against the Docker Engine API, and the
/// heartbeat's `docker` status. Each job call blocks its (executor) thread until the job ends,
/// its timeout passes or it is cancelled.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/job_types.hpp"

namespace berth::agent::host {

/// The kinds run_docker_job() knows, for the hello's `capabilities`.
std::vector<std::string> docker_job_kinds();

/// docker.logs jobs with follow=true that may run at once. Each holds an executor thread and an
/// Engine connection for up to its timeout (an hour), so more are refused ("too_many_follows")
/// to keep threads for deployments.
inline constexpr int kMaxLogFollows = 16;

/// Runs one docker.* job. Refused arguments end it failed with "invalid_args" (nothing is sent
/// to Docker); an Engine refusal with "docker_error" and the Engine's message; an unreachable
/// socket with "docker_unreachable"; the job's timeout with "timeout"; a cancel as "canceled".
/// Progress (pull) and container output (logs) go to `job.output` while the job runs.
/// `work_dir` bounds docker.build's context_dir (an empty one refuses every build). A follow
/// past kMaxLogFollows fails at once with "too_many_follows".
JobOutcome run_docker_job(JobContext& job, const std::string& socket_path,
                          const std::string& work_dir = {});

/// The heartbeat's `docker` object: {"status":"online","version":"…","containers":{"running":n,
/// "total":m}}, {"status":"offline","reason":"…"} when the socket is missing or refuses, or
/// {"status":"degraded","reason":"…"} when the Engine answers with errors or not within 2 s.
/// The protocol puts `containers` in the heartbeat's `metrics`: the caller moves it there.
nlohmann::json docker_status(const std::string& socket_path);

}  // namespace berth::agent::host
