// SqliteTx: backup keys, service backups, their restores and their restore drills.
#include <fmt/format.h>

#include "store/sqlite/sqlite_app_columns.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kServiceBackupColumns =
    "id, team_id, service_id, service_name, engine, server_id, destination_id, status, "
    "trigger, object_key, size_bytes, plain_bytes, sha256, sealed_key, job_id, error_code, "
    "error_message, verified, verified_at, created_by, created_at, finished_at, drill_check, "
    "drill_duration_ms, project_id, version, image, pruning_at, subject, app_id, volume, "
    "mount_target";

constexpr std::string_view kBackupStatuses[] = {"running", "succeeded", "failed"};
constexpr std::string_view kRestoreTargets[] = {"same", "new"};
constexpr std::string_view kBackupSubjects[] = {"service", "volume"};

Result<ServiceBackupRecord> read_backup(const SqliteStatement& row) {
  RowReader read(row, "service_backups");
  ServiceBackupRecord b;
  b.id = read.text(0);
  b.team_id = read.text(1);
  b.service_id = read.text(2);
  b.service_name = read.text(3);
  b.engine = read.text(4);
  b.server_id = read.text(5);
  b.destination_id = read.text(6);
  b.status = read.text(7);
  b.trigger = read.text(8);
  b.object_key = read.text(9);
  b.size_bytes = read.integer(10);
  b.plain_bytes = read.integer(11);
  b.sha256 = read.text(12);
  b.sealed_key = read.text(13);
  b.job_id = read.text(14);
  b.error_code = read.text(15);
  b.error_message = read.text(16);
  b.verified = read.text(17);
  b.verified_at = read.optional_time(18);
  b.created_by = read.text(19);
  b.created_at = read.time(20);
  b.finished_at = read.optional_time(21);
  b.drill_check = read.text(22);
  b.drill_duration_ms = read.integer(23);
  b.project_id = read.text(24);
  b.version = read.text(25);
  b.image = read.text(26);
  b.pruning_at = read.optional_time(27);
  b.subject = read.text(28);
  b.app_id = read.text(29);
  b.volume = read.text(30);
  b.mount_target = read.text(31);
  return read.finish(std::move(b));
}

Result<BackupKeyRecord> read_key(const SqliteStatement& row) {
  RowReader read(row, "backup_keys");
  BackupKeyRecord key;
  key.team_id = read.text(0);
  key.public_key = read.text(1);
  key.secret_key_sealed = read.text(2);
  key.created_at = read.time(3);
  return read.finish(std::move(key));
}

constexpr std::string_view kRestoreColumns =
    "id, team_id, backup_id, service_id, status, step, safety_backup_id, job_id, check_result, "
    "error_code, error_message, created_by, created_at, finished_at, target, app_id, new_volume, "
    "deployment_id";

Result<BackupRestoreRecord> read_restore(const SqliteStatement& row) {
  RowReader read(row, "backup_restores");
  BackupRestoreRecord r;
  r.id = read.text(0);
  r.team_id = read.text(1);
  r.backup_id = read.text(2);
  r.service_id = read.text(3);
  r.status = read.text(4);
  r.step = read.text(5);
  r.safety_backup_id = read.text(6);
  r.job_id = read.text(7);
  r.check_result = read.text(8);
  r.error_code = read.text(9);
  r.error_message = read.text(10);
  r.created_by = read.text(11);
  r.created_at = read.time(12);
  r.finished_at = read.optional_time(13);
  r.target = read.text(14);
  r.app_id = read.text(15);
  r.new_volume = read.text(16);
  r.deployment_id = read.text(17);
  return read.finish(std::move(r));
}

}  // namespace

Result<std::optional<BackupKeyRecord>> SqliteTx::get_backup_key(std::string_view team_id) {
  return query_row(connection_,
                   "SELECT team_id, public_key, secret_key_sealed, created_at FROM backup_keys "
                   "WHERE team_id = ?1",
                   read_key, team_id);
}

