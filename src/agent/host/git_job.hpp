#pragma once
/// The `git.fetch` job kind: a shallow checkout of one ref of a repository into a workspace
/// under the agent's work dir, with git run as argv (posix_spawn through the exec executor),
/// never through a shell. Blocks its executor thread until git is done, the job's timeout
/// passes or it is cancelled.

#include <optional>
#include <string>

#include "agent/job_types.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

struct GitFetchArgs {
  std::string repository = {};  // https://, http://, ssh://, file:///abs or user@host:path
  std::string ref = {};         // branch, tag or 40-hex commit
  std::string dir = {};         // workspace name under the work dir
  std::optional<std::string> deploy_key = {};  // OpenSSH private key text
};

/// Refuses (code "invalid_args", naming the field) anything that git could read as an option,
/// another transport (ext::, fd::), whitespace, control characters and shell metacharacters.
Result<GitFetchArgs> parse_git_fetch_args(const nlohmann::json& args);

struct GitOptions {
  std::string work_dir = {};     // checkouts go to <work_dir>/<dir>
  std::string state_dir = {};    // the deploy key's temporary file and known_hosts
  std::string git_program = {};  // "" finds git on the system PATH (or /usr/bin/git)
};

/// Runs one git.fetch. Result {"commit": "<40 hex>", "dir": "<absolute checkout path>"};
/// failures: "invalid_args", "git_failed" (with the failing step), "timeout", canceled.
JobOutcome run_git_fetch(JobContext& job, const GitOptions& options);

}  // namespace berth::agent::host
