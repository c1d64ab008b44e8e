#pragma once
/// The agent's state directory: `agent.json` holds what enrollment returned (server URL,
/// server id, agent token, and the --ca-file or certificate pin given to enroll), `journal` the
/// job journal. The directory is 0711 and every file the agent writes in it 0600 (agent.json
/// holds a credential); its subdirectories are 0700, but for `handover/` (0755), which Caddy
/// reads, possibly as another user (front_handover.hpp).

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "core/error.hpp"

namespace berth::agent {

struct AgentState {
  std::string server_url;
  std::string server_id;
  std::string agent_token;
  // How berthd's certificate is checked, as given to `enroll`; "" when not given.
  std::string ca_file = {};
  std::string pin_sha256 = {};  // hex
};

/// Creates `state_dir` (0711) when missing and sets its mode, then writes agent.json
/// atomically (temp file 0600 + fsync + rename). Fails with a message naming the path.
Result<void> write_agent_state(const std::filesystem::path& state_dir, const AgentState& state);

/// Reads agent.json. Fails when it is missing ("run berth-agent enroll first"), unreadable or
/// lacks a field.
Result<AgentState> read_agent_state(const std::filesystem::path& state_dir);

/// Replaces `path` atomically with `text` (temp file 0600 + fsync + rename).
Result<void> write_private_file(const std::filesystem::path& path, const std::string& text);

/// The whole text of `path`; "" when it is missing or unreadable (a kept file the agent can do
/// without).
std::string read_text_file(const std::filesystem::path& path);

/// Creates `state_dir` (and its parents) if needed and gives it `mode`: 0711 for the state
/// directory (others may reach handover/ by its name, list nothing), 0700 for the work dir.
Result<void> prepare_state_dir(const std::filesystem::path& state_dir, mode_t mode = 0711);

}  // namespace berth::agent
