// ServiceBackups: restores — into the backup's own service (after a safety backup of it) or
// into a new service the restore creates. The backup.restore job itself is restore_job() in
// service_backups.cpp (drills run it too).
#include <fmt/format.h>

#include <charconv>
#include <thread>

#include "core/log.hpp"
#include "domain/backups/service_backups.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

using nlohmann::json;

// A new service pulls its image and initialises its data directory before it runs.
constexpr std::chrono::minutes kNewServiceStartLimit{15};
// After the container runs, the engine may still be initialising: the job waits for it.
constexpr int kNewServiceReadySeconds = 300;

// The backup's object must still be reachable: its destination was not deleted.
Result<void> require_destination(Tx& tx, const ServiceBackupRecord& backup) {
  auto destination = tx.get_backup_destination(backup.team_id, backup.destination_id);
  if (!destination) {
    return fail(std::move(destination.error()));
  }
  if (!*destination) {
    return fail(with_code(Error::unprocessable("the backup's destination was deleted"),
                          "backup_not_restorable"));
  }
  return {};
}

// A restore into another major version goes forward only: each engine's dump (pg_dump's
// archive, mysqldump's SQL, Redis's RDB) loads into its own or a newer version, not an older.
Result<void> check_restore_version(std::string_view engine, const std::string& from,
                                   const std::string& to) {
  const auto major = [](const std::string& text) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() ? value : -1;
  };
  if (major(from) >= 0 && major(to) >= 0 && major(to) < major(from)) {
    return fail(with_code(
        Error::unprocessable(fmt::format("this is a backup of {} {}, which does not load into the "
                                         "older {}: restore into {} or newer",
                                         engine, from, to, from)),
        "version_downgrade"));
  }
  return {};
}

// What a restore into a new service creates: a service like the backup's own — its engine,
// version and image (or a newer version the request names), in its project, on its server
// unless the request names another — from
// what the backup recorded, or, for a backup older than that record, from its service.
Result<ServiceInput> new_service_input(Tx& tx, const ServiceBackupRecord& backup,
                                       const RestoreRequest& request) {
  auto source = tx.get_service(backup.team_id, backup.service_id);
  if (!source) {
    return fail(std::move(source.error()));
  }
  const ServiceRecord* from = *source ? &**source : nullptr;
  std::string project_id = backup.project_id;
  std::string version = backup.version;
  std::string image = backup.image;
  if (from != nullptr) {
    project_id = project_id.empty() ? from->project_id : project_id;
    version = version.empty() ? from->spec.value("version", "") : version;
    image = image.empty() ? from->spec.value("image", "") : image;
  }
  if (!request.version.empty() && request.version != version) {
    if (auto newer = check_restore_version(backup.engine, version, request.version); !newer) {
      return fail(std::move(newer.error()));
    }
    version = request.version;
    image = request.image;  // "" = the engine's default image of that version (service_spec)
  } else if (!request.image.empty()) {
    image = request.image;
  }
  if ((image.empty() && request.version.empty()) || project_id.empty()) {
    return fail(with_code(Error::unprocessable("this backup was taken before Berth recorded its "
                                               "service's image, and the service was deleted: "
                                               "create a service and restore into it instead"),
                          "backup_not_restorable"));
  }
  ServiceInput input{.project_id = request.project_id.empty() ? project_id : request.project_id,
                     .server_id = request.server_id.empty()
                                      ? (from != nullptr ? from->server_id : backup.server_id)
                                      : request.server_id,
                     .spec = {{"name", request.name}, {"engine", backup.engine}}};
  if (!image.empty()) {
    input.spec["image"] = image;
  }
  if (!version.empty()) {
    input.spec["version"] = version;
  }
  if (from != nullptr) {
    for (const char* limit : {"memory_bytes", "nano_cpus"}) {
      if (from->spec.contains(limit)) {
        input.spec[limit] = from->spec[limit];
      }
    }
  }
  auto server = tx.get_server(backup.team_id, input.server_id);
  if (!server) {
    return fail(std::move(server.error()));
  }
  if (!*server) {
    return fail(Error::not_found("no such server in the team: " + input.server_id));
  }
  return input;
}

}  // namespace

Result<BackupRestoreRecord> ServiceBackups::restore(const Principal& who, std::string_view team_id,
                                                    std::string_view id,
                                                    const RestoreRequest& request,
                                                    const ClientInfo& client) {
  if (request.target == "same") {
    if (!request.version.empty() || !request.image.empty()) {
      return fail(Error::validation(request.version.empty() ? "image" : "version",
                                    "a backup restores into its own service as it is; another "
                                    "version or image needs target \"new\""));
    }
    return restore_same(who, team_id, id, request.confirm, client);
  }
  if (request.target == "new") {
    return restore_new(who, team_id, id, request, client);
  }
  return fail(Error::validation("target", "target must be \"same\" or \"new\""));
}

