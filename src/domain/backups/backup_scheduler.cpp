#include "domain/backups/backup_scheduler.hpp"

#include <set>

#include "core/log.hpp"
#include "core/time_format.hpp"
#include "domain/backups/backup_retention.hpp"
#include "domain/backups/cron_schedule.hpp"
#include "domain/backups/destination_rules.hpp"
#include "domain/backups/destination_service.hpp"
#include "domain/kernel/paging.hpp"

namespace berth {

namespace {

constexpr std::int64_t kPerTick = 50;  // policies claimed or settled per round
constexpr auto kLate = std::chrono::minutes(5);

// Aborts the claim's transaction when another sweeper (or an edit) took the slot first.
Error taken_elsewhere() {
  return with_code(Error::conflict("the run was claimed elsewhere"), "claimed_elsewhere");
}

// Deletes one backup's object wherever its destination keeps it.
Result<void> remove_object(BackupObjectRemover& remover, const BackupDestinationRecord& destination,
                           const nlohmann::json& secrets, const std::string& key) {
  if (destination.kind == "sftp") {
    return remover.remove_sftp(backups::sftp_target_of(destination.config, secrets), key);
  }
  return remover.remove_s3(backups::s3_target_of(destination.config, secrets), key);
}

// The backups a running restore reads or took as its safety copy, and those a running drill
// restores: retention keeps them.
Result<std::set<std::string>> backups_in_use(Tx& tx) {
  auto restores = tx.list_running_restores();
  if (!restores) {
    return fail(std::move(restores.error()));
  }
  auto drills = tx.list_running_drills();
  if (!drills) {
    return fail(std::move(drills.error()));
  }
  std::set<std::string> used;
  for (const auto& restore : *restores) {
    used.insert(restore.backup_id);
    used.insert(restore.safety_backup_id);
  }
  for (const auto& drill : *drills) {
    used.insert(drill.backup_id);
  }
  return used;
}

// Marks the backup pruning_at `now` unless a running restore or drill uses it (false then). In
// one write transaction with that check, so a restore or drill recorded before it holds the
// backup, and one recorded after it is refused (succeeded_backup).
Result<bool> claim_for_pruning(Tx& tx, const std::string& backup_id, TimePoint now) {
  auto used = backups_in_use(tx);
  if (!used) {
    return fail(std::move(used.error()));
  }
  auto backup = tx.get_service_backup("", backup_id);
  if (!backup) {
    return fail(std::move(backup.error()));
  }
  if (!*backup || (*backup)->status != "succeeded" || used->contains(backup_id)) {
    return false;
  }
  ServiceBackupRecord marked = **backup;
  marked.pruning_at = now;
  if (auto stored = tx.update_service_backup(marked); !stored) {
    return fail(std::move(stored.error()));
  }
  return true;
}

// What retention weighs: the service's succeeded backups at the policy's destination (pinned
// when a running restore or drill uses one), and the destination.
struct RetentionInput {
  std::vector<ServiceBackupRecord> backups = {};
  std::set<std::string> pinned = {};
  std::optional<BackupDestinationRecord> destination = {};
};

Result<RetentionInput> retention_input(Tx& tx, const BackupPolicyRecord& policy) {
  RetentionInput input;
  auto destination = tx.get_backup_destination(policy.team_id, policy.destination_id);
  if (!destination) {
    return fail(std::move(destination.error()));
  }
  input.destination = std::move(*destination);
  auto used = backups_in_use(tx);
  if (!used) {
    return fail(std::move(used.error()));
  }
  input.pinned = std::move(*used);
  for (std::int64_t page = 1;; ++page) {
    // A volume's backups are the app's whose mount target is the policy's (whatever the
    // volume was called then: a restore renames it).
    const bool volume = policy.subject == "volume";
    auto found = tx.list_service_backups(
        ServiceBackupQuery{.team_id = policy.team_id,
                           .service_id = volume ? std::string() : policy.service_id,
                           .app_id = volume ? policy.app_id : std::string(),
                           .status = "succeeded",
                           .page = page,
                           .per_page = kMaxPerPage});
    if (!found) {
      return fail(std::move(found.error()));
    }
    for (auto& backup : found->items) {
      const bool same_subject =
          volume ? backup.subject == "volume" && backup.mount_target == policy.mount_target
                 : backup.subject != "volume";
      if (same_subject && backup.destination_id == policy.destination_id) {
        input.backups.push_back(std::move(backup));
      }
    }
    if (std::cmp_less(found->items.size(), kMaxPerPage)) {
      return input;
    }
  }
}

// What a policy backs up, for logs and event details: {service_id} or {app_id, mount_target}.
nlohmann::json policy_subject(const BackupPolicyRecord& policy) {
  if (policy.subject == "volume") {
    return {{"app_id", policy.app_id}, {"mount_target", policy.mount_target}};
  }
  return {{"service_id", policy.service_id}};
}

// policy_subject with more members.
nlohmann::json subject_with(const BackupPolicyRecord& policy, const nlohmann::json& more) {
  nlohmann::json out = policy_subject(policy);
  out.update(more);
  return out;
}

// What a run backed up, as a person reads it: "db" or "web:/data".
std::string subject_name(const ServiceBackupRecord& backup) {
  return backup.subject == "volume" ? backup.service_name + ":" + backup.mount_target
                                    : backup.service_name;
}

}  // namespace

void ServiceBackupScheduler::start() {
  ticker_.start(every_, [this] { tick(); });
}

void ServiceBackupScheduler::stop() { ticker_.stop(); }

BackupTickReport ServiceBackupScheduler::tick() {
  BackupTickReport report;
  const TimePoint now = ctx_.clock().now();
  auto due = read_value<std::vector<BackupPolicyRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.list_due_backup_policies(now, kPerTick); });
  if (!due) {
    log::warn("backups.schedule_read_failed", {{"error", due.error().message}});
  }
  for (const auto& policy : due.value_or(std::vector<BackupPolicyRecord>{})) {
    report.claimed += claim(policy, now) ? 1 : 0;
  }
  auto unsettled = read_value<std::vector<BackupPolicyRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.list_unsettled_backup_policies(kPerTick); });
  for (const auto& policy : unsettled.value_or(std::vector<BackupPolicyRecord>{})) {
    report.settled += settle(policy, report.pruned) ? 1 : 0;
  }
  return report;
}

