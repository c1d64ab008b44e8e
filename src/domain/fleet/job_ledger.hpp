#pragma once
/// The store side of a job's life: every state change of ARCHITECTURE.md's machine happens
/// here, inside a write transaction that re-reads the job, so a re-sent `ack` or `job_done`
/// and a concurrent cancel or sweep can never move a job twice or out of a terminal state.
/// Each change is then published on the job's EventHub topic for the SSE streams.
/// Blocking (store): worker threads. Thread-safe.

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/kernel/event_hub.hpp"

namespace berth {

/// Jobs of these kinds run in berthd itself (an SSH adoption), not on the server's agent.
constexpr bool runs_in_berthd(std::string_view kind) { return kind == "ssh.adopt"; }

/// What an agent's job_done says.
struct JobEnd {
  std::string status;  // succeeded | failed | canceled | lost
  std::optional<std::int64_t> exit_code = {};
  std::int64_t duration_ms = 0;
  std::int64_t last_seq = 0;  // the seq of the job's last output chunk, as the agent counted
  nlohmann::json result = nlohmann::json::object();
  std::string error_code = {};
  std::string error_message = {};
};

class JobLedger {
 public:
  JobLedger(FleetContext& ctx, EventHub& events) : ctx_(ctx), events_(events) {}

  /// queued → dispatched; the job when it moved (the caller sends its cmd), nullopt when it
  /// was no longer queued (another thread dispatched or canceled it).
  Result<std::optional<JobRecord>> mark_dispatched(std::string_view job_id);
  /// The agent's ack of a cmd for a job of `server_id`: dispatched → running.
  /// Error::not_found (code unknown_job) when the job is not that server's.
  Result<void> mark_running(std::string_view server_id, std::string_view job_id);
  /// Stores one output chunk of a job of `server_id`; false for a seq already stored, or when
  /// a cap keeps it out (the job's: one truncation marker; the server's: its oldest finished
  /// jobs' output is pruned first, and the chunk is dropped only when nothing is left to prune).
  /// Error::not_found (code unknown_job) when the job is not that server's.
  Result<bool> append_output(std::string_view server_id, const JobOutputChunk& chunk);
  /// Settles a job of `server_id`; a job already terminal is left as it is (re-sent job_done).
  Result<void> finish(std::string_view server_id, std::string_view job_id, const JobEnd& end);
  /// Ends a job that is not terminal with `state` (failed/lost/canceled) and the reason;
  /// false when it was already terminal.
  Result<bool> settle(std::string_view job_id, std::string_view state, std::string code,
                      std::string message);

  /// The server's jobs that the agent should hear about again after its hello, oldest first.
  /// Never a job berthd runs itself (runs_in_berthd): the agent does not know those kinds.
  Result<std::vector<JobRecord>> in_flight(std::string_view server_id);
  /// The server's queued jobs for its agent, oldest first (never one berthd runs itself).
  Result<std::vector<JobRecord>> queued(std::string_view server_id);

  /// The arguments as the agent must receive them (unsealed).
  Result<nlohmann::json> open_args(const JobRecord& job) const;

  /// Publishes the job's current state on its topic ("state"/"done" events).
  void publish_state(const JobRecord& job);

 private:
  Result<std::vector<JobRecord>> agent_jobs(std::string_view server_id,
                                            std::vector<std::string> states);
  Result<std::optional<JobRecord>> change_job(std::string_view job_id,
                                              const std::function<bool(JobRecord&)>& change);

  /// The chunk as it is stored under the job's output cap (the truncation marker in its
  /// place when it crosses the cap); nullopt when the job's output is full already.
  Result<std::optional<JobOutputChunk>> capped(Tx& tx, const JobOutputChunk& chunk,
                                               std::int64_t& bytes_after);
  /// Whether `size` more bytes fit under the server's output cap, after pruning its oldest
  /// finished jobs' output if needed; `bytes_after` is the server's total with them.
  Result<bool> server_room(Tx& tx, std::string_view server_id, std::int64_t size,
                           std::int64_t& bytes_after);

  FleetContext& ctx_;
  EventHub& events_;
  std::mutex output_mutex_;
  /// Stored output bytes of the jobs this process has taken output for (read from the store
  /// on a job's first chunk, forgotten when it ends).
  std::unordered_map<std::string, std::int64_t> output_bytes_;
  /// Stored output bytes of each server's jobs (read from the store on its first chunk).
  std::unordered_map<std::string, std::int64_t> server_output_bytes_;
};

/// The JSON view of a job shared by the API and the SSE streams.
nlohmann::json job_view(const JobRecord& job);

}  // namespace berth