Result<BackupRestoreRecord> ServiceBackups::restore_same(const Principal& who,
                                                         std::string_view team_id,
                                                         std::string_view id,
                                                         std::string_view confirm,
                                                         const ClientInfo& client) {
  BackupRestoreRecord restore = new_restore(ctx_, who, team_id, id, "safety_backup");
  auto created = write_audited_value<BackupRestoreRecord>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "service.restore", std::string(id),
                 std::string(team_id), {{"restore_id", restore.id}, {"target", "same"}}),
      [&](Tx& tx) -> Result<BackupRestoreRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        auto backup = succeeded_backup(tx, team_id, id, "restored");
        if (!backup) {
          return fail(std::move(backup.error()));
        }
        auto service = backup_service(tx, team_id, backup->service_id,
                                      "the backup's service no longer exists");
        if (!service) {
          return fail(std::move(service.error()));
        }
        if (confirm != service->name) {
          return fail(with_code(Error::unprocessable("a restore replaces the service's data: "
                                                     "repeat its name as confirm=" +
                                                     service->name),
                                "confirm_required"));
        }
        if (auto running = require_service_running(*service, "restored into"); !running) {
          return fail(std::move(running.error()));
        }
        if (auto reachable = require_destination(tx, *backup); !reachable) {
          return fail(std::move(reachable.error()));
        }
        restore.service_id = backup->service_id;
        if (auto stored = tx.create_backup_restore(restore); !stored) {
          return fail(std::move(stored.error()));
        }
        return restore;
      });
  if (!created) {
    return created;
  }
  return queue_restore(std::move(*created), who);
}

Result<BackupRestoreRecord> ServiceBackups::restore_new(const Principal& who,
                                                        std::string_view team_id,
                                                        std::string_view id,
                                                        const RestoreRequest& request,
                                                        const ClientInfo& client) {
  if (request.name.empty()) {
    return fail(Error::validation("name", "name (the new service's) is required with target new"));
  }
  // Everything that can refuse the restore is checked before the service is created.
  auto input = read_value<ServiceInput>(ctx_.store(), [&](Tx& tx) -> Result<ServiceInput> {
    if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
      return fail(std::move(role.error()));
    }
    auto backup = succeeded_backup(tx, team_id, id, "restored");
    if (!backup) {
      return fail(std::move(backup.error()));
    }
    if (auto reachable = require_destination(tx, *backup); !reachable) {
      return fail(std::move(reachable.error()));
    }
    return new_service_input(tx, *backup, request);
  });
  if (!input) {
    return fail(std::move(input.error()));
  }
  auto service = services_.create(who, team_id, *input, client);
  if (!service) {
    return fail(std::move(service.error()));
  }
  BackupRestoreRecord restore{.id = ctx_.ids().next("rst"),
                              .team_id = std::string(team_id),
                              .backup_id = std::string(id),
                              .service_id = service->service.id,
                              .step = "starting_service",
                              .created_by = who.user_id,
                              .created_at = ctx_.clock().now(),
                              .target = "new"};
  auto created = write_audited_value<BackupRestoreRecord>(
      ctx_.store(),
      make_audit(
          ctx_, actor_of(who, client), "service.restore", std::string(id), std::string(team_id),
          {{"restore_id", restore.id}, {"target", "new"}, {"service_id", restore.service_id}}),
      [&](Tx& tx) -> Result<BackupRestoreRecord> {
        // Again where the restore is recorded: retention may have begun deleting the backup
        // since it was checked (the new service then stays, empty, for the caller to delete).
        if (auto backup = succeeded_backup(tx, team_id, id, "restored"); !backup) {
          return fail(std::move(backup.error()));
        }
        if (auto stored = tx.create_backup_restore(restore); !stored) {
          return fail(std::move(stored.error()));
        }
        return restore;
      });
  if (!created) {
    log::warn("backups.restore_not_recorded",
              {{"service_id", restore.service_id}, {"error", created.error().message}});
    return created;
  }
  return queue_restore(std::move(*created), who);
}

Result<BackupRestoreRecord> ServiceBackups::queue_restore(BackupRestoreRecord restore,
                                                          const Principal& who) {
  ++running_;
  if (!worker_.post([this, id = restore.id, who] {
        execute_restore(id, who);
        --running_;
      })) {
    --running_;
    restore.status = "failed";
    restore.error_code = "queue_full";
    restore.error_message = "too many backups and restores are queued; try again";
    restore.finished_at = ctx_.clock().now();
    (void)ctx_.store().write([&](Tx& tx) { return tx.update_backup_restore(restore); });
  }
  return restore;
}

Result<BackupRestoreRecord> ServiceBackups::get_restore(const Principal& who,
                                                        std::string_view team_id,
                                                        std::string_view id) {
  return read_value<BackupRestoreRecord>(ctx_.store(), [&](Tx& tx) -> Result<BackupRestoreRecord> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto found = tx.get_backup_restore(team_id, id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(Error::not_found("no such restore"));
    }
    return **found;
  });
}