bool ServiceBackupScheduler::claim(const BackupPolicyRecord& policy, TimePoint now) {
  // From now, not from the missed slot: a policy overdue after downtime runs once.
  auto next = cron::next_run_of(policy.schedule, policy.timezone, now);
  if (!next) {
    log::warn("backups.schedule_invalid", {{"service_id", policy.service_id},
                                           {"app_id", policy.app_id},
                                           {"mount_target", policy.mount_target},
                                           {"error", next.error().message}});
  }
  const std::optional<TimePoint> next_at = next ? std::optional(*next) : std::nullopt;
  auto recorded =
      write_value<ServiceBackupRecord>(ctx_.store(), [&](Tx& tx) -> Result<ServiceBackupRecord> {
        auto backup = hooks_.record(tx, policy);
        if (!backup) {
          return backup;
        }
        auto claimed =
            policy.subject == "volume"
                ? tx.claim_volume_backup_policy(policy.app_id, policy.mount_target,
                                                *policy.next_run_at, next_at, backup->id, now)
                : tx.claim_backup_policy(policy.service_id, *policy.next_run_at, next_at,
                                         backup->id, now);
        if (!claimed) {
          return fail(std::move(claimed.error()));
        }
        if (!*claimed) {
          return fail(taken_elsewhere());
        }
        return backup;
      });
  if (!recorded) {
    if (recorded.error().code != "claimed_elsewhere") {
      log::warn("backups.schedule_claim_failed", {{"service_id", policy.service_id},
                                                  {"app_id", policy.app_id},
                                                  {"mount_target", policy.mount_target},
                                                  {"error", recorded.error().message}});
    }
    return false;
  }
  log::info("backups.scheduled_run", {{"service_id", policy.service_id},
                                      {"app_id", policy.app_id},
                                      {"mount_target", policy.mount_target},
                                      {"backup_id", recorded->id},
                                      {"status", recorded->status}});
  if (now - *policy.next_run_at > kLate && hooks_.event) {
    hooks_.event(
        recorded->server_id, "scheduled_backup_late",
        subject_with(policy, {{"service_name", recorded->service_name},
                              {"backup_id", recorded->id},
                              {"due_at", format_rfc3339(*policy.next_run_at)},
                              {"message", "the backup of " + subject_name(*recorded) + " due at " +
                                              format_rfc3339(*policy.next_run_at) +
                                              " ran late (berthd was not running); "
                                              "missed slots run once"}}));
  }
  if (hooks_.launch) {
    hooks_.launch(*recorded);
  }
  return true;
}

