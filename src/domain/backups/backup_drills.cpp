#include "domain/backups/backup_drills.hpp"

#include <thread>

#include "core/log.hpp"
#include "domain/backups/volume_backups.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "domain/services/service_spec.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

using nlohmann::json;

constexpr int kDrillReadySeconds = 300;  // a fresh database initialises before it answers
constexpr std::int64_t kDrillRunTimeoutMs = 120'000;
constexpr std::int64_t kDrillRemoveTimeoutMs = 120'000;
constexpr std::int64_t kMaxDrillsListed = 100;
constexpr std::int64_t kDrillsPerRound = 50;

std::string drill_container(std::string_view drill_id) {
  return "berth-drill-" + std::string(drill_id);
}

// The scratch container's docker.run arguments: the service's own image, engine settings and
// memory limit with fresh credentials, but nothing that reaches out — no network but
// loopback, no port, no named volume (the data lives in the container and its anonymous
// volumes, removed with it), no restart.
json scratch_run_args(const ServiceRecord& service, const BackupDrillRecord& drill,
                      Random& random) {
  const ServiceEngine* engine = find_service_engine(service.engine);
  const ServiceCredentials credentials =
      generate_service_credentials(*engine, service.name, random);
  json args = service_run_args(
      service.spec, credentials,
      ServicePlacement{.container = drill.container, .volume = {}, .network = {}, .alias = {}},
      service.id, service.project_id);
  args.erase("networks");
  args.erase("ports");
  args.erase("volumes");
  args["network_mode"] = "none";
  args["restart"] = "no";
  args["labels"] = {{"berth.drill", drill.id},
                    {"berth.backup", drill.backup_id},
                    {"berth.engine", service.engine}};
  return args;
}

// What a drill's scratch container runs: the service's own spec or, once the service is
// deleted, what its backup recorded of it (engine, image, version; migration 0016). nullopt when
// neither names an image: a backup older than that record, of a deleted service.
std::optional<ServiceRecord> drilled_service(const ServiceBackupRecord& backup,
                                             std::optional<ServiceRecord> service) {
  if (service) {
    return service;
  }
  if (backup.image.empty() || find_service_engine(backup.engine) == nullptr) {
    return std::nullopt;
  }
  ServiceRecord recorded{
      .id = backup.service_id,
      .team_id = backup.team_id,
      .project_id = backup.project_id,
      .server_id = backup.server_id,
      .name = backup.service_name,
      .engine = backup.engine,
      .spec = {{"name", backup.service_name}, {"engine", backup.engine}, {"image", backup.image}}};
  if (!backup.version.empty()) {
    recorded.spec["version"] = backup.version;
  }
  return recorded;
}

std::string failure_code(const Result<JobRecord>& done) {
  if (!done) {
    return done.error().code.empty() ? "drill_failed" : done.error().code;
  }
  return done->error_code.empty() ? done->state : done->error_code;
}

std::string failure_message(const Result<JobRecord>& done) {
  return done ? done->error_message : done.error().message;
}

}  // namespace

Result<BackupDrillRecord> BackupDrills::drill(const Principal& who, std::string_view team_id,
                                              std::string_view backup_id,
                                              const ClientInfo& client) {
  BackupDrillRecord drill{.id = ctx_.ids().next("drl"),
                          .team_id = std::string(team_id),
                          .backup_id = std::string(backup_id),
                          .step = "starting",
                          .created_by = who.user_id,
                          .created_at = ctx_.clock().now()};
  drill.container = drill_container(drill.id);
  auto created = write_audited_value<BackupDrillRecord>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "backup.drill", std::string(backup_id),
                 std::string(team_id), {{"drill_id", drill.id}}),
      [&](Tx& tx) -> Result<BackupDrillRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        auto backup = succeeded_backup(tx, team_id, backup_id, "drilled");
        if (!backup) {
          return fail(std::move(backup.error()));
        }
        const bool volume = backup->subject == "volume";
        auto service = tx.get_service(team_id, backup->service_id);
        if (!service) {
          return fail(std::move(service.error()));
        }
        if (!volume && !drilled_service(*backup, *service)) {
          return fail(with_code(
              Error::unprocessable("the backup's service was deleted, and the backup is older "
                                   "than Berth recording the service's image: a drill runs it"),
              "service_gone"));
        }
        auto running = tx.list_running_drills();
        if (!running) {
          return fail(std::move(running.error()));
        }
        for (const auto& other : *running) {
          if (volume ? other.backup_id == backup->id : other.service_id == backup->service_id) {
            return fail(with_code(
                Error::conflict("a drill of this " + std::string(volume ? "backup" : "service") +
                                " is running: " + other.id),
                "drill_running"));
          }
        }
        drill.service_id = backup->service_id;
        drill.server_id = backup->server_id;
        drill.engine = backup->engine;
        if (auto stored = tx.create_backup_drill(drill); !stored) {
          return fail(std::move(stored.error()));
        }
        return drill;
      });
  if (created) {
    start(*created);
  }
  return created;
}