Result<void> SqliteTx::create_backup_key(const BackupKeyRecord& key) {
  if (auto free = check_free(connection_, "backup_key_exists", "this team has a backup key",
                             "SELECT count(*) FROM backup_keys WHERE team_id = ?1", key.team_id);
      !free) {
    return free;
  }
  return run_sql(connection_,
                 "INSERT INTO backup_keys (team_id, public_key, secret_key_sealed, created_at) "
                 "VALUES (?1, ?2, ?3, ?4)",
                 key.team_id, key.public_key, key.secret_key_sealed, key.created_at);
}

Result<void> SqliteTx::create_service_backup(const ServiceBackupRecord& backup) {
  if (auto known = check_one_of("status", backup.status, kBackupStatuses); !known) {
    return known;
  }
  if (auto known = check_one_of("subject", backup.subject, kBackupSubjects); !known) {
    return known;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO service_backups ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
      "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, "
      "?30, ?31, ?32)",
      kServiceBackupColumns);
  const auto& b = backup;
  return run_sql(connection_, sql, b.id, b.team_id, b.service_id, b.service_name, b.engine,
                 b.server_id, b.destination_id, b.status, b.trigger, b.object_key, b.size_bytes,
                 b.plain_bytes, b.sha256, b.sealed_key, b.job_id, b.error_code, b.error_message,
                 b.verified, b.verified_at, b.created_by, b.created_at, b.finished_at,
                 b.drill_check, b.drill_duration_ms, b.project_id, b.version, b.image, b.pruning_at,
                 b.subject, b.app_id, b.volume, b.mount_target);
}

Result<std::optional<ServiceBackupRecord>> SqliteTx::get_service_backup(std::string_view team_id,
                                                                        std::string_view id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM service_backups WHERE id = ?2 AND (?1 = '' OR team_id = ?1)",
                  kServiceBackupColumns);
  return query_row(connection_, sql, read_backup, team_id, id);
}

Result<void> SqliteTx::update_service_backup(const ServiceBackupRecord& backup) {
  if (auto known = check_one_of("status", backup.status, kBackupStatuses); !known) {
    return known;
  }
  if (auto known = check_one_of("subject", backup.subject, kBackupSubjects); !known) {
    return known;
  }
  const auto& b = backup;
  return execute_one(
      connection_,
      "UPDATE service_backups SET team_id = ?2, service_id = ?3, service_name = ?4, engine = ?5, "
      "server_id = ?6, destination_id = ?7, status = ?8, trigger = ?9, object_key = ?10, "
      "size_bytes = ?11, plain_bytes = ?12, sha256 = ?13, sealed_key = ?14, job_id = ?15, "
      "error_code = ?16, error_message = ?17, verified = ?18, verified_at = ?19, "
      "created_by = ?20, created_at = ?21, finished_at = ?22, drill_check = ?23, "
      "drill_duration_ms = ?24, project_id = ?25, version = ?26, image = ?27, pruning_at = ?28, "
      "subject = ?29, app_id = ?30, volume = ?31, mount_target = ?32 WHERE id = ?1",
      b.id, b.team_id, b.service_id, b.service_name, b.engine, b.server_id, b.destination_id,
      b.status, b.trigger, b.object_key, b.size_bytes, b.plain_bytes, b.sha256, b.sealed_key,
      b.job_id, b.error_code, b.error_message, b.verified, b.verified_at, b.created_by,
      b.created_at, b.finished_at, b.drill_check, b.drill_duration_ms, b.project_id, b.version,
      b.image, b.pruning_at, b.subject, b.app_id, b.volume, b.mount_target);
}

Result<Page<ServiceBackupRecord>> SqliteTx::list_service_backups(const ServiceBackupQuery& query) {
  Filters filters;
  filters.add(!query.team_id.empty(), "team_id = ?", {query.team_id});
  filters.add(!query.service_id.empty(), "service_id = ?", {query.service_id});
  filters.add(!query.app_id.empty(), "app_id = ?", {query.app_id});
  filters.add(!query.volume.empty(), "volume = ?", {query.volume});
  filters.add(!query.status.empty(), "status = ?", {query.status});
  return filtered_page(connection_, "service_backups", kServiceBackupColumns, filters,
                       "created_at DESC, id DESC", read_backup, query.page, query.per_page);
}

