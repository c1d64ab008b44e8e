#include "domain/backups/service_backups.hpp"

#include <sodium.h>

#include <thread>

#include "core/backup_keys.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "domain/apps/apps_tx.hpp"
#include "domain/backups/destination_rules.hpp"
#include "domain/backups/destination_service.hpp"
#include "domain/backups/volume_backups.hpp"
#include "domain/fleet/job_service.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

using nlohmann::json;

constexpr std::int64_t kBackupTimeoutMs = 6 * 3600 * 1000;  // a large database over a slow link
constexpr int kBackupReadySeconds = 60;  // the engine answering, before its dump tool runs

std::string b64(std::string_view raw) {
  return crypto::base64_encode(
      std::span(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

Result<std::string> unb64(std::string_view text) {
  auto bytes = crypto::base64_decode(text);
  if (!bytes) {
    return fail(Error::internal("a stored key is not base64"));
  }
  return std::string(bytes->begin(), bytes->end());
}

// The team's key pair, made on its first backup (inside the caller's transaction).
Result<BackupKeyRecord> team_key(const AreaContext& ctx, Tx& tx, std::string_view team_id) {
  auto found = tx.get_backup_key(team_id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (*found) {
    return **found;
  }
  std::string seed(32, '\0');
  ctx.random().fill(std::span(reinterpret_cast<std::uint8_t*>(seed.data()), seed.size()));
  const backup::BackupKeyPair pair = backup::backup_key_pair_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  BackupKeyRecord key{.team_id = std::string(team_id),
                      .public_key = b64(pair.public_key),
                      .secret_key_sealed =
                          crypto::seal(ctx.services.master_key, ctx.random(), b64(pair.secret_key)),
                      .created_at = ctx.clock().now()};
  if (auto stored = tx.create_backup_key(key); !stored) {
    return fail(std::move(stored.error()));
  }
  return key;
}

// Where the job finds the object: {"s3": ...} or {"sftp": ...}, the destination's settings
// with its opened secrets (the job's arguments are sealed on their way to the agent).
Result<json> place_args(const AreaContext& ctx, const BackupDestinationRecord& destination) {
  auto secrets = open_destination_secrets(ctx, destination);
  if (!secrets) {
    return fail(std::move(secrets.error()));
  }
  const json& c = destination.config;
  if (destination.kind == "sftp") {
    json sftp = {{"host", c.value("host", "")},
                 {"port", c.value("port", 22)},
                 {"user", c.value("user", "")},
                 {"folder", c.value("path", "")},
                 {"host_key_fingerprint", c.value("host_key_fingerprint", "")}};
    for (const char* field : {"password", "private_key", "private_key_passphrase"}) {
      if (const std::string value = secrets->value(field, ""); !value.empty()) {
        sftp[field] = value;
      }
    }
    return json{{"sftp", std::move(sftp)}};
  }
  return json{{"s3",
               {{"endpoint", c.value("endpoint", "")},
                {"region", c.value("region", "us-east-1")},
                {"bucket", c.value("bucket", "")},
                {"path_style", c.value("path_style", false)},
                {"access_key_id", secrets->value("access_key_id", "")},
                {"secret_access_key", secrets->value("secret_access_key", "")}}}};
}

// Fills a new backup from its service and destination (inside the transaction that records
// it): the service must be running and the destination an S3 one of the team; makes the
// team's key pair on its first backup.
Result<void> prepare_backup(const AreaContext& ctx, Tx& tx, ServiceBackupRecord& backup) {
  auto service = backup_service(tx, backup.team_id, backup.service_id, "no such service");
  if (!service) {
    return fail(std::move(service.error()));
  }
  backup.service_name = service->name;
  backup.engine = service->engine;
  backup.server_id = service->server_id;
  backup.project_id = service->project_id;
  backup.version = service->spec.value("version", "");
  backup.image = service->spec.value("image", "");
  if (auto running = require_service_running(*service, "backed up"); !running) {
    return fail(std::move(running.error()));
  }
  return prepare_backup_object(ctx, tx, backup, service->name + "-" + backup.service_id);
}

}  // namespace

Result<void> prepare_backup_object(const AreaContext& ctx, Tx& tx, ServiceBackupRecord& backup,
                                   std::string_view folder) {
  auto destination = tx.get_backup_destination(backup.team_id, backup.destination_id);
  if (!destination) {
    return fail(std::move(destination.error()));
  }
  if (!*destination) {
    return fail(Error::validation("destination_id", "no such destination in the team"));
  }
  if (auto usable = backups::check_backup_target((*destination)->kind, (*destination)->config);
      !usable) {
    return fail(std::move(usable.error()));
  }
  if (auto key = team_key(ctx, tx, backup.team_id); !key) {
    return fail(std::move(key.error()));
  }
  backup.object_key = (*destination)->config.value("prefix", "") + "berth/" + std::string(folder) +
                      "/" + backup.id + ".bsb";
  return {};
}

BackupRestoreRecord new_restore(const AreaContext& ctx, const Principal& who,
                                std::string_view team_id, std::string_view id, std::string step) {
  return BackupRestoreRecord{.id = ctx.ids().next("rst"),
                             .team_id = std::string(team_id),
                             .backup_id = std::string(id),
                             .step = std::move(step),
                             .created_by = who.user_id,
                             .created_at = ctx.clock().now()};
}

Result<JobRecord> await_job(const AreaContext& ctx, std::string_view team_id,
                            std::string_view job_id, const std::atomic<bool>& stopping) {
  for (;;) {
    auto state = read_value<std::optional<JobRecord>>(
        ctx.store(), [&](Tx& tx) { return tx.get_job(team_id, job_id); });
    if (state && *state && job_state::is_terminal((*state)->state)) {
      return std::move(**state);
    }
    if (stopping) {
      return fail(with_code(Error::unavailable("berthd is stopping"), "stopping"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

Result<ServiceRecord> backup_service(Tx& tx, std::string_view team_id, std::string_view id,
                                     std::string missing) {
  auto service = tx.get_service(team_id, id);
  if (!service) {
    return fail(std::move(service.error()));
  }
  if (!*service) {
    return fail(Error::not_found(std::move(missing)));
  }
  return std::move(**service);
}

Result<void> require_service_running(const ServiceRecord& service, std::string_view purpose) {
  if (service.status != "running") {
    return fail(
        with_code(Error::conflict("the service is " + service.status +
                                  ": only a running service can be " + std::string(purpose)),
                  "service_busy"));
  }
  return {};
}

Result<ServiceBackupRecord> succeeded_backup(Tx& tx, std::string_view team_id, std::string_view id,
                                             std::string_view use) {
  auto backup = tx.get_service_backup(team_id, id);
  if (!backup) {
    return fail(std::move(backup.error()));
  }
  if (!*backup) {
    return fail(Error::not_found("no such backup"));
  }
  if ((*backup)->status != "succeeded") {
    return fail(
        with_code(Error::unprocessable("only a backup that succeeded can be " + std::string(use)),
                  "backup_not_restorable"));
  }
  if ((*backup)->pruning_at) {
    return fail(with_code(Error::unprocessable("this backup is being deleted by its service's "
                                               "retention, so it cannot be " +
                                               std::string(use)),
                          "backup_not_restorable"));
  }
  return std::move(**backup);
}

Result<ServiceBackupRecord> ServiceBackups::run(const Principal& who, std::string_view team_id,
                                                std::string_view service_id,
                                                std::string_view destination_id,
                                                const ClientInfo& client) {
  if (destination_id.empty()) {
    return fail(Error::validation("destination_id", "destination_id is required"));
  }
  const TimePoint now = ctx_.clock().now();
  ServiceBackupRecord backup{.id = ctx_.ids().next("bkp"),
                             .team_id = std::string(team_id),
                             .service_id = std::string(service_id),
                             .destination_id = std::string(destination_id),
                             .created_by = who.user_id,
                             .created_at = now};
  auto created = write_audited_value<ServiceBackupRecord>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "service.backup", std::string(service_id),
                 std::string(team_id),
                 {{"backup_id", backup.id}, {"destination_id", backup.destination_id}}),
      [&](Tx& tx) -> Result<ServiceBackupRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        if (auto prepared = prepare_backup(ctx_, tx, backup); !prepared) {
          return fail(std::move(prepared.error()));
        }
        if (auto stored = tx.create_service_backup(backup); !stored) {
          return fail(std::move(stored.error()));
        }
        return backup;
      });
  if (created) {
    launch(*created);
  }
  return created;
}

Result<ServiceBackupRecord> ServiceBackups::record_scheduled(Tx& tx, std::string_view team_id,
                                                             std::string_view service_id,
                                                             std::string_view destination_id) {
  ServiceBackupRecord backup{.id = ctx_.ids().next("bkp"),
                             .team_id = std::string(team_id),
                             .service_id = std::string(service_id),
                             .destination_id = std::string(destination_id),
                             .trigger = "schedule",
                             .created_by = "schedule",
                             .created_at = ctx_.clock().now()};
  auto prepared = prepare_backup(ctx_, tx, backup);
  return record_scheduled_backup(tx, std::move(backup), std::move(prepared));
}

Result<ServiceBackupRecord> record_scheduled_backup(Tx& tx, ServiceBackupRecord backup,
                                                    Result<void> prepared) {
  if (!prepared) {
    if (prepared.error().kind == ErrorKind::internal) {
      return fail(std::move(prepared.error()));
    }
    // It cannot start: recorded as failed, so the run is neither lost nor retried.
    backup.status = "failed";
    backup.error_code = prepared.error().code;
    backup.error_message = prepared.error().message;
    backup.finished_at = backup.created_at;
  }
  if (auto stored = tx.create_service_backup(backup); !stored) {
    return fail(std::move(stored.error()));
  }
  return backup;
}

void ServiceBackups::launch(const ServiceBackupRecord& backup) {
  if (backup.status != "running") {
    return;
  }
  ++running_;
  if (!worker_.post([this, id = backup.id] {
        execute(id);
        --running_;
      })) {
    --running_;
    finish(backup, fail(Error::unavailable("too many backups are queued; try again")));
  }
}

// What backup.run backs up: a service's engine and container, or (volume_backups.hpp) an
// app's volume as its container mounts it.
Result<json> backup_subject_args(Tx& tx, const ServiceBackupRecord& backup) {
  if (backup.subject == "volume") {
    return volume_backup_args(tx, backup);
  }
  auto service = tx.get_service(backup.team_id, backup.service_id);
  if (!service || !*service) {
    return fail(Error::unavailable("the service is gone"));
  }
  // A backup asked for right after the service (re)started waits for the engine to answer
  // rather than fail on its entry point's first-run restart.
  return json{{"engine", (*service)->engine},
              {"container", (*service)->container_name},
              {"wait_ready_seconds", kBackupReadySeconds}};
}

void ServiceBackups::execute(const std::string& backup_id) {
  auto prepared = read_value<std::pair<ServiceBackupRecord, NewJob>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::pair<ServiceBackupRecord, NewJob>> {
        auto backup = tx.get_service_backup("", backup_id);
        if (!backup || !*backup) {
          return fail(Error::not_found("the backup is gone"));
        }
        auto subject = backup_subject_args(tx, **backup);
        auto destination = tx.get_backup_destination((*backup)->team_id, (*backup)->destination_id);
        auto key = tx.get_backup_key((*backup)->team_id);
        if (!subject) {
          return fail(std::move(subject.error()));
        }
        if (!destination || !*destination || !key || !*key) {
          return fail(Error::unavailable("the destination or team key is gone"));
        }
        auto place = place_args(ctx_, **destination);
        if (!place) {
          return fail(std::move(place.error()));
        }
        NewJob job{.kind = "backup.run", .args = *subject, .timeout_ms = kBackupTimeoutMs};
        job.args["public_key"] = (*key)->public_key;
        job.args["key"] = (*backup)->object_key;
        job.args.update(*place);
        return std::pair{**backup, std::move(job)};
      });
  if (!prepared) {
    auto backup = read_value<std::optional<ServiceBackupRecord>>(
        ctx_.store(), [&](Tx& tx) { return tx.get_service_backup("", backup_id); });
    if (backup && *backup) {
      finish(**backup, fail(prepared.error()));
    }
    return;
  }
  auto& [backup, job] = *prepared;
  auto done = steps_.run("", backup.team_id, backup.server_id, "backup", job,
                         [this] { return stopping_.load(); });
  if (!done && done.error().code == "stopping") {
    return;  // fail_interrupted() marks it at the next start
  }
  finish(backup, done);
}

void ServiceBackups::finish(ServiceBackupRecord backup, const Result<JobRecord>& done) {
  backup.finished_at = ctx_.clock().now();
  if (done) {
    backup.job_id = done->id;
  }
  if (done && done->state == job_state::succeeded) {
    const json& r = done->result;
    backup.status = "succeeded";
    backup.size_bytes = r.value("size_bytes", std::int64_t{0});
    backup.plain_bytes = r.value("plain_bytes", std::int64_t{0});
    backup.sha256 = r.value("sha256", "");
    backup.sealed_key = r.value("sealed_key", "");
  } else {
    backup.status = "failed";
    backup.error_code =
        done ? (done->error_code.empty() ? done->state : done->error_code) : done.error().code;
    backup.error_message = done ? done->error_message : done.error().message;
  }
  auto stored = ctx_.store().write([&](Tx& tx) { return tx.update_service_backup(backup); });
  if (!stored) {
    log::warn("backups.record_failed",
              {{"backup_id", backup.id}, {"error", stored.error().message}});
  }
}

Result<Page<ServiceBackupRecord>> ServiceBackups::list(const Principal& who,
                                                       std::string_view team_id,
                                                       std::string_view service_id,
                                                       const PageRequest& page) {
  return read_value<Page<ServiceBackupRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<Page<ServiceBackupRecord>> {
        if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
          return fail(std::move(role.error()));
        }
        return tx.list_service_backups(ServiceBackupQuery{.team_id = std::string(team_id),
                                                          .service_id = std::string(service_id),
                                                          .status = {},
                                                          .page = page.page,
                                                          .per_page = page.per_page});
      });
}

Result<ServiceBackupRecord> ServiceBackups::get(const Principal& who, std::string_view team_id,
                                                std::string_view id) {
  return read_value<ServiceBackupRecord>(ctx_.store(), [&](Tx& tx) -> Result<ServiceBackupRecord> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto found = tx.get_service_backup(team_id, id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(Error::not_found("no such backup"));
    }
    return **found;
  });
}

Result<NewJob> ServiceBackups::restore_job(const ServiceBackupRecord& backup,
                                           std::string_view container, int wait_ready_seconds) {
  return read_value<NewJob>(ctx_.store(), [&](Tx& tx) -> Result<NewJob> {
    auto destination = tx.get_backup_destination(backup.team_id, backup.destination_id);
    auto key = tx.get_backup_key(backup.team_id);
    if (!destination || !*destination || !key || !*key) {
      return fail(with_code(Error::unprocessable("the backup's destination or the team's backup "
                                                 "key is gone"),
                            "backup_not_restorable"));
    }
    auto secret = crypto::open_sealed(ctx_.services.master_key, (*key)->secret_key_sealed);
    auto public_key = unb64((*key)->public_key);
    auto secret_key = secret ? unb64(*secret) : fail(secret.error());
    auto sealed = unb64(backup.sealed_key);
    if (!public_key || !secret_key || !sealed) {
      return fail(Error::internal("cannot open the team's backup key"));
    }
    auto stream_key = backup::open_stream_key(
        *sealed, backup::BackupKeyPair{.public_key = *public_key, .secret_key = *secret_key});
    sodium_memzero(secret_key->data(), secret_key->size());
    if (!stream_key) {
      return fail(std::move(stream_key.error()));
    }
    auto place = place_args(ctx_, **destination);
    if (!place) {
      return fail(std::move(place.error()));
    }
    NewJob job{.kind = "backup.restore",
               .args = {{"engine", backup.engine},
                        {"container", std::string(container)},
                        {"stream_key", b64(*stream_key)},
                        {"sha256", backup.sha256},
                        {"size_bytes", backup.size_bytes},
                        {"plain_bytes", backup.plain_bytes},
                        {"key", backup.object_key},
                        {"check", true}},
               .timeout_ms = kBackupTimeoutMs};
    job.args.update(*place);
    if (wait_ready_seconds > 0) {
      job.args["wait_ready_seconds"] = wait_ready_seconds;
    }
    sodium_memzero(stream_key->data(), stream_key->size());
    return job;
  });
}

void ServiceBackups::fail_interrupted() {
  auto found = read_value<Page<ServiceBackupRecord>>(ctx_.store(), [](Tx& tx) {
    return tx.list_service_backups(
        ServiceBackupQuery{.status = "running", .page = 1, .per_page = kMaxPerPage});
  });
  if (!found) {
    return;
  }
  for (const auto& backup : found->items) {
    finish(backup, fail(with_code(Error::unavailable("berthd stopped while the backup ran; "
                                                     "no object was completed"),
                                  "interrupted")));
  }
  auto restores = read_value<std::vector<BackupRestoreRecord>>(
      ctx_.store(), [](Tx& tx) { return tx.list_running_restores(); });
  for (auto restore : restores.value_or(std::vector<BackupRestoreRecord>{})) {
    restore.status = "failed";
    restore.error_code = "interrupted";
    restore.error_message =
        "berthd stopped during the restore; its job may have finished on the server: check the "
        "service's data and restore again if needed";
    restore.finished_at = ctx_.clock().now();
    (void)ctx_.store().write([&](Tx& tx) { return tx.update_backup_restore(restore); });
  }
}

bool ServiceBackups::idle(std::chrono::milliseconds timeout) {
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