void BackupDrills::start(const BackupDrillRecord& drill) {
  ++running_;
  if (!worker_.post([this, id = drill.id] {
        execute(id);
        --running_;
      })) {
    --running_;
    BackupDrillRecord dropped = drill;
    dropped.status = "failed";
    dropped.error_code = "queue_full";
    dropped.error_message = "too many drills are queued; try again";
    dropped.finished_at = ctx_.clock().now();
    (void)ctx_.store().write([&](Tx& tx) { return tx.update_backup_drill(dropped); });
  }
}

void BackupDrills::remove_scratch(const BackupDrillRecord& drill, bool started) {
  auto removed = steps_.run(
      "", drill.team_id, drill.server_id, "drill",
      NewJob{.kind = "docker.remove",
             .args = {{"container", drill.container}, {"force", true}, {"volumes", true}},
             .timeout_ms = kDrillRemoveTimeoutMs},
      [] { return false; });
  if (!removed || (removed->state != job_state::succeeded && started)) {
    log::warn("backups.drill_container_left", {{"drill_id", drill.id},
                                               {"container", drill.container},
                                               {"error", failure_message(removed)}});
  }
}

void BackupDrills::execute(const std::string& drill_id) {
  struct Loaded {
    BackupDrillRecord drill;
    ServiceBackupRecord backup;
    std::optional<ServiceRecord> service;
    std::string volume_image;  // a volume backup's helper image
  };
  auto loaded = read_value<Loaded>(ctx_.store(), [&](Tx& tx) -> Result<Loaded> {
    auto drill = tx.get_backup_drill("", drill_id);
    if (!drill || !*drill) {
      return fail(Error::not_found("the drill is gone"));
    }
    auto backup = tx.get_service_backup((*drill)->team_id, (*drill)->backup_id);
    if (!backup || !*backup) {
      return fail(Error::not_found("the backup is gone"));
    }
    auto service = tx.get_service((*drill)->team_id, (*drill)->service_id);
    if (!service) {
      return fail(std::move(service.error()));
    }
    return Loaded{.drill = **drill,
                  .backup = **backup,
                  .service = drilled_service(**backup, *service),
                  .volume_image = (*backup)->subject == "volume" ? volume_helper_image(tx, **backup)
                                                                 : std::string()};
  });
  if (!loaded) {
    return;
  }
  BackupDrillRecord& drill = loaded->drill;
  ServiceBackupRecord& backup = loaded->backup;
  const auto save = [&] {
    (void)ctx_.store().write([&](Tx& tx) { return tx.update_backup_drill(drill); });
  };
  const auto stop_wanted = [this] { return stopping_.load(); };
  std::string code;
  std::string message;

  // 1. The scratch container (a volume backup's job makes and removes its scratch volume).
  const bool volume = backup.subject == "volume";
  bool started = volume;
  if (volume) {
    // Nothing to start: the restore job fills a scratch volume.
  } else if (!loaded->service || find_service_engine(loaded->service->engine) == nullptr) {
    code = "service_gone";
    message = "the backup's service was deleted and the backup does not record its image";
  } else {
    auto run = steps_.run("", drill.team_id, drill.server_id, "drill",
                          NewJob{.kind = "docker.run",
                                 .args = scratch_run_args(*loaded->service, drill, ctx_.random()),
                                 .timeout_ms = kDrillRunTimeoutMs},
                          stop_wanted);
    if (!run && run.error().code == "stopping") {
      return;  // fail_interrupted() settles it (and removes the container) at the next start
    }
    started = run && run->state == job_state::succeeded;
    if (!started) {
      code = failure_code(run);
      message = "the scratch container did not start: " + failure_message(run);
    }
  }

  // 2. The restore into it, and the engine's check.
  if (started) {
    drill.step = "restoring";
    save();
    auto job =
        volume ? volume_restore_job(backups_, backup, drill.container, loaded->volume_image, true)
               : backups_.restore_job(backup, drill.container, kDrillReadySeconds);
    if (!job) {
      code = job.error().code;
      message = job.error().message;
    } else {
      auto done = steps_.run("", drill.team_id, drill.server_id, "drill", *job, stop_wanted);
      if (!done && done.error().code == "stopping") {
        return;
      }
      if (done) {
        drill.job_id = done->id;
      }
      if (done && done->state == job_state::succeeded) {
        drill.check_result = done->result.value("check", "");
        if (drill.check_result.empty()) {
          code = "check_failed";
          message = "the engine's check gave no answer";
        }
      } else {
        code = failure_code(done);
        message = failure_message(done);
      }
    }
  }

  // 3. The container goes, whatever happened above (a volume's job removed its own).
  drill.step = code.empty() ? "removing" : drill.step;
  save();
  if (!volume) {
    remove_scratch(drill, started);
  }

  const TimePoint now = ctx_.clock().now();
  drill.finished_at = now;
  drill.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - drill.created_at).count();
  drill.status = code.empty() ? "verified" : "failed";
  drill.error_code = code;
  drill.error_message = message;
  auto stored = ctx_.store().write([&](Tx& tx) -> Result<void> {
    if (auto updated = tx.update_backup_drill(drill); !updated) {
      return updated;
    }
    auto current = tx.get_service_backup(drill.team_id, drill.backup_id);
    if (!current) {
      return fail(std::move(current.error()));
    }
    if (!*current) {
      return {};
    }
    ServiceBackupRecord marked = **current;
    marked.verified = drill.status;
    marked.verified_at = now;
    marked.drill_check = drill.check_result;
    marked.drill_duration_ms = drill.duration_ms;
    return tx.update_service_backup(marked);
  });
  if (!stored) {
    log::warn("backups.drill_record_failed",
              {{"drill_id", drill.id}, {"error", stored.error().message}});
  }
  if (!code.empty() && events_) {
    events_(drill.server_id, "backup_drill_failed",
            {{"backup_id", drill.backup_id},
             {"drill_id", drill.id},
             {"service_id", drill.service_id},
             {"service_name", backup.service_name},
             {"step", drill.step},
             {"code", code},
             {"reason", message}});
  }
}

