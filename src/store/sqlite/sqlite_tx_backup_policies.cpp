// SqliteTx: backup policies (and the deletion of a pruned backup's row).
#include <fmt/format.h>

#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

// What a read selects (read_policy): a service's policy, or a volume's as the same 20 columns.
// The shared columns after the first are spelled alike in all four lists.
constexpr std::string_view kPolicyColumns =
    "service_id, "
    "team_id, schedule, timezone, destination_id, enabled, keep_last, keep_daily, keep_weekly, "
    "keep_monthly, next_run_at, last_backup_id, last_run_at, settled_backup_id, created_by, "
    "created_at, updated_at, 'service', '', ''";
constexpr std::string_view kVolumePolicyColumns =
    "'', "
    "team_id, schedule, timezone, destination_id, enabled, keep_last, keep_daily, keep_weekly, "
    "keep_monthly, next_run_at, last_backup_id, last_run_at, settled_backup_id, created_by, "
    "created_at, updated_at, 'volume', app_id, mount_target";
constexpr std::string_view kServicePolicyInsert =
    "service_id, "
    "team_id, schedule, timezone, destination_id, enabled, keep_last, keep_daily, keep_weekly, "
    "keep_monthly, next_run_at, last_backup_id, last_run_at, settled_backup_id, created_by, "
    "created_at, updated_at";
constexpr std::string_view kVolumePolicyInsert =
    "app_id, mount_target, "
    "team_id, schedule, timezone, destination_id, enabled, keep_last, keep_daily, keep_weekly, "
    "keep_monthly, next_run_at, last_backup_id, last_run_at, settled_backup_id, created_by, "
    "created_at, updated_at";

Result<BackupPolicyRecord> read_policy(const SqliteStatement& row) {
  RowReader read(row, "backup_policies");
  BackupPolicyRecord p;
  p.service_id = read.text(0);
  p.team_id = read.text(1);
  p.schedule = read.text(2);
  p.timezone = read.text(3);
  p.destination_id = read.text(4);
  p.enabled = read.flag(5);
  p.keep_last = read.integer(6);
  p.keep_daily = read.integer(7);
  p.keep_weekly = read.integer(8);
  p.keep_monthly = read.integer(9);
  p.next_run_at = read.optional_time(10);
  p.last_backup_id = read.text(11);
  p.last_run_at = read.optional_time(12);
  p.settled_backup_id = read.text(13);
  p.created_by = read.text(14);
  p.created_at = read.time(15);
  p.updated_at = read.time(16);
  p.subject = read.text(17);
  p.app_id = read.text(18);
  p.mount_target = read.text(19);
  return read.finish(std::move(p));
}

}  // namespace

Result<void> SqliteTx::put_backup_policy(const BackupPolicyRecord& policy) {
  const auto& p = policy;
  if (p.subject == "volume") {
    static const std::string sql = fmt::format(
        "INSERT OR REPLACE INTO volume_backup_policies ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        kVolumePolicyInsert);
    return run_sql(connection_, sql, p.app_id, p.mount_target, p.team_id, p.schedule, p.timezone,
                   p.destination_id, p.enabled, p.keep_last, p.keep_daily, p.keep_weekly,
                   p.keep_monthly, p.next_run_at, p.last_backup_id, p.last_run_at,
                   p.settled_backup_id, p.created_by, p.created_at, p.updated_at);
  }
  static const std::string sql = fmt::format(
      "INSERT OR REPLACE INTO backup_policies ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
      kServicePolicyInsert);
  return run_sql(connection_, sql, p.service_id, p.team_id, p.schedule, p.timezone,
                 p.destination_id, p.enabled, p.keep_last, p.keep_daily, p.keep_weekly,
                 p.keep_monthly, p.next_run_at, p.last_backup_id, p.last_run_at,
                 p.settled_backup_id, p.created_by, p.created_at, p.updated_at);
}

Result<std::optional<BackupPolicyRecord>> SqliteTx::get_backup_policy(std::string_view team_id,
                                                                      std::string_view service_id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM backup_policies WHERE service_id = ?2 AND (?1 = '' OR team_id = ?1)",
      kPolicyColumns);
  return query_row(connection_, sql, read_policy, team_id, service_id);
}

Result<bool> SqliteTx::delete_backup_policy(std::string_view service_id) {
  auto changed =
      execute(connection_, "DELETE FROM backup_policies WHERE service_id = ?1", service_id);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed > 0;
}

