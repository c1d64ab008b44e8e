#pragma once
/// The agent's state directory: `agent.json` holds what enrollment returned (server URL,
/// server id, agent token, and the --ca-file or certificate pin given to enroll), `journal` the
/// job journal. The directory is 0700 and agent.json
/// 0600: the token is a credential.

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

/// Creates `state_dir` (0700) when missing and tightens its mode, then writes agent.json
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

/// Creates `state_dir` with mode 0700 (and its parents) if needed.
Result<void> prepare_state_dir(const std::filesystem::path& state_dir);

}  // namespace berth::agent
