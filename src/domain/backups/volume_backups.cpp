#include "domain/backups/volume_backups.hpp"

#include <algorithm>
#include <thread>

#include "core/log.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxVolumeNameSize = 128;
// A restart pulls nothing (the current artifact) but waits for the new container's health.
constexpr std::chrono::minutes kRedeployLimit{30};
// Fresh volume names tried when the agent finds the next one taken.
constexpr int kFreshVolumeAttempts = 5;

// One mount of an app: its place in settings.volumes, source and target.
struct AppMount {
  AppRecord app;
  std::size_t index = 0;
  std::string source;
  std::string target;
};

bool is_volume_param(std::string_view volume) {
  return !volume.empty() && volume.size() <= kMaxVolumeNameSize &&
         std::all_of(volume.begin(), volume.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' ||
                  c == '-';
         });
}

Result<AppRecord> volume_app(Tx& tx, std::string_view team_id, std::string_view app_id) {
  auto app = tx.get_app(team_id, app_id);
  if (!app) {
    return fail(std::move(app.error()));
  }
  if (!*app) {
    return fail(Error::not_found("no such app"));
  }
  return std::move(**app);
}

// The app's mount whose source is `volume` (or "<team id>-<volume>") when `by_target` is false,
// or whose target is `volume` when it is true. A host path is refused: it is not a volume.
Result<AppMount> find_mount(AppRecord app, std::string_view volume, bool by_target) {
  const json volumes = app.settings.value("volumes", json::array());
  const std::string prefixed = app.team_id + "-" + std::string(volume);
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    const std::string source = volumes[i].value("source", "");
    const std::string target = volumes[i].value("target", "");
    const bool match = by_target ? target == volume : (source == volume || source == prefixed);
    if (!match) {
      continue;
    }
    if (source.starts_with('/')) {
      return fail(with_code(Error::unprocessable("the app mounts the host path " + source + " at " +
                                                 target + ": only named volumes are backed up"),
                            "not_a_volume"));
    }
    return AppMount{.app = std::move(app), .index = i, .source = source, .target = target};
  }
  return fail(Error::not_found(by_target
                                   ? "the app no longer mounts a volume at " + std::string(volume)
                                   : "the app has no volume " + std::string(volume)));
}

// The app's serving deployment: it must run a container (backups and restores read its
// container and image).
Result<DeploymentRecord> serving_deployment(Tx& tx, const AppRecord& app, std::string_view what) {
  if (app.status == "running" && !app.current_deployment_id.empty()) {
    auto current = tx.get_deployment(app.team_id, app.current_deployment_id);
    if (!current) {
      return fail(std::move(current.error()));
    }
    if (*current && !(*current)->container_name.empty()) {
      return std::move(**current);
    }
  }
  return fail(with_code(Error::conflict("the app is " + app.status +
                                        ": only a running app's "
                                        "volume can be " +
                                        std::string(what)),
                        "app_not_running"));
}

// A new volume backup's subject, server and object key, inside the transaction recording it.
// `volume` is the mount's source, or its target when `by_target` (a scheduled run).
Result<void> prepare_volume_backup(const AreaContext& ctx, Tx& tx, ServiceBackupRecord& backup,
                                   std::string_view volume, bool by_target = false) {
  auto app = volume_app(tx, backup.team_id, backup.app_id);
  if (!app) {
    return fail(std::move(app.error()));
  }
  backup.service_name = app->name;
  backup.server_id = app->server_id;
  backup.project_id = app->project_id;
  auto mount = find_mount(std::move(*app), volume, by_target);
  if (!mount) {
    return fail(std::move(mount.error()));
  }
  auto serving = serving_deployment(tx, mount->app, "backed up");
  if (!serving) {
    return fail(std::move(serving.error()));
  }
  backup.image = serving->artifact.value("image", "");
  backup.volume = mount->source;
  backup.mount_target = mount->target;
  return prepare_backup_object(ctx, tx, backup,
                               mount->app.name + "-" + mount->app.id + "/" + mount->source);
}

}  // namespace

Result<std::string> volume_mount_target(Tx& tx, std::string_view team_id, std::string_view app_id,
                                        std::string_view volume) {
  if (!is_volume_param(volume)) {
    return fail(Error::not_found("the app has no volume " + std::string(volume)));
  }
  auto app = volume_app(tx, team_id, app_id);
  if (!app) {
    return fail(std::move(app.error()));
  }
  auto mount = find_mount(std::move(*app), volume, false);
  if (!mount) {
    return fail(std::move(mount.error()));
  }
  return std::move(mount->target);
}

