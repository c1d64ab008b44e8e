#pragma once
/// Enrols simulated agents through berthd's API as an admin would, then as the agent would:
/// POST /api/v1/servers/install-tokens, then POST /api/v1/agent/register with the token.
/// Credentials are appended to a file (`index server_id agent_token` per line) so a rerun
/// against the same data dir skips the work.

#include <cstddef>
#include <string>
#include <vector>

#include "net.hpp"
#include "sim_agent.hpp"

namespace swarm {

/// The credentials saved in `path` (missing file: none), sorted by index.
std::vector<AgentIdentity> load_credentials(const std::string& path);

/// Enrols agents `from`..`to`-1 with `concurrency` keep-alive connections, appending each to
/// `path` as it succeeds. Runs `io` itself until done; throws std::runtime_error with berthd's
/// answer when an enrolment fails three times.
std::vector<AgentIdentity> enrol_agents(asio::io_context& io, tcp::endpoint server,
                                        const std::string& api_key, std::size_t from,
                                        std::size_t to, std::size_t concurrency,
                                        const std::string& path);

}  // namespace swarm
