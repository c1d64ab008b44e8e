#pragma once
/// Scheduled backups (issue 15): on each tick (every 20 s on its own thread; tests call tick()
/// with a fake clock), every due policy's run is claimed through the store in ONE transaction
/// that moves next_run_at forward (only if it is still the slot this sweeper saw) and records
/// the backup, so a restart never skips nor repeats a slot and two berthd processes on one
/// store never both run it. The job starts after the commit.
///
/// Missed runs: a policy found overdue (berthd was down over its slot) runs once, now, and its
/// next slot is counted from now: slots missed in between are not run one by one. A run that
/// starts more than five minutes late is also a server event (`scheduled_backup_late`).
///
/// Each finished run is then settled, once: a failure (including one that could not start: the
/// service stopped, the destination gone) becomes a server event (`scheduled_backup_failed`);
/// a success applies the policy's retention (backup_retention.hpp) to the service's succeeded
/// backups at that destination: the others' objects are deleted from the destination and then
/// their rows (so nothing offers to restore a deleted object). Backups a running restore reads
/// or took as its safety copy are never pruned. Thread-safe.

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/ticker.hpp"
#include "domain/backups/backup_object_remover.hpp"
#include "domain/kernel/service_context.hpp"
#include "store/backup_records.hpp"

namespace berth {

struct ServiceBackupSchedulerHooks {
  /// Inside the claim's transaction: records the run's backup, `running`, or `failed` with the
  /// reason it cannot start (ServiceBackups::record_scheduled).
  std::function<Result<ServiceBackupRecord>(Tx&, const BackupPolicyRecord&)> record;
  /// After the commit: starts a running backup's job (ServiceBackups::launch).
  std::function<void(const ServiceBackupRecord&)> launch;
  /// Records a server event (ServerBook::record).
  std::function<void(std::string_view server_id, std::string kind, nlohmann::json details)> event;
};

/// What one tick did (tests).
struct BackupTickReport {
  int claimed = 0;
  int settled = 0;
  int pruned = 0;
};

class ServiceBackupScheduler {
 public:
  ServiceBackupScheduler(AreaContext ctx, ServiceBackupSchedulerHooks hooks,
                         BackupObjectRemover* remover,
                         std::chrono::milliseconds every = std::chrono::seconds(20))
      : ctx_(ctx), hooks_(std::move(hooks)), remover_(remover), every_(every) {}
  ~ServiceBackupScheduler() { stop(); }
  ServiceBackupScheduler(const ServiceBackupScheduler&) = delete;
  ServiceBackupScheduler& operator=(const ServiceBackupScheduler&) = delete;

  void start();
  void stop();
  /// One round at the clock's now: claims and starts the due runs, then settles finished ones.
  BackupTickReport tick();

 private:
  bool claim(const BackupPolicyRecord& policy, TimePoint now);
  bool settle(const BackupPolicyRecord& policy, int& pruned);
  int apply_retention(const BackupPolicyRecord& policy, const ServiceBackupRecord& newest);

  AreaContext ctx_;
  ServiceBackupSchedulerHooks hooks_;
  BackupObjectRemover* remover_;
  std::chrono::milliseconds every_;
  Ticker ticker_;
};

}  // namespace berth