bool ServiceBackupScheduler::settle(const BackupPolicyRecord& policy, int& pruned) {
  auto backup = read_value<std::optional<ServiceBackupRecord>>(ctx_.store(), [&](Tx& tx) {
    return tx.get_service_backup(policy.team_id, policy.last_backup_id);
  });
  if (!backup || (*backup && (*backup)->status == "running")) {
    return false;  // still running (or the store failed): the next tick looks again
  }
  // Claimed like a run, so two sweepers never both prune or report the same run.
  auto mine = write_value<bool>(ctx_.store(), [&](Tx& tx) {
    return policy.subject == "volume"
               ? tx.settle_volume_backup_policy(policy.app_id, policy.mount_target,
                                                policy.last_backup_id)
               : tx.settle_backup_policy(policy.service_id, policy.last_backup_id);
  });
  if (!mine || !*mine || !*backup) {
    return mine && *mine;
  }
  const ServiceBackupRecord& run = **backup;
  if (run.status == "failed") {
    if (hooks_.event) {
      hooks_.event(
          run.server_id, "scheduled_backup_failed",
          subject_with(policy, {{"service_name", run.service_name},
                                {"backup_id", run.id},
                                {"error_code", run.error_code},
                                {"message", "the scheduled backup of " + subject_name(run) +
                                                " failed: " + run.error_message}}));
    }
    return true;
  }
  pruned += apply_retention(policy, run);
  return true;
}

int ServiceBackupScheduler::apply_retention(const BackupPolicyRecord& policy,
                                            const ServiceBackupRecord& newest) {
  auto input =
      read_value<RetentionInput>(ctx_.store(), [&](Tx& tx) { return retention_input(tx, policy); });
  if (!input || !input->destination || remover_ == nullptr) {
    return 0;  // nothing can be deleted where the destination is unknown or unreachable
  }
  std::vector<RetentionItem> items;
  for (const auto& backup : input->backups) {
    items.push_back(RetentionItem{.id = backup.id,
                                  .created_at = backup.created_at,
                                  .pinned = input->pinned.contains(backup.id)});
  }
  const auto prune = backups_to_prune(std::move(items),
                                      RetentionRule{.keep_last = policy.keep_last,
                                                    .keep_daily = policy.keep_daily,
                                                    .keep_weekly = policy.keep_weekly,
                                                    .keep_monthly = policy.keep_monthly},
                                      policy.timezone);
  if (prune.empty()) {
    return 0;
  }
  auto secrets = open_destination_secrets(ctx_, *input->destination);
  if (!secrets) {
    log::warn("backups.retention_failed", {{"service_id", policy.service_id},
                                           {"app_id", policy.app_id},
                                           {"mount_target", policy.mount_target},
                                           {"error", secrets.error().message}});
    return 0;
  }
  std::vector<std::string> deleted;
  std::string failure;
  for (const auto& backup : input->backups) {
    if (std::ranges::find(prune, backup.id) == prune.end()) {
      continue;
    }
    // A restore or drill may have started on it since the input was read: claimed first.
    auto claimed = write_value<bool>(
        ctx_.store(), [&](Tx& tx) { return claim_for_pruning(tx, backup.id, ctx_.clock().now()); });
    if (!claimed || !*claimed) {
      continue;
    }
    // The object first: a row whose object is gone must not stay to offer a restore, while
    // an object whose row remains is pruned again after the next successful run (restorable
    // meanwhile: its mark is taken off).
    if (auto removed = remove_object(*remover_, *input->destination, *secrets, backup.object_key);
        !removed) {
      failure = removed.error().message;
      (void)ctx_.store().write([&](Tx& tx) -> Result<void> {
        auto current = tx.get_service_backup("", backup.id);
        if (!current || !*current) {
          return {};
        }
        ServiceBackupRecord unmarked = **current;
        unmarked.pruning_at.reset();
        return tx.update_service_backup(unmarked);
      });
      continue;
    }
    auto dropped = write_value<bool>(ctx_.store(),
                                     [&](Tx& tx) { return tx.delete_service_backup(backup.id); });
    if (dropped) {
      deleted.push_back(backup.id);
    }
  }
  if (hooks_.event && (!deleted.empty() || !failure.empty())) {
    nlohmann::json details =
        subject_with(policy, {{"service_name", newest.service_name},
                              {"deleted_backup_ids", deleted},
                              {"message", "retention deleted " + std::to_string(deleted.size()) +
                                              " old backup(s) of " + subject_name(newest)}});
    if (!failure.empty()) {
      details["error"] = failure;
      details["message"] =
          details["message"].get<std::string>() + "; some could not be deleted: " + failure;
    }
    hooks_.event(newest.server_id, failure.empty() ? "backups_pruned" : "backup_retention_failed",
                 details);
  }
  return static_cast<int>(deleted.size());
}

}  // namespace berth
