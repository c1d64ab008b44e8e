#pragma once
/// `berth-agent run`: keeps one WebSocket to berthd (docs/protocol.md), reconnecting with
/// backoff, and drives the Session over it: hello, heartbeats, the ping watchdog, frames both
/// ways. One I/O thread; jobs and the heartbeat's sample run on their own threads.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/backoff.hpp"
#include "agent/session.hpp"
#include "agent/state_file.hpp"

namespace berth::agent {

struct HeartbeatSample {
  nlohmann::json docker = nlohmann::json::object();
  nlohmann::json metrics = nlohmann::json::object();
  std::vector<nlohmann::json> events = {};  // sent as `event` messages before the heartbeat
};

/// Asked by a job that needs the agent to start again (agent.upgrade, once the new binary is in
/// place). The runner ends with kExitRestart as soon as berthd has acknowledged that job's
/// job_done, or after RunOptions::restart_grace without it (the journal re-sends it then).
/// Thread-safe.
class RestartRequest {
 public:
  void request(std::string job_id) {
    std::lock_guard lock(mutex_);
    job_id_ = std::move(job_id);
  }
  std::optional<std::string> job_id() const {
    std::lock_guard lock(mutex_);
    return job_id_;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> job_id_;
};

struct RunOptions {
  AgentState state;
  std::string state_dir;
  std::string agent_version;
  nlohmann::json facts = nlohmann::json::object();
  std::map<std::string, Executor> executors;
  std::function<HeartbeatSample()> sample;  // at each heartbeat, on a thread of its own
  std::optional<std::chrono::milliseconds> heartbeat_override = {};
  /// SessionOptions::first_flush_delay instead of its default (the stream bench's baseline).
  std::optional<std::chrono::milliseconds> first_flush_delay = {};
  Backoff::Options backoff = {};
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds close_timeout{5'000};   // graceful close before the socket is cut
  std::chrono::milliseconds job_stop_grace{7'000};  // running jobs get this to end at exit
  std::shared_ptr<RestartRequest> restart = {};     // null: no job may ask for a restart
  std::chrono::milliseconds restart_grace{30'000};  // how long a restart waits for the ack
  std::chrono::milliseconds clock_offset{0};        // the agent's clock reads this far off (tests)
};

/// Exit codes of `run`.
inline constexpr int kExitStopped = 0;   // SIGTERM/SIGINT
inline constexpr int kExitFailed = 1;    // could not start (state, journal, TLS setup)
inline constexpr int kExitRefused = 3;   // berthd closed with 4001 (revoked) or 4003 (deleted)
inline constexpr int kExitRestart = 75;  // a RestartRequest: the caller starts the binary again

/// Runs until a signal or a final close; returns one of the exit codes above.
int run_agent(RunOptions options);

}  // namespace berth::agent