Result<std::vector<BackupDrillRecord>> BackupDrills::list(const Principal& who,
                                                          std::string_view team_id,
                                                          std::string_view backup_id) {
  return read_value<std::vector<BackupDrillRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<BackupDrillRecord>> {
        if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
          return fail(std::move(role.error()));
        }
        auto backup = tx.get_service_backup(team_id, backup_id);
        if (!backup) {
          return fail(std::move(backup.error()));
        }
        if (!*backup) {
          return fail(Error::not_found("no such backup"));
        }
        return tx.list_backup_drills(team_id, backup_id, kMaxDrillsListed);
      });
}

Result<BackupDrillRecord> BackupDrills::get(const Principal& who, std::string_view team_id,
                                            std::string_view id) {
  return read_value<BackupDrillRecord>(ctx_.store(), [&](Tx& tx) -> Result<BackupDrillRecord> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto found = tx.get_backup_drill(team_id, id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(Error::not_found("no such drill"));
    }
    return **found;
  });
}

std::size_t BackupDrills::schedule_due() {
  const TimePoint now = ctx_.clock().now();
  auto claimed = write_value<std::vector<BackupDrillRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<BackupDrillRecord>> {
        auto due = tx.list_drill_candidates(now - interval_, kDrillsPerRound);
        if (!due) {
          return fail(std::move(due.error()));
        }
        std::vector<BackupDrillRecord> drills;
        for (const auto& backup : *due) {
          BackupDrillRecord drill{.id = ctx_.ids().next("drl"),
                                  .team_id = backup.team_id,
                                  .backup_id = backup.id,
                                  .service_id = backup.service_id,
                                  .server_id = backup.server_id,
                                  .engine = backup.engine,
                                  .step = "starting",
                                  .trigger = "schedule",
                                  .created_at = now};
          drill.container = drill_container(drill.id);
          if (auto stored = tx.create_backup_drill(drill); !stored) {
            return fail(std::move(stored.error()));
          }
          drills.push_back(std::move(drill));
        }
        return drills;
      });
  if (!claimed) {
    log::warn("backups.drill_schedule_failed", {{"error", claimed.error().message}});
    return 0;
  }
  for (const auto& drill : *claimed) {
    start(drill);
  }
  return claimed->size();
}

void BackupDrills::fail_interrupted() {
  auto running = read_value<std::vector<BackupDrillRecord>>(
      ctx_.store(), [](Tx& tx) { return tx.list_running_drills(); });
  for (auto drill : running.value_or(std::vector<BackupDrillRecord>{})) {
    drill.status = "failed";
    drill.error_code = "interrupted";
    drill.error_message = "berthd stopped during the drill; its scratch container is removed";
    drill.finished_at = ctx_.clock().now();
    (void)ctx_.store().write([&](Tx& tx) { return tx.update_backup_drill(drill); });
    // Queued for the server: dispatched when its agent is back.
    auto queued = jobs_.submit_system(
        ctx_.ids().next("job"), drill.team_id, drill.server_id,
        NewJob{.kind = "docker.remove",
               .args = {{"container", drill.container}, {"force", true}, {"volumes", true}},
               .timeout_ms = kDrillRemoveTimeoutMs},
        std::string(kDeploymentJobCreator));
    if (!queued) {
      log::warn("backups.drill_container_left",
                {{"drill_id", drill.id}, {"error", queued.error().message}});
    }
  }
}

bool BackupDrills::idle(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (running_ > 0) {
    if (std::chrono::steady_clock::now() >= until) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace berth
