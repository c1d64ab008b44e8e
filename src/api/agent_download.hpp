#pragma once
/// The berth-agent binary berthd serves (GET /api/v1/agent/download, the install script's
/// checksum): read from disk once, on first use, then one immutable buffer shared by every
/// download, however many run at once. Thread-safe.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace berth::api {

struct AgentBinary {
  std::shared_ptr<const std::string> bytes;
  std::string sha256;  // lower-case hex of `bytes`
};

class AgentDownload {
 public:
  explicit AgentDownload(std::string path) : path_(std::move(path)) {}

  /// The binary; Error::unavailable (`no_agent_binary`) when there is none at the path (a
  /// later call looks again: the agent may be built after berthd started).
  Result<AgentBinary> get();

 private:
  std::string path_;
  std::mutex mutex_;
  std::optional<AgentBinary> loaded_;
};

}  // namespace berth::api
