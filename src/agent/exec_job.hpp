#pragma once
/// The `exec` job kind: runs an argv vector directly (never through a shell) in a new session
/// and process group, with a clean environment, the job's cwd, optional stdin text and the
/// job's timeout. Output goes to the job's JobOutput as it comes ("stdout"/"stderr"); cancel
/// and timeout kill the whole group (SIGTERM, then SIGKILL after the grace period).
/// Blocks its thread until the process has been reaped.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/job_types.hpp"

namespace berth::agent {

struct ExecOptions {
  std::chrono::milliseconds kill_grace{5000};  // SIGTERM → SIGKILL
  // How long output is still read after the process exited while a child it left behind keeps
  // the pipes open; then the job ends without waiting for that child.
  std::chrono::milliseconds drain_after_exit{1000};
};

/// Runs one `exec` job. Outcomes: succeeded (exit 0); failed with error code `exit_status`
/// (non-zero exit or killed by a signal it was not sent by us), `timeout`, `spawn_failed`
/// (program not found, not executable, bad cwd) or `invalid_args`; canceled.
JobOutcome run_exec_job(JobContext& job, const ExecOptions& options = {});

/// The environment an exec job starts with, before its `env` is merged over it:
/// PATH (a fixed system PATH), HOME, USER and LOGNAME of the agent's user, LANG=C.UTF-8, and
/// BERTH_JOB_ID. Returned as sorted NAME=value strings with `overrides` applied.
std::vector<std::string> exec_environment(const nlohmann::json& overrides,
                                          const std::string& job_id);

/// execvp's search: a name containing '/' is used as it is; otherwise the first executable
/// regular file named so in the colon-separated `path`. nullopt when none is found.
std::optional<std::string> resolve_program(const std::string& name, const std::string& path);

}  // namespace berth::agent
