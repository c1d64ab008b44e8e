// ManagedServices: the work on the server, in the background. The service's status says what
// is to be done (deploying, stopping, deleting), so an operation a stopped berthd left under
// way is found again by resume() and run from its start; each step is safe to repeat.
#include "core/log.hpp"
#include "domain/kernel/team_access.hpp"
#include "domain/services/managed_services.hpp"
#include "domain/services/service_records_tx.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::int64_t kPullTimeoutMs = 30 * 60'000;
constexpr std::int64_t kStepTimeoutMs = 5 * 60'000;
constexpr int kStopGraceSeconds = 30;

}  // namespace

void ManagedServices::enqueue(std::string service_id) {
  {
    std::lock_guard lock(pending_mutex_);
    ++pending_;
  }
  const bool queued = worker_.post([this, service_id] {
    run_operation(service_id);
    std::lock_guard lock(pending_mutex_);
    --pending_;
    pending_changed_.notify_all();
  });
  if (!queued) {
    std::lock_guard lock(pending_mutex_);
    --pending_;
    pending_changed_.notify_all();
    finish(service_id, "failed", "too many service operations are queued; try again");
  }
}

bool ManagedServices::idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(pending_mutex_);
  return pending_changed_.wait_for(lock, timeout, [this] { return pending_ == 0; });
}

void ManagedServices::resume() {
  for (const char* status : {"deploying", "stopping", "deleting"}) {
    for (std::int64_t page = 1;; ++page) {
      auto found = read_value<Page<ServiceRecord>>(ctx_.store(), [&](Tx& tx) {
        return tx.list_services(
            ServiceQuery{.team_id = {}, .status = status, .page = page, .per_page = kMaxPerPage});
      });
      if (!found) {
        log::warn("services.resume_failed", {{"error", found.error().message}});
        return;
      }
      for (const auto& service : found->items) {
        enqueue(service.id);
      }
      if (page * kMaxPerPage >= found->total) {
        break;
      }
    }
  }
}

void ManagedServices::run_operation(const std::string& service_id) {
  auto found = read_value<std::optional<ServiceRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.get_service("", service_id); });
  if (!found || !*found) {
    return;  // deleted meanwhile, or the store is closing
  }
  const ServiceRecord& service = **found;
  // berthd stopping mid-operation leaves the status as it is: resume() runs it again.
  auto stopping = [](const Error& error) { return error.code == "stopping"; };
  if (service.status == "deploying") {
    auto deployed = deploy(service);
    if (!deployed && stopping(deployed.error())) {
      return;
    }
    finish(service_id, deployed ? "running" : "failed",
           deployed ? std::string() : deployed.error().message);
  } else if (service.status == "stopping") {
    auto stopped = stop(service);
    if (!stopped && stopping(stopped.error())) {
      return;
    }
    finish(service_id, stopped ? "stopped" : "failed",
           stopped ? std::string() : stopped.error().message);
  } else if (service.status == "deleting") {
    auto destroyed = destroy(service);
    if (!destroyed && stopping(destroyed.error())) {
      return;
    }
    if (!destroyed) {
      finish(service_id, "failed", "delete: " + destroyed.error().message);
      return;
    }
    (void)ctx_.store().write([&](Tx& tx) { return tx.delete_service(service_id); });
  }
}

Result<JobRecord> ManagedServices::run_step(const ServiceRecord& service, std::string_view step,
                                            const NewJob& step_job) {
  auto done = steps_.run("", service.team_id, service.server_id, step, step_job,
                         [this] { return stopping_.load(); });
  if (!done) {
    return fail(std::move(done.error()));
  }
  if (stopping_) {
    return fail(with_code(Error::unavailable("berthd is stopping"), "stopping"));
  }
  if (done->state != job_state::succeeded) {
    return fail(
        Error::unavailable(std::string(step) + ": " +
                           (done->error_message.empty() ? done->state : done->error_message)));
  }
  return done;
}

