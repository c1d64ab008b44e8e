#pragma once
/// Where the embedded local agent keeps its state (agent.json, journal, work dir, log).
///
/// As berthd's own user it stays <data-dir>/local-agent. As its own user it cannot live there:
/// the agent gives absolute paths under its state dir to git, ssh and the Docker build (the
/// checkout it reports, the deploy key file), and the agent user has no search permission on
/// the data dir or its parents (often /root). So it lives in <home>/<instance id> (home:
/// /var/lib/berth-agent, root-owned 0755, so the agent cannot swap its directory for a link),
/// owned by the agent user, 0700. An older install's <data-dir>/local-agent is moved there
/// on the first start, so the local server keeps its identity.

#include <string>

#include "berthd/agent_user.hpp"
#include "core/error.hpp"

namespace berth {

struct LocalAgentPlace {
  std::string data_dir;
  std::string instance_id;          // names the directory under `home`
  const AgentUser* user = nullptr;  // nullptr: the agent runs as berthd's user
  std::string home{kAgentHome};     // parent of the per-instance directories
};

/// Creates or adopts the state directory and returns its absolute path. With a user: the
/// directory and every file in it end up owned by that user (files an agent run as root left
/// are handed over), mode 0700. Fails with an unavailable error naming the path when a step
/// fails, or when the directory belongs to another unprivileged user (the operator decides).
Result<std::string> prepare_local_agent_dir(const LocalAgentPlace& place);

}  // namespace berth