Result<json> volume_backup_args(Tx& tx, const ServiceBackupRecord& backup) {
  auto app = volume_app(tx, backup.team_id, backup.app_id);
  if (!app) {
    return fail(Error::unavailable("the app is gone"));
  }
  auto serving = serving_deployment(tx, *app, "backed up");
  if (!serving) {
    return fail(std::move(serving.error()));
  }
  return json{
      {"engine", "volume"}, {"container", serving->container_name}, {"path", backup.mount_target}};
}

std::string volume_helper_image(Tx& tx, const ServiceBackupRecord& backup) {
  auto app = volume_app(tx, backup.team_id, backup.app_id);
  if (app) {
    if (auto serving = serving_deployment(tx, *app, "restored"); serving) {
      return serving->artifact.value("image", backup.image);
    }
  }
  return backup.image;
}

Result<NewJob> volume_restore_job(ServiceBackups& backups, const ServiceBackupRecord& backup,
                                  std::string_view volume, std::string_view image, bool scratch) {
  auto job = backups.restore_job(backup, "", 0);
  if (!job) {
    return job;
  }
  job->args.erase("container");
  job->args["volume"] = std::string(volume);
  job->args["path"] = backup.mount_target;
  job->args["image"] = std::string(image);
  job->args["remove_volume"] = scratch;
  return job;
}

std::string next_restore_volume(std::string_view volume) {
  std::string base(volume);
  long long n = 0;
  if (const auto cut = volume.rfind("-r");
      cut != std::string_view::npos && cut + 2 < volume.size()) {
    const std::string_view digits = volume.substr(cut + 2);
    if (digits.size() <= 9 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      base = std::string(volume.substr(0, cut));
      n = std::stoll(std::string(digits));
    }
  }
  std::string next = base + "-r" + std::to_string(n + 1);
  return next.size() <= kMaxVolumeNameSize ? next : std::string();
}

Result<ServiceBackupRecord> VolumeBackups::run(const Principal& who, std::string_view team_id,
                                               std::string_view app_id, std::string_view volume,
                                               std::string_view destination_id,
                                               const ClientInfo& client) {
  if (!is_volume_param(volume) && !volume.starts_with('/')) {
    return fail(Error::not_found("the app has no volume " + std::string(volume)));
  }
  if (destination_id.empty()) {
    return fail(Error::validation("destination_id", "destination_id is required"));
  }
  ServiceBackupRecord backup{.id = ctx_.ids().next("bkp"),
                             .team_id = std::string(team_id),
                             .engine = "volume",
                             .destination_id = std::string(destination_id),
                             .created_by = who.user_id,
                             .created_at = ctx_.clock().now(),
                             .subject = "volume",
                             .app_id = std::string(app_id)};
  auto created = write_audited_value<ServiceBackupRecord>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "app.volume_backup", std::string(app_id),
                 std::string(team_id),
                 {{"backup_id", backup.id},
                  {"volume", std::string(volume)},
                  {"destination_id", backup.destination_id}}),
      [&](Tx& tx) -> Result<ServiceBackupRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        if (auto prepared = prepare_volume_backup(ctx_, tx, backup, volume); !prepared) {
          return fail(std::move(prepared.error()));
        }
        if (auto stored = tx.create_service_backup(backup); !stored) {
          return fail(std::move(stored.error()));
        }
        return backup;
      });
  if (created) {
    backups_.launch(*created);
  }
  return created;
}

Result<ServiceBackupRecord> VolumeBackups::record_scheduled(Tx& tx,
                                                            const BackupPolicyRecord& policy) {
  ServiceBackupRecord backup{.id = ctx_.ids().next("bkp"),
                             .team_id = policy.team_id,
                             .engine = "volume",
                             .destination_id = policy.destination_id,
                             .trigger = "schedule",
                             .created_by = "schedule",
                             .created_at = ctx_.clock().now(),
                             .subject = "volume",
                             .app_id = policy.app_id,
                             .mount_target = policy.mount_target};
  // The app stopped, the mount removed, the destination gone: recorded as failed (at the
  // policy's mount target).
  auto prepared = prepare_volume_backup(ctx_, tx, backup, policy.mount_target, true);
  backup.mount_target = policy.mount_target;
  return record_scheduled_backup(tx, std::move(backup), std::move(prepared));
}

Result<Page<ServiceBackupRecord>> VolumeBackups::list(const Principal& who,
                                                      std::string_view team_id,
                                                      std::string_view app_id,
                                                      const PageRequest& page) {
  return read_value<Page<ServiceBackupRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<Page<ServiceBackupRecord>> {
        if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
          return fail(std::move(role.error()));
        }
        if (auto app = volume_app(tx, team_id, app_id); !app) {
          return fail(std::move(app.error()));
        }
        return tx.list_service_backups(ServiceBackupQuery{.team_id = std::string(team_id),
                                                          .app_id = std::string(app_id),
                                                          .page = page.page,
                                                          .per_page = page.per_page});
      });
}