Result<std::vector<BackupPolicyRecord>> SqliteTx::list_due_backup_policies(TimePoint now,
                                                                           std::int64_t limit) {
  // Columns by position (11: next_run_at, 1: service_id, 19/20: app_id, mount_target).
  static const std::string sql = fmt::format(
      "SELECT {} FROM backup_policies WHERE enabled = 1 AND next_run_at IS NOT NULL AND "
      "next_run_at <= ?1 UNION ALL SELECT {} FROM volume_backup_policies WHERE enabled = 1 AND "
      "next_run_at IS NOT NULL AND next_run_at <= ?1 ORDER BY 11, 1, 19, 20 LIMIT ?2",
      kPolicyColumns, kVolumePolicyColumns);
  return query_rows(connection_, sql, read_policy, now, limit);
}

Result<bool> SqliteTx::claim_backup_policy(std::string_view service_id, TimePoint seen,
                                           std::optional<TimePoint> next,
                                           std::string_view backup_id, TimePoint at) {
  auto changed = execute(connection_,
                         "UPDATE backup_policies SET next_run_at = ?3, last_backup_id = ?4, "
                         "last_run_at = ?5 WHERE service_id = ?1 AND enabled = 1 AND "
                         "next_run_at = ?2",
                         service_id, seen, next, backup_id, at);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed == 1;
}

Result<std::vector<BackupPolicyRecord>> SqliteTx::list_unsettled_backup_policies(
    std::int64_t limit) {
  // Columns by position (13: last_run_at).
  static const std::string sql = fmt::format(
      "SELECT {} FROM backup_policies WHERE last_backup_id <> settled_backup_id UNION ALL "
      "SELECT {} FROM volume_backup_policies WHERE last_backup_id <> settled_backup_id "
      "ORDER BY 13, 1, 19, 20 LIMIT ?1",
      kPolicyColumns, kVolumePolicyColumns);
  return query_rows(connection_, sql, read_policy, limit);
}

Result<bool> SqliteTx::settle_backup_policy(std::string_view service_id,
                                            std::string_view backup_id) {
  auto changed = execute(connection_,
                         "UPDATE backup_policies SET settled_backup_id = ?2 WHERE service_id = ?1 "
                         "AND last_backup_id = ?2 AND settled_backup_id <> ?2",
                         service_id, backup_id);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed == 1;
}

Result<std::optional<BackupPolicyRecord>> SqliteTx::get_volume_backup_policy(
    std::string_view team_id, std::string_view app_id, std::string_view mount_target) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM volume_backup_policies WHERE app_id = ?2 AND mount_target = ?3 AND "
      "(?1 = '' OR team_id = ?1)",
      kVolumePolicyColumns);
  return query_row(connection_, sql, read_policy, team_id, app_id, mount_target);
}

Result<std::vector<BackupPolicyRecord>> SqliteTx::list_volume_backup_policies(
    std::string_view team_id, std::string_view app_id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM volume_backup_policies WHERE app_id = ?2 AND (?1 = '' OR team_id = ?1) "
      "ORDER BY mount_target",
      kVolumePolicyColumns);
  return query_rows(connection_, sql, read_policy, team_id, app_id);
}

Result<bool> SqliteTx::delete_volume_backup_policy(std::string_view app_id,
                                                   std::string_view mount_target) {
  auto changed = execute(connection_,
                         "DELETE FROM volume_backup_policies WHERE app_id = ?1 AND "
                         "mount_target = ?2",
                         app_id, mount_target);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed > 0;
}

Result<bool> SqliteTx::claim_volume_backup_policy(std::string_view app_id,
                                                  std::string_view mount_target, TimePoint seen,
                                                  std::optional<TimePoint> next,
                                                  std::string_view backup_id, TimePoint at) {
  auto changed = execute(connection_,
                         "UPDATE volume_backup_policies SET next_run_at = ?4, last_backup_id = ?5, "
                         "last_run_at = ?6 WHERE app_id = ?1 AND mount_target = ?2 AND "
                         "enabled = 1 AND next_run_at = ?3",
                         app_id, mount_target, seen, next, backup_id, at);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed == 1;
}

Result<bool> SqliteTx::settle_volume_backup_policy(std::string_view app_id,
                                                   std::string_view mount_target,
                                                   std::string_view backup_id) {
  auto changed = execute(connection_,
                         "UPDATE volume_backup_policies SET settled_backup_id = ?3 WHERE "
                         "app_id = ?1 AND mount_target = ?2 AND last_backup_id = ?3 AND "
                         "settled_backup_id <> ?3",
                         app_id, mount_target, backup_id);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed == 1;
}

Result<bool> SqliteTx::delete_service_backup(std::string_view id) {
  auto changed = execute(connection_, "DELETE FROM service_backups WHERE id = ?1", id);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed > 0;
}

}  // namespace berth
