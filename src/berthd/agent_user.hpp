#pragma once
/// The system user the embedded local agent runs as when berthd is root: a user that cannot
/// read berthd's data directory, so a job on berthd's own server cannot read its keys.

#include <string>
#include <string_view>

#include "berthd/agent_launch.hpp"
#include "core/error.hpp"

namespace berth {

inline constexpr std::string_view kDefaultAgentUser = "berth-agent";
/// The home given to a user berthd creates, and where the local agents' state lives.
inline constexpr std::string_view kAgentHome = "/var/lib/berth-agent";

struct AgentUser {
  std::string name;
  AgentCredentials credentials;  // its groups, plus `docker` when that group exists
};

/// A name useradd takes and that cannot be read as an option: [a-z_][a-z0-9_-]*, 1-32.
bool valid_user_name(std::string_view name);

/// Finds the user `name`; when it does not exist, creates it as a system user with no login
/// shell (useradd, run from an argv vector) in the `docker` group when that group exists.
/// Needs root. Fails, with a message for the operator, when the name is invalid, the user is
/// root, or it cannot be found or created. Call it at start-up (it uses the passwd database).
Result<AgentUser> find_or_create_agent_user(const std::string& name);

}  // namespace berth
