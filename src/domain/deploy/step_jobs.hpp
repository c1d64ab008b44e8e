#pragma once
/// Runs one job of a deployment step on the app's server and waits for its end, passing the
/// job's output on to the deployment's followers as it arrives (so build output, pull progress
/// and health-check attempts stream live with the deployment). The output is stored once, as
/// the job's. Blocking: called from a deployment's worker thread.

#include <atomic>
#include <functional>
#include <string_view>

#include "domain/deploy/deploy_log.hpp"
#include "domain/deploy/step_runner.hpp"
#include "domain/fleet/job_service.hpp"

namespace berth {

class StepJobs final : public StepRunner {
 public:
  StepJobs(AreaContext ctx, JobService& jobs, DeployLog& log, const std::atomic<bool>& stopping)
      : ctx_(ctx), jobs_(jobs), log_(log), stopping_(stopping) {}

  /// StepRunner::run through the agent; when berthd stops, the job is left to finish on its
  /// own.
  Result<JobRecord> run(std::string_view deployment_id, std::string_view team_id,
                        std::string_view server_id, std::string_view step, const NewJob& job,
                        const std::function<bool()>& cancel_wanted) override;

 private:
  AreaContext ctx_;
  JobService& jobs_;
  DeployLog& log_;
  const std::atomic<bool>& stopping_;
};

}  // namespace berth
