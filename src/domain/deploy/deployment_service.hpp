#pragma once
/// Deployments as users see them: start one (a queued deployment per app; a newer request
/// supersedes a queued one), read, list, cancel, follow its events; roll back to an earlier
/// artifact; restart, stop and start an app; follow its container's logs. Also the app
/// lifecycle hooks (a deleted app's containers and route go away) and start-up recovery.
/// Members change, viewers read; everything that changes something is audited.
/// Blocking (store). Thread-safe.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/apps/app_lifecycle.hpp"
#include "domain/deploy/deploy_log.hpp"
#include "domain/deploy/deploy_scheduler.hpp"
#include "domain/deploy/log_follows.hpp"
#include "domain/deploy/pipeline.hpp"
#include "domain/deploy/step_jobs.hpp"
#include "domain/kernel/paging.hpp"
#include "domain/routing/route_table.hpp"

namespace berth {

struct DeployRequest {
  std::string ref = {};    // git apps: a branch, tag or commit ("" = the app's branch)
  std::string image = {};  // image apps: another image reference ("" = the app's)
};

/// Who asked for a deployment that no signed-in user started (a webhook, a deploy hook).
struct TriggerInfo {
  std::string trigger = {};     // webhook | deploy_hook
  std::string created_by = {};  // "webhook:github", "deploy_hook:<id>", …
  Actor actor = {};
  nlohmann::json details = nlohmann::json::object();  // for the audit entry
};

/// What the pipeline is made of besides the store: null members get berthd's own (the agent
/// round trip and real sleeping); the pipeline's unit tests give scripted ones.
struct PipelineParts {
  StepRunner* steps = nullptr;
  Sleeper* sleeper = nullptr;
};

class DeploymentService final : public AppLifecycle {
 public:
  DeploymentService(AreaContext ctx, JobService& jobs, EventHub& events, std::size_t workers = 4,
                    PipelineParts parts = {});
  ~DeploymentService() override;

  /// At start-up: deployments that were running when berthd stopped end `failed`
  /// (`interrupted`); queued ones are scheduled.
  Result<void> recover();
  /// Stops the workers (running deployments are left to be recovered at the next start).
  void stop();

  Result<DeploymentRecord> deploy(const Principal& who, std::string_view team_id,
                                  std::string_view app_id, const DeployRequest& request,
                                  const ClientInfo& client);
  /// A deployment started by a verified trigger; the app is already known.
  Result<DeploymentRecord> deploy_triggered(const AppRecord& app, const DeployRequest& request,
                                            const TriggerInfo& trigger);
  /// `deployment_id` "" = the successful deployment before the current one.
  Result<DeploymentRecord> rollback(const Principal& who, std::string_view team_id,
                                    std::string_view app_id, std::string_view deployment_id,
                                    const ClientInfo& client);
  /// `action`: restart | stop | start — each a deployment of the current artifact (or a stop).
  Result<DeploymentRecord> app_action(const Principal& who, std::string_view team_id,
                                      std::string_view app_id, std::string_view action,
                                      const ClientInfo& client);
  /// A restart of the current artifact with the app's settings as they are now rather than as
  /// its current deployment ran them (a volume restore changed a mount): zero-downtime like any
  /// deployment. Member; `details` go into the audit entry.
  Result<DeploymentRecord> restart_with_settings(const Principal& who, std::string_view team_id,
                                                 std::string_view app_id, const ClientInfo& client,
                                                 nlohmann::json details);

  Result<DeploymentRecord> get(const Principal& who, std::string_view team_id,
                               std::string_view deployment_id);
  Result<Page<DeploymentRecord>> list(const Principal& who, std::string_view team_id,
                                      std::string_view app_id, const PageRequest& page);
  Result<DeploymentRecord> cancel(const Principal& who, std::string_view team_id,
                                  std::string_view deployment_id, const ClientInfo& client);
  /// The deployment's stream after the place `after` (0: from the start), at most `limit`
  /// entries: its own events, each step's `started` followed by its job's stored output as
  /// `output` events. Each entry's seq is its place (stream_place in deploy_log.hpp).
  Result<std::vector<DeploymentEventRecord>> events(std::string_view deployment_id,
                                                    std::int64_t after, std::int64_t limit);

  struct OpenedLogs {
    JobRecord job;
    std::shared_ptr<LogFollows::Slot> follow_slot = {};  // set for a follow; hold it while open
  };
  /// Starts a docker.logs job on the app's running container; stream its job topic, and call
  /// close_logs when the client leaves. A follow takes a LogFollows slot first (429
  /// rate_limited when the caller or the app has too many open).
  Result<OpenedLogs> open_logs(const Principal& who, std::string_view team_id,
                               std::string_view app_id, bool follow, std::int64_t tail);
  void close_logs(std::string_view job_id);

  /// A server's proxy settings (admin to change; the route table is re-applied).
  Result<ProxySettingsRecord> proxy_settings(const Principal& who, std::string_view team_id,
                                             std::string_view server_id);
  Result<ProxySettingsRecord> set_proxy_settings(const Principal& who, std::string_view team_id,
                                                 ProxySettingsRecord settings,
                                                 const ClientInfo& client);

  void app_removed(const AppRecord& app) override;
  void routes_changed(std::string_view server_id) override;
  /// berthd's own route (panel_route.hpp) goes on `route.server_id` from now on: that server's
  /// table is applied again with it, and a server that carried it before loses it.
  void place_panel_route(const PanelRoute& route);

  /// Asks the server's agent which certificate its Caddy serves for each of `hosts` (the
  /// proxy.certificates job, docs/protocol.md) and waits for the answer: the job's
  /// `certificates`. Error::unavailable when the job did not succeed. Blocking.
  Result<nlohmann::json> read_certificates(std::string_view server_id,
                                           const std::vector<std::string>& hosts);

  DeployLog& log() { return log_; }
  /// How a step's job runs on a server (the agent round trip); managed services use it too.
  StepRunner& steps() { return steps_; }
  EventHub& events_hub() { return events_; }

 private:
  struct Draft;
  Result<DeploymentRecord> enqueue(const Draft& draft);
  bool run_next(const std::string& app_id);
  Result<void> apply_routes(std::string_view server_id);

  AreaContext ctx_;
  JobService& jobs_;
  EventHub& events_;
  std::atomic<bool> stopping_{false};
  DeployLog log_;
  StepJobs agent_steps_;
  SystemSleeper system_sleeper_;
  StepRunner& steps_;
  ProxyRouter router_;
  Pipeline pipeline_;
  LogFollows follows_;
  std::unique_ptr<DeployScheduler> scheduler_;  // last: its workers use the members above
};

}  // namespace berth