Result<BackupRestoreRecord> VolumeBackups::restore(const Principal& who, std::string_view team_id,
                                                   std::string_view id,
                                                   const RestoreRequest& request,
                                                   const ClientInfo& client) {
  auto subject = read_value<std::string>(ctx_.store(), [&](Tx& tx) -> Result<std::string> {
    auto backup = tx.get_service_backup(team_id, id);
    if (!backup) {
      return fail(std::move(backup.error()));
    }
    return *backup ? (*backup)->subject : std::string();
  });
  if (!subject) {
    return fail(std::move(subject.error()));
  }
  if (*subject != "volume") {
    return backups_.restore(who, team_id, id, request, client);
  }
  BackupRestoreRecord restore = new_restore(ctx_, who, team_id, id, "restoring");
  auto created = write_audited_value<BackupRestoreRecord>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "app.volume_restore", std::string(id),
                 std::string(team_id), {{"restore_id", restore.id}, {"target", "same"}}),
      [&](Tx& tx) -> Result<BackupRestoreRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        if (request.target != "same") {
          return fail(with_code(Error::unprocessable("a volume backup is restored into a fresh "
                                                     "volume of its own app (target same)"),
                                "volume_restore_target"));
        }
        auto backup = succeeded_backup(tx, team_id, id, "restored");
        if (!backup) {
          return fail(std::move(backup.error()));
        }
        auto destination = tx.get_backup_destination(team_id, backup->destination_id);
        if (!destination || !*destination) {
          return fail(with_code(Error::unprocessable("the backup's destination was deleted"),
                                "backup_not_restorable"));
        }
        auto app = volume_app(tx, team_id, backup->app_id);
        if (!app) {
          return fail(Error::not_found("the backup's app no longer exists"));
        }
        auto mount = find_mount(std::move(*app), backup->mount_target, true);
        if (!mount) {
          return fail(std::move(mount.error()));
        }
        if (request.confirm != mount->app.name) {
          return fail(with_code(Error::unprocessable("a restore redeploys the app with the "
                                                     "backup's files: repeat its name as "
                                                     "confirm=" +
                                                     mount->app.name),
                                "confirm_required"));
        }
        if (auto serving = serving_deployment(tx, mount->app, "restored"); !serving) {
          return fail(std::move(serving.error()));
        }
        restore.new_volume = next_restore_volume(mount->source);
        if (restore.new_volume.empty()) {
          return fail(with_code(Error::unprocessable("the volume's name is too long to name a "
                                                     "fresh volume after it"),
                                "volume_name_too_long"));
        }
        restore.app_id = mount->app.id;
        if (auto stored = tx.create_backup_restore(restore); !stored) {
          return fail(std::move(stored.error()));
        }
        return restore;
      });
  if (!created) {
    return created;
  }
  ++running_;
  if (!worker_.post([this, restore_id = created->id, who] {
        execute_restore(restore_id, who);
        --running_;
      })) {
    --running_;
    created->status = "failed";
    created->error_code = "queue_full";
    created->error_message = "too many restores are queued; try again";
    created->finished_at = ctx_.clock().now();
    (void)ctx_.store().write([&](Tx& tx) { return tx.update_backup_restore(*created); });
  }
  return created;
}

