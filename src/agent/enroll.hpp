#pragma once
/// `berth-agent enroll`: trades a one-time install token for this server's agent token and
/// stores it in the state directory (docs/agent.md).

#include <nlohmann/json.hpp>
#include <string>

namespace berth::agent {

struct EnrollOptions {
  std::string server_url;
  std::string install_token;
  std::string state_dir;
  std::string ca_file = {};
  std::string pin_hex = {};
  nlohmann::json facts = nlohmann::json::object();
};

/// Registers with berthd and writes agent.json. Prints what happened (never the token) and
/// returns the process exit code: 0 on success, 1 otherwise.
int enroll(const EnrollOptions& options);

}  // namespace berth::agent
