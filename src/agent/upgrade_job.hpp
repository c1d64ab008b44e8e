#pragma once
/// The `agent.upgrade` job: args {path, sha256, version}. The agent downloads the binary at
/// `path` from the berthd it is enrolled with (its own URL, TLS settings and token; never another
/// host), replaces its executable (self_upgrade.hpp) and asks to be restarted once berthd has the
/// job's job_done (RestartRequest). A wrong checksum fails the job and keeps the old binary.
/// Runs on the job's thread.

#include <memory>
#include <string>

#include "agent/agent_connection.hpp"
#include "agent/job_types.hpp"
#include "agent/state_file.hpp"

namespace berth::agent {

struct UpgradeSettings {
  std::string executable;       // the running binary, resolved at start
  AgentState state;             // berthd's URL, the token and how its certificate is checked
  std::string running_version;  // what hello reports
  std::shared_ptr<RestartRequest> restart;
};

JobOutcome run_agent_upgrade(JobContext& job, const UpgradeSettings& settings);

}  // namespace berth::agent