Result<void> ManagedServices::deploy(const ServiceRecord& service) {
  auto credentials = services_tx::open_credentials(ctx_, service.credentials_sealed);
  if (!credentials) {
    return fail(std::move(credentials.error()));
  }
  const ServicePlacement placement{.container = service.container_name,
                                   .volume = service.volume_name,
                                   .network = project_network_name(service.project_id),
                                   .alias = service.name};
  json spec = service.spec;
  spec["engine"] = service.engine;
  const std::string image = spec.value("image", "");
  auto network = run_step(service, "network",
                          NewJob{.kind = "docker.network",
                                 .args = {{"action", "ensure"},
                                          {"name", placement.network},
                                          {"labels", {{"berth.project", service.project_id}}}},
                                 .timeout_ms = kStepTimeoutMs});
  if (!network) {
    return fail(std::move(network.error()));
  }
  // An image already on the server is used as it is: offline and mirrored images work, and a
  // redeploy does not move to whatever the tag means today.
  auto pulled = run_step(service, "pull",
                         NewJob{.kind = "docker.pull",
                                .args = {{"image", image}, {"policy", "if_not_present"}},
                                .timeout_ms = kPullTimeoutMs});
  if (!pulled) {
    return fail(std::move(pulled.error()));
  }
  // The old container goes first (a name is one container); when there is none the remove
  // fails, and a remove that failed for another reason makes the run fail on the name.
  (void)run_step(service, "remove",
                 NewJob{.kind = "docker.remove",
                        .args = {{"container", service.container_name}, {"force", true}},
                        .timeout_ms = kStepTimeoutMs});
  auto started = run_step(service, "start",
                          NewJob{.kind = "docker.run",
                                 .args = service_run_args(spec, *credentials, placement, service.id,
                                                          service.project_id),
                                 .timeout_ms = kStepTimeoutMs});
  if (!started) {
    return fail(std::move(started.error()));
  }
  return {};
}

Result<void> ManagedServices::stop(const ServiceRecord& service) {
  auto stopped = run_step(service, "stop",
                          NewJob{.kind = "docker.stop",
                                 .args = {{"container", service.container_name},
                                          {"timeout_seconds", kStopGraceSeconds}},
                                 .timeout_ms = kStepTimeoutMs});
  return stopped ? Result<void>{} : fail(std::move(stopped.error()));
}

Result<void> ManagedServices::destroy(const ServiceRecord& service) {
  (void)run_step(service, "remove",
                 NewJob{.kind = "docker.remove",
                        .args = {{"container", service.container_name}, {"force", true}},
                        .timeout_ms = kStepTimeoutMs});
  // Refused while a container still mounts it: then the remove above really failed.
  auto dropped = run_step(service, "volume",
                          NewJob{.kind = "docker.volume",
                                 .args = {{"action", "remove"}, {"name", service.volume_name}},
                                 .timeout_ms = kStepTimeoutMs});
  if (!dropped) {
    return fail(std::move(dropped.error()));
  }
  auto others = read_value<std::int64_t>(
      ctx_.store(), [&](Tx& tx) { return tx.count_project_services(service.project_id); });
  if (others && *others <= 1) {
    // The project's last service: its network goes too, unless an app still sits on it.
    (void)run_step(
        service, "network",
        NewJob{.kind = "docker.network",
               .args = {{"action", "remove"}, {"name", project_network_name(service.project_id)}},
               .timeout_ms = kStepTimeoutMs});
  }
  return {};
}

void ManagedServices::finish(const std::string& service_id, std::string status,
                             std::string message) {
  auto written = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.get_service("", service_id);
    if (!found || !*found) {
      return found ? Result<void>{} : fail(std::move(found.error()));
    }
    ServiceRecord service = std::move(**found);
    service.status = std::move(status);
    service.status_message = std::move(message);
    service.updated_at = ctx_.clock().now();
    return tx.update_service(service);
  });
  if (!written) {
    log::warn("services.status_not_saved",
              {{"service_id", service_id}, {"error", written.error().message}});
  }
}

Result<ManagedServices::OpenedLogs> ManagedServices::open_logs(const Principal& who,
                                                               std::string_view team_id,
                                                               std::string_view id, bool follow,
                                                               std::int64_t tail) {
  auto service = read_value<ServiceRecord>(ctx_.store(), [&](Tx& tx) -> Result<ServiceRecord> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    return services_tx::service(tx, team_id, id);
  });
  if (!service) {
    return fail(std::move(service.error()));
  }
  if (service->status == "deleting") {
    return fail(with_code(Error::conflict("the service is being deleted"), "not_running"));
  }
  OpenedLogs opened;
  if (follow) {
    auto slot = follows_.reserve(principal_id(who), std::string(id));
    if (!slot) {
      return fail(std::move(slot.error()));
    }
    opened.follow_slot = std::move(*slot);
  }
  json args = {{"container", service->container_name}, {"follow", follow}};
  if (tail >= 0) {
    args["tail"] = tail;
  }
  auto logs_job = jobs_.submit_system(
      ctx_.ids().next("job"), team_id, service->server_id,
      NewJob{.kind = "docker.logs", .args = args, .timeout_ms = follow ? 60 * 60'000 : 60'000},
      principal_id(who));
  if (!logs_job) {
    return fail(std::move(logs_job.error()));
  }
  opened.job = std::move(*logs_job);
  return opened;
}

void ManagedServices::close_logs(std::string_view job_id) { (void)jobs_.cancel_system(job_id); }

}  // namespace berth