Result<void> SqliteTx::create_backup_restore(const BackupRestoreRecord& restore) {
  if (auto known = check_one_of("status", restore.status, kBackupStatuses); !known) {
    return known;
  }
  if (auto known = check_one_of("target", restore.target, kRestoreTargets); !known) {
    return known;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO backup_restores ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
      "?12, ?13, ?14, ?15, ?16, ?17, ?18)",
      kRestoreColumns);
  const auto& r = restore;
  return run_sql(connection_, sql, r.id, r.team_id, r.backup_id, r.service_id, r.status, r.step,
                 r.safety_backup_id, r.job_id, r.check_result, r.error_code, r.error_message,
                 r.created_by, r.created_at, r.finished_at, r.target, r.app_id, r.new_volume,
                 r.deployment_id);
}

Result<std::optional<BackupRestoreRecord>> SqliteTx::get_backup_restore(std::string_view team_id,
                                                                        std::string_view id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM backup_restores WHERE id = ?2 AND (?1 = '' OR team_id = ?1)",
                  kRestoreColumns);
  return query_row(connection_, sql, read_restore, team_id, id);
}

Result<void> SqliteTx::update_backup_restore(const BackupRestoreRecord& restore) {
  if (auto known = check_one_of("status", restore.status, kBackupStatuses); !known) {
    return known;
  }
  if (auto known = check_one_of("target", restore.target, kRestoreTargets); !known) {
    return known;
  }
  const auto& r = restore;
  return execute_one(connection_,
                     "UPDATE backup_restores SET team_id = ?2, backup_id = ?3, service_id = ?4, "
                     "status = ?5, step = ?6, safety_backup_id = ?7, job_id = ?8, "
                     "check_result = ?9, error_code = ?10, error_message = ?11, "
                     "created_by = ?12, created_at = ?13, finished_at = ?14, target = ?15, "
                     "app_id = ?16, new_volume = ?17, deployment_id = ?18 WHERE id = ?1",
                     r.id, r.team_id, r.backup_id, r.service_id, r.status, r.step,
                     r.safety_backup_id, r.job_id, r.check_result, r.error_code, r.error_message,
                     r.created_by, r.created_at, r.finished_at, r.target, r.app_id, r.new_volume,
                     r.deployment_id);
}

Result<std::vector<BackupRestoreRecord>> SqliteTx::list_running_restores() {
  static const std::string sql = fmt::format(
      "SELECT {} FROM backup_restores WHERE status = 'running' ORDER BY created_at, id LIMIT 1000",
      kRestoreColumns);
  return query_rows(connection_, sql, read_restore);
}

namespace {

constexpr std::string_view kDrillColumns =
    "id, team_id, backup_id, service_id, server_id, engine, status, step, trigger, container, "
    "job_id, check_result, duration_ms, error_code, error_message, created_by, created_at, "
    "finished_at";

constexpr std::string_view kDrillStatuses[] = {"running", "verified", "failed"};

Result<BackupDrillRecord> read_drill(const SqliteStatement& row) {
  RowReader read(row, "backup_drills");
  BackupDrillRecord d;
  d.id = read.text(0);
  d.team_id = read.text(1);
  d.backup_id = read.text(2);
  d.service_id = read.text(3);
  d.server_id = read.text(4);
  d.engine = read.text(5);
  d.status = read.text(6);
  d.step = read.text(7);
  d.trigger = read.text(8);
  d.container = read.text(9);
  d.job_id = read.text(10);
  d.check_result = read.text(11);
  d.duration_ms = read.integer(12);
  d.error_code = read.text(13);
  d.error_message = read.text(14);
  d.created_by = read.text(15);
  d.created_at = read.time(16);
  d.finished_at = read.optional_time(17);
  return read.finish(std::move(d));
}

}  // namespace

Result<void> SqliteTx::create_backup_drill(const BackupDrillRecord& drill) {
  if (auto known = check_one_of("status", drill.status, kDrillStatuses); !known) {
    return known;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO backup_drills ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?14, ?15, ?16, ?17, ?18)",
      kDrillColumns);
  const auto& d = drill;
  return run_sql(connection_, sql, d.id, d.team_id, d.backup_id, d.service_id, d.server_id,
                 d.engine, d.status, d.step, d.trigger, d.container, d.job_id, d.check_result,
                 d.duration_ms, d.error_code, d.error_message, d.created_by, d.created_at,
                 d.finished_at);
}

