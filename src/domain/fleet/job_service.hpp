#pragma once
/// "Run this on my server": jobs submitted through the API (admin; audited), read, listed,
/// canceled, and their output replayed. Validation of each kind's arguments happens here,
/// before anything is stored or sent: an exec job is an argv vector, never a shell string.
/// Also the deadlines: queued jobs whose server does not come back in time fail, and running
/// jobs whose agent stays away past their timeout are lost. Blocking (store). Thread-safe.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/paging.hpp"

namespace berth {

/// The created_by of the jobs a deployment's steps run.
constexpr std::string_view kDeploymentJobCreator = "deployment";

struct NewJob {
  std::string kind;
  nlohmann::json args = nlohmann::json::object();
  std::optional<std::int64_t> timeout_ms = {};
};

class JobService {
 public:
  JobService(FleetContext& ctx, AgentHub& hub) : ctx_(ctx), hub_(hub) {}

  /// Admin. Queues the job and dispatches it at once when the agent is connected.
  /// Error::validation for an unknown kind or bad arguments; not_found for the server;
  /// conflict `server_draining` when the server is being drained.
  Result<JobRecord> submit(const Principal& who, std::string_view team_id,
                           std::string_view server_id, const NewJob& job, const ClientInfo& client);
  /// A job created by berthd itself (adoption), already running in berthd: not dispatched.
  Result<JobRecord> create_internal(std::string_view team_id, std::string_view server_id,
                                    std::string kind, const nlohmann::json& args_summary,
                                    std::string created_by);

  /// A job berthd itself runs on a server (a deployment's steps): no role check and any kind
  /// the agent knows (the agent validates). `job_id` is chosen by the caller so it can
  /// subscribe to the job's topic before the job is dispatched. Audited by its caller.
  Result<JobRecord> submit_system(std::string job_id, std::string_view team_id,
                                  std::string_view server_id, const NewJob& job,
                                  std::string created_by);
  /// Cancels a job berthd submitted; false when it had already finished.
  Result<bool> cancel_system(std::string_view job_id);

  /// Viewer. A job whose details the caller may not read (may_read_job_details) comes with its
  /// arguments, result and error message blanked; its kind, state, times and exit code stay.
  Result<JobRecord> get(const Principal& who, std::string_view team_id, std::string_view job_id);
  Result<Page<JobRecord>> list(const Principal& who, std::string_view team_id,
                               std::string_view server_id, const PageRequest& page);
  /// The job for a caller who is to read its output: Error::forbidden `admin_required` when
  /// may_read_job_details says no.
  Result<JobRecord> readable(const Principal& who, std::string_view team_id,
                             std::string_view job_id);
  /// Admin. Queued: canceled at once. Dispatched/running: the agent is told (202; the job
  /// ends when the agent says so). Conflict `job_finished` when it already ended.
  Result<JobRecord> cancel(const Principal& who, std::string_view team_id, std::string_view job_id,
                           const ClientInfo& client);
  /// Output chunks after `after_seq`, for replays.
  Result<std::vector<JobOutputChunk>> output(std::string_view job_id, std::int64_t after_seq,
                                             std::int64_t limit);

  /// The deadlines (called by the monitor every few seconds).
  Result<void> expire();

 private:
  /// Marks the job canceled (queued) or cancel-requested (in flight) and tells the agent.
  /// Error::not_found for an unknown job, conflict `job_finished` for one that has ended.
  Result<JobRecord> request_cancel(Tx& tx, std::string_view team_id, std::string_view job_id);
  void announce_cancel(const JobRecord& job);

  FleetContext& ctx_;
  AgentHub& hub_;
};

/// Whether a caller with `role` may read a job's arguments, result, error message and output:
/// admins always; others only jobs of deployments (their output is in the deployment's stream)
/// and jobs they started themselves (their app logs). Exec and Docker jobs an admin ran are
/// not a viewer's business: their output may hold anything the server has.
bool may_read_job_details(const JobRecord& job, const Principal& who, Role role);

/// The kinds a user may submit.
const std::vector<std::string>& submittable_job_kinds();

/// Checks a kind's arguments; Error::validation naming the field (e.g. "args.argv").
Result<void> check_job_args(std::string_view kind, const nlohmann::json& args);

/// The arguments as shown to people and the audit log: env values and stdin replaced.
nlohmann::json job_args_summary(const nlohmann::json& args);

}  // namespace berth
