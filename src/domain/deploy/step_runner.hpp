#pragma once
/// The pipeline's seam: how one step's job runs on the app's server and how its end comes
/// back. In berthd it is the agent round trip (StepJobs); in the pipeline's unit tests a
/// scripted fake answers at once, so every path of a deployment runs in milliseconds.

#include <functional>
#include <string_view>

#include "core/error.hpp"
#include "domain/fleet/job_service.hpp"

namespace berth {

class StepRunner {
 public:
  virtual ~StepRunner() = default;
  /// Runs `job` for `step` of the deployment (deployment_id "" for housekeeping) and returns
  /// its final record in any terminal state (the caller judges it). `cancel_wanted` is polled
  /// while the job runs; when it turns true the job is canceled and its end awaited.
  /// Error::unavailable with code "stopping" when berthd is stopping. Blocking; any worker
  /// thread.
  virtual Result<JobRecord> run(std::string_view deployment_id, std::string_view team_id,
                                std::string_view server_id, std::string_view step,
                                const NewJob& job, const std::function<bool()>& cancel_wanted) = 0;
};

}  // namespace berth
