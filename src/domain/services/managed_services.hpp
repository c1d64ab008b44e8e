#pragma once
/// Managed services (issue 15): a team's PostgreSQL, MySQL/MariaDB, Redis or Valkey containers,
/// each in a project on one server, with a named volume for its data and credentials Berth
/// generated and sealed; and the links that give an app a service's address and credentials
/// as secret env vars and put the app on the project's private network.
///
/// Viewers read. Members create, change, start, stop, restart, delete (with the service's name
/// as confirmation) and link; publishing a service's port on the server is for team admins
/// (what is reachable from outside the server is an admin's call). Every change is audited.
///
/// What happens on the server runs in the background, one operation at a time, through the
/// same job runner deployments use: `deploying` (network, pull, replace the container) ends
/// `running` or `failed` with the reason; `stopping` ends `stopped`; `deleting` removes the
/// container, the volume, and then the record. A berthd restart resumes an operation that was
/// under way (resume()). Blocking (store): call from a worker thread. Thread-safe.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/deploy/log_follows.hpp"
#include "domain/deploy/step_runner.hpp"
#include "domain/fleet/job_service.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/paging.hpp"
#include "domain/kernel/service_context.hpp"
#include "domain/notify/mail_outbox.hpp"

namespace berth {

struct ServiceInput {
  std::string project_id = {};
  std::string server_id = {};
  /// The service as service_spec.hpp's normalize_service takes it: name, engine, version,
  /// image, memory_bytes, nano_cpus, publish.
  nlohmann::json spec = nlohmann::json::object();
};

struct ServiceFilter {
  std::string project_id = {};
  std::string server_id = {};
  std::string engine = {};
  std::string q = {};
};

/// An app linked to a service, as the service's view names it.
struct ServiceLinkView {
  ServiceLinkRecord link = {};
  std::string app_name = {};
  std::string service_name = {};
  std::string service_engine = {};
};

struct ServiceView {
  ServiceRecord service = {};
  std::vector<ServiceLinkView> links = {};
};

class ManagedServices {
 public:
  ManagedServices(AreaContext ctx, JobService& jobs, StepRunner& steps)
      : ctx_(ctx), jobs_(jobs), steps_(steps) {}
  /// A step still waiting for its server is canceled; the service keeps its status, so the
  /// next start's resume() runs the operation again.
  ~ManagedServices() { stopping_ = true; }
  ManagedServices(const ManagedServices&) = delete;
  ManagedServices& operator=(const ManagedServices&) = delete;

  /// Viewer. Ordered by name. Error::validation for a malformed filter or paging.
  Result<Page<ServiceView>> list(const Principal& who, std::string_view team_id,
                                 const ServiceFilter& filter, const PageRequest& page);
  Result<ServiceView> get(const Principal& who, std::string_view team_id, std::string_view id);
  /// Member (admin with `publish`). Generates and seals the credentials, then deploys in the
  /// background. Error::validation naming the field; conflict service_name_taken.
  Result<ServiceView> create(const Principal& who, std::string_view team_id,
                             const ServiceInput& input, const ClientInfo& client);
  /// Member (admin to set or change `publish`). version, image, memory_bytes, nano_cpus and
  /// publish may change (service_spec.hpp's apply_service_patch: a major version change is
  /// 422); a service that runs is redeployed on the same volume, a stopped one takes it at its
  /// next start. conflict service_busy while an operation runs.
  Result<ServiceView> update(const Principal& who, std::string_view team_id, std::string_view id,
                             const nlohmann::json& patch, const ClientInfo& client);
  /// Member. `action`: start | stop | restart. conflict service_busy while an operation runs.
  Result<ServiceView> act(const Principal& who, std::string_view team_id, std::string_view id,
                          std::string_view action, const ClientInfo& client);
  /// Member. `confirm` must be the service's name (422 confirm_required otherwise): its
  /// container and its data volume are removed, then the record. conflict service_linked while
  /// apps are linked to it (unlink them first).
  Result<ServiceView> remove(const Principal& who, std::string_view team_id, std::string_view id,
                             std::string_view confirm, const ClientInfo& client);

  struct OpenedLogs {
    JobRecord job = {};
    std::shared_ptr<LogFollows::Slot> follow_slot = {};  // set for a follow; hold it while open
  };
  /// Viewer. A docker.logs job on the service's container (as DeploymentService::open_logs
  /// does for apps); conflict not_running before its first start.
  Result<OpenedLogs> open_logs(const Principal& who, std::string_view team_id, std::string_view id,
                               bool follow, std::int64_t tail);
  void close_logs(std::string_view job_id);

  /// Viewer. The app's links, oldest first.
  Result<std::vector<ServiceLinkView>> links(const Principal& who, std::string_view team_id,
                                             std::string_view app_id);
  /// Member. Writes the service's URL and parts (service_spec.hpp's link_env) as the app's
  /// secret env vars, records the link and marks the app out of date: its next deployment
  /// joins the project's network. The app and the service must share project and server, and
  /// the app must not use host networking. conflict env_key_taken when one of the keys is the
  /// app's own var (choose an env_prefix). Linking again replaces the link.
  Result<ServiceLinkView> link(const Principal& who, std::string_view team_id,
                               std::string_view app_id, std::string_view service_id,
                               std::string_view env_prefix, const ClientInfo& client);
  /// Member. Removes the link's env vars and the link. not_found when there is none.
  Result<void> unlink(const Principal& who, std::string_view team_id, std::string_view app_id,
                      std::string_view service_id, const ClientInfo& client);

  /// Queues again every operation a stopped berthd left under way. Call once at start-up.
  void resume();
  /// Waits until the queued operations have run (tests). False after `timeout`.
  bool idle(std::chrono::milliseconds timeout);

 private:
  void enqueue(std::string service_id);
  void run_operation(const std::string& service_id);
  Result<void> deploy(const ServiceRecord& service);
  Result<void> stop(const ServiceRecord& service);
  Result<void> destroy(const ServiceRecord& service);
  Result<JobRecord> run_step(const ServiceRecord& service, std::string_view step,
                             const NewJob& step_job);
  void finish(const std::string& service_id, std::string status, std::string message);

  AreaContext ctx_;
  JobService& jobs_;
  StepRunner& steps_;
  LogFollows follows_;
  std::atomic<bool> stopping_{false};
  std::mutex pending_mutex_;
  std::condition_variable pending_changed_;
  int pending_ = 0;
  MailOutbox worker_{10'000};  // last: its thread runs operations over the members above
};

}  // namespace berth
