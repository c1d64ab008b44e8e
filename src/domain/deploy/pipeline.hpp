#pragma once
/// One deployment from claim to end, as ARCHITECTURE.md's pipeline of jobs on the app's
/// server: resolve the source to an immutable artifact (pull an image, or fetch a commit and
/// build it), start the new container beside the old one on a 127.0.0.1 port, wait for its
/// health check, switch the proxy's route table to it, let the old one drain, then stop and
/// remove the old one. A workflow app runs its steps instead of the container steps. Any
/// failure before the switch leaves the old version serving and removes the new container.
/// Blocking: runs on a deployment worker thread.

#include <atomic>
#include <functional>
#include <string>

#include "domain/deploy/deploy_log.hpp"
#include "domain/deploy/step_runner.hpp"
#include "domain/routing/route_table.hpp"

namespace berth {

class Pipeline {
 public:
  /// `steps` runs each step's job; `sleeper` does the waiting (the drain).
  Pipeline(AreaContext ctx, StepRunner& steps, Sleeper& sleeper, DeployLog& log,
           ProxyRouter& router, const std::atomic<bool>& stopping)
      : ctx_(ctx),
        steps_(steps),
        sleeper_(sleeper),
        log_(log),
        router_(router),
        stopping_(stopping) {}

  /// Runs a deployment already claimed (state running) and records how it ended.
  void run(const DeploymentRecord& claimed);

 private:
  struct Run;
  Result<void> deploy_container(Run& run);
  Result<void> deploy_workflow(Run& run);
  Result<void> stop_app(Run& run);
  Result<void> resolve_artifact(Run& run);
  Result<void> start_container(Run& run);
  Result<void> check_health(Run& run, std::int64_t port);
  /// Routes the app's hostname to `port` (0: removes it) and records `record` on the app.
  Result<void> route(Run& run, std::int64_t port, const std::function<void(AppRecord&)>& record);
  /// route() to the new version, which becomes the app's current deployment.
  Result<void> switch_route(Run& run, std::int64_t port);
  Result<void> update_app(Run& run, const std::function<void(AppRecord&)>& change);
  /// update_app inside a write the caller holds.
  Result<void> change_app(Tx& tx, const Run& run, const std::function<void(AppRecord&)>& change);
  Result<void> load(Run& run);
  bool cancel_requested(const std::string& deployment_id);
  void retire_previous(Run& run);
  void remove_container(Run& run, const std::string& step, const std::string& container);
  Result<JobRecord> job(Run& run, const std::string& step, const NewJob& job);
  Result<void> save(Run& run);
  void finish(Run& run, const Result<void>& outcome);

  AreaContext ctx_;
  StepRunner& steps_;
  Sleeper& sleeper_;
  DeployLog& log_;
  ProxyRouter& router_;
  const std::atomic<bool>& stopping_;
};

/// The name of a deployment's container: berth-<app>-<deployment id suffix>.
std::string container_name_of(std::string_view app_name, std::string_view deployment_id);

}  // namespace berth