void ServiceBackups::execute_restore(const std::string& restore_id, const Principal& who) {
  auto loaded = read_value<std::pair<BackupRestoreRecord, ServiceBackupRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::pair<BackupRestoreRecord, ServiceBackupRecord>> {
        auto restore = tx.get_backup_restore("", restore_id);
        if (!restore || !*restore) {
          return fail(Error::not_found("the restore is gone"));
        }
        auto backup = tx.get_service_backup((*restore)->team_id, (*restore)->backup_id);
        if (!backup || !*backup) {
          return fail(Error::not_found("the backup is gone"));
        }
        return std::pair{**restore, **backup};
      });
  if (!loaded) {
    return;
  }
  auto& [restore, backup] = *loaded;
  auto save = [&] {
    (void)ctx_.store().write([&](Tx& tx) { return tx.update_backup_restore(restore); });
  };
  auto end = [&](std::string code, std::string message) {
    restore.status = code.empty() ? "succeeded" : "failed";
    restore.error_code = std::move(code);
    restore.error_message = std::move(message);
    restore.finished_at = ctx_.clock().now();
    save();
  };
  auto current_service = [&] {
    return read_value<std::optional<ServiceRecord>>(
        ctx_.store(), [&](Tx& tx) { return tx.get_service(restore.team_id, restore.service_id); });
  };

  int wait_ready_seconds = 0;
  if (restore.target == "new") {
    // The new service is empty: nothing to keep a safety copy of. Its first deployment runs
    // in the background; the restore waits for it to end.
    const auto until = std::chrono::steady_clock::now() + kNewServiceStartLimit;
    for (;;) {
      auto service = current_service();
      if (stopping_) {
        return;  // fail_interrupted() settles it at the next start
      }
      if (!service || !*service) {
        end("service_gone", "the new service was deleted before the restore");
        return;
      }
      if ((*service)->status == "running") {
        break;
      }
      if ((*service)->status != "deploying" && (*service)->status != "new") {
        end("service_failed", "the new service did not start (" + (*service)->status +
                                  "): " + (*service)->status_message);
        return;
      }
      if (std::chrono::steady_clock::now() >= until) {
        end("service_failed", "the new service did not start in time");
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    wait_ready_seconds = kNewServiceReadySeconds;
  } else {
    // First a backup of the service as it is now, so a wrong restore can itself be undone.
    ServiceBackupRecord safety{.id = ctx_.ids().next("bkp"),
                               .team_id = backup.team_id,
                               .service_id = backup.service_id,
                               .service_name = backup.service_name,
                               .engine = backup.engine,
                               .server_id = backup.server_id,
                               .destination_id = backup.destination_id,
                               .trigger = "safety",
                               .created_by = who.user_id,
                               .created_at = ctx_.clock().now(),
                               .project_id = backup.project_id,
                               .version = backup.version,
                               .image = backup.image};
    safety.object_key =
        backup.object_key.substr(0, backup.object_key.rfind('/') + 1) + safety.id + ".bsb";
    if (auto stored = ctx_.store().write([&](Tx& tx) { return tx.create_service_backup(safety); });
        !stored) {
      end("safety_backup_failed", stored.error().message);
      return;
    }
    restore.safety_backup_id = safety.id;
    save();
    execute(safety.id);
    auto taken = read_value<std::optional<ServiceBackupRecord>>(
        ctx_.store(), [&](Tx& tx) { return tx.get_service_backup("", safety.id); });
    if (stopping_) {
      return;
    }
    if (!taken || !*taken || (*taken)->status != "succeeded") {
      end("safety_backup_failed",
          "the backup taken before restoring failed, so nothing was restored" +
              (taken && *taken ? ": " + (*taken)->error_message : std::string()));
      return;
    }
  }

  auto service = current_service();
  if (!service || !*service) {
    end("service_gone", "the service was deleted during the restore");
    return;
  }
  auto job = restore_job(backup, (*service)->container_name, wait_ready_seconds);
  if (!job) {
    end(job.error().code, job.error().message);
    return;
  }
  const std::string job_id = ctx_.ids().next("job");
  auto submitted = jobs_.submit_system(job_id, backup.team_id, (*service)->server_id, *job,
                                       std::string(kDeploymentJobCreator));
  if (!submitted) {
    end(submitted.error().code, submitted.error().message);
    return;
  }
  // Only once the job exists: a client that reads the restore follows /jobs/{job_id}/output.
  restore.step = "restoring";
  restore.job_id = job_id;
  save();
  auto done = await_job(ctx_, backup.team_id, restore.job_id, stopping_);
  if (!done) {
    return;  // stopping: fail_interrupted() settles it at the next start
  }
  if (done->state == job_state::succeeded) {
    restore.check_result = done->result.value("check", "");
    end("", "");
  } else {
    end(done->error_code.empty() ? done->state : done->error_code, done->error_message);
  }
}

}  // namespace berth