void VolumeBackups::execute_restore(const std::string& restore_id, const Principal& who) {
  struct Loaded {
    BackupRestoreRecord restore;
    ServiceBackupRecord backup;
    AppRecord app;
    std::string image;
  };
  auto loaded = read_value<Loaded>(ctx_.store(), [&](Tx& tx) -> Result<Loaded> {
    auto restore = tx.get_backup_restore("", restore_id);
    if (!restore || !*restore) {
      return fail(Error::not_found("the restore is gone"));
    }
    auto backup = tx.get_service_backup((*restore)->team_id, (*restore)->backup_id);
    if (!backup || !*backup) {
      return fail(Error::not_found("the backup is gone"));
    }
    auto app = volume_app(tx, (*restore)->team_id, (*restore)->app_id);
    if (!app) {
      return fail(std::move(app.error()));
    }
    if (auto serving = serving_deployment(tx, *app, "restored"); !serving) {
      return fail(std::move(serving.error()));
    }
    std::string image = volume_helper_image(tx, **backup);
    return Loaded{.restore = **restore, .backup = **backup, .app = *app, .image = std::move(image)};
  });
  if (!loaded) {
    auto restore = read_value<std::optional<BackupRestoreRecord>>(
        ctx_.store(), [&](Tx& tx) { return tx.get_backup_restore("", restore_id); });
    if (restore && *restore) {
      BackupRestoreRecord failed = **restore;
      failed.status = "failed";
      failed.error_code = loaded.error().code.empty() ? "restore_failed" : loaded.error().code;
      failed.error_message = loaded.error().message;
      failed.finished_at = ctx_.clock().now();
      (void)ctx_.store().write([&](Tx& tx) { return tx.update_backup_restore(failed); });
    }
    return;
  }
  BackupRestoreRecord& restore = loaded->restore;
  const ServiceBackupRecord& backup = loaded->backup;
  const auto save = [&] {
    (void)ctx_.store().write([&](Tx& tx) { return tx.update_backup_restore(restore); });
  };
  const auto end = [&](std::string code, std::string message) {
    restore.status = code.empty() ? "succeeded" : "failed";
    restore.error_code = std::move(code);
    restore.error_message = std::move(message);
    restore.finished_at = ctx_.clock().now();
    save();
  };

  // 1. The backup into the fresh volume. The agent refuses one that exists (left by a restore
  // berthd was stopped in, or made by hand): then the next name is tried.
  Result<JobRecord> done = fail(Error::internal("no restore job ran"));
  for (int attempt = 0; attempt < kFreshVolumeAttempts; ++attempt) {
    auto job = volume_restore_job(backups_, backup, restore.new_volume, loaded->image, false);
    if (!job) {
      end(job.error().code, job.error().message);
      return;
    }
    restore.job_id = ctx_.ids().next("job");
    auto submitted = jobs_.submit_system(restore.job_id, restore.team_id, loaded->app.server_id,
                                         *job, std::string(kDeploymentJobCreator));
    if (!submitted) {
      end(submitted.error().code, submitted.error().message);
      return;
    }
    save();  // naming the job only once it exists
    done = await_job(ctx_, restore.team_id, restore.job_id, stopping_);
    if (!done) {
      return;  // stopping: ServiceBackups::fail_interrupted() settles it at the next start
    }
    const std::string next = next_restore_volume(restore.new_volume);
    if (done->error_code != "volume_exists" || next.empty() ||
        attempt + 1 == kFreshVolumeAttempts) {
      break;
    }
    restore.new_volume = next;
  }
  if (done->state != job_state::succeeded) {
    end(done->error_code.empty() ? done->state : done->error_code, done->error_message);
    return;
  }
  restore.check_result = done->result.value("check", "");

  // 2. The app's mount points at the fresh volume, and the app restarts on it.
  restore.step = "redeploying";
  save();
  auto moved = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto app = volume_app(tx, restore.team_id, restore.app_id);
    if (!app) {
      return fail(std::move(app.error()));
    }
    auto mount = find_mount(std::move(*app), backup.mount_target, true);
    if (!mount) {
      return fail(std::move(mount.error()));
    }
    AppRecord changed = std::move(mount->app);
    changed.settings["volumes"][mount->index]["source"] = restore.new_volume;
    changed.config_version += 1;
    changed.updated_at = ctx_.clock().now();
    return tx.update_app(changed);
  });
  if (!moved) {
    end("redeploy_failed",
        "the backup is in the volume " + restore.new_volume +
            ", but the app could not be moved onto it: " + moved.error().message);
    return;
  }
  auto deployment = deployments_.restart_with_settings(
      who, restore.team_id, restore.app_id, ClientInfo{},
      {{"restore_id", restore.id}, {"volume", restore.new_volume}});
  if (!deployment) {
    end("redeploy_failed",
        "the app's settings mount the volume " + restore.new_volume +
            " now, but its redeployment did not start: " + deployment.error().message);
    return;
  }
  restore.deployment_id = deployment->id;
  save();
  const auto until = std::chrono::steady_clock::now() + kRedeployLimit;
  for (;;) {
    auto state = read_value<std::optional<DeploymentRecord>>(ctx_.store(), [&](Tx& tx) {
      return tx.get_deployment(restore.team_id, restore.deployment_id);
    });
    if (state && *state && is_terminal((*state)->state)) {
      if ((*state)->state == DeploymentState::succeeded) {
        end("", "");
      } else {
        end("redeploy_failed",
            "the deployment onto the volume " + restore.new_volume + " ended " +
                std::string(state_name((*state)->state)) + ": " + (*state)->error_message +
                " (the app's settings mount the new volume; the old one is kept)");
      }
      return;
    }
    if (stopping_) {
      return;
    }
    if (std::chrono::steady_clock::now() >= until) {
      end("redeploy_failed", "the deployment " + restore.deployment_id + " did not end in time");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace berth