Result<std::optional<BackupDrillRecord>> SqliteTx::get_backup_drill(std::string_view team_id,
                                                                    std::string_view id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM backup_drills WHERE id = ?2 AND (?1 = '' OR team_id = ?1)", kDrillColumns);
  return query_row(connection_, sql, read_drill, team_id, id);
}

Result<void> SqliteTx::update_backup_drill(const BackupDrillRecord& drill) {
  if (auto known = check_one_of("status", drill.status, kDrillStatuses); !known) {
    return known;
  }
  const auto& d = drill;
  return execute_one(
      connection_,
      "UPDATE backup_drills SET team_id = ?2, backup_id = ?3, service_id = ?4, server_id = ?5, "
      "engine = ?6, status = ?7, step = ?8, trigger = ?9, container = ?10, job_id = ?11, "
      "check_result = ?12, duration_ms = ?13, error_code = ?14, error_message = ?15, "
      "created_by = ?16, created_at = ?17, finished_at = ?18 WHERE id = ?1",
      d.id, d.team_id, d.backup_id, d.service_id, d.server_id, d.engine, d.status, d.step,
      d.trigger, d.container, d.job_id, d.check_result, d.duration_ms, d.error_code,
      d.error_message, d.created_by, d.created_at, d.finished_at);
}

Result<std::vector<BackupDrillRecord>> SqliteTx::list_backup_drills(std::string_view team_id,
                                                                    std::string_view backup_id,
                                                                    std::int64_t limit) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM backup_drills WHERE backup_id = ?2 AND (?1 = '' OR team_id = ?1) "
      "ORDER BY created_at DESC, id DESC LIMIT ?3",
      kDrillColumns);
  return query_rows(connection_, sql, read_drill, team_id, backup_id, limit);
}

Result<std::vector<BackupDrillRecord>> SqliteTx::list_running_drills() {
  static const std::string sql = fmt::format(
      "SELECT {} FROM backup_drills WHERE status = 'running' ORDER BY created_at, id LIMIT 1000",
      kDrillColumns);
  return query_rows(connection_, sql, read_drill);
}

Result<std::vector<ServiceBackupRecord>> SqliteTx::list_drill_candidates(TimePoint drilled_since,
                                                                         std::int64_t limit) {
  // Of each existing service, its newest succeeded backup, unless a drill of the service runs
  // or was created since `drilled_since`. Likewise of each existing app's mount (its target: a
  // restore moves the mount to a fresh volume), the newest succeeded volume backup, unless a
  // drill of a backup of that mount runs or was created since.
  static const std::string sql = fmt::format(
      "SELECT {} FROM service_backups b WHERE b.status = 'succeeded' AND b.pruning_at IS NULL "
      "AND (("
      "b.subject = 'service' "
      "AND EXISTS (SELECT 1 FROM services s WHERE s.id = b.service_id AND s.team_id = b.team_id) "
      "AND b.id = (SELECT n.id FROM service_backups n WHERE n.service_id = b.service_id "
      "AND n.status = 'succeeded' ORDER BY n.created_at DESC, n.id DESC LIMIT 1) "
      "AND NOT EXISTS (SELECT 1 FROM backup_drills d WHERE d.service_id = b.service_id "
      "AND (d.status = 'running' OR d.created_at >= ?1))"
      ") OR ("
      "b.subject = 'volume' "
      "AND EXISTS (SELECT 1 FROM apps a WHERE a.id = b.app_id AND a.team_id = b.team_id) "
      "AND b.id = (SELECT n.id FROM service_backups n WHERE n.app_id = b.app_id "
      "AND n.mount_target = b.mount_target AND n.status = 'succeeded' "
      "ORDER BY n.created_at DESC, n.id DESC LIMIT 1) "
      "AND NOT EXISTS (SELECT 1 FROM backup_drills d JOIN service_backups o ON o.id = d.backup_id "
      "WHERE o.app_id = b.app_id AND o.mount_target = b.mount_target "
      "AND (d.status = 'running' OR d.created_at >= ?1))"
      ")) ORDER BY b.created_at, b.id LIMIT ?2",
      kServiceBackupColumns);
  return query_rows(connection_, sql, read_backup, drilled_since, limit);
}

}  // namespace berth
