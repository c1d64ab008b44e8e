#pragma once
/// Backups of managed services (issue 15): a backup runs as a `backup.run` job on the
/// service's server, which streams the engine's dump, compressed and sealed to the team's
/// backup public key, into the destination (an S3-compatible bucket or an SFTP folder). Berthd
/// records what was stored: the object key, size, SHA-256 and the sealed stream key. A restore
/// opens that one stream key with the team's secret key and hands it to a `backup.restore` job,
/// which checks the object's SHA-256 before it touches the service.
///
/// Viewers read backups. Members run a backup and restore one into its service (with the
/// service's name as confirmation: a restore replaces the service's data) or into a new
/// service of the same engine and image, which the restore creates. Every run and restore is
/// audited. The team's key pair is made on its first backup; its secret key is
/// sealed with the master key and never leaves berthd. Blocking: call from a worker thread.

#include <atomic>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/deploy/step_runner.hpp"
#include "domain/fleet/job_service.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/paging.hpp"
#include "domain/kernel/service_context.hpp"
#include "domain/notify/mail_outbox.hpp"
#include "domain/services/managed_services.hpp"
#include "store/backup_records.hpp"

namespace berth {

/// What POST /backups/{id}/restore asks for.
struct RestoreRequest {
  std::string target = "same";  // same | new
  std::string confirm = {};     // same: the service's name
  std::string name = {};        // new: the new service's name (required)
  std::string server_id = {};   // new: "" = the backup's service's server
  std::string project_id = {};  // new: "" = the backup's service's project
  /// new: another major version of the backup's engine, the same or newer ("" = the backup's),
  /// and its image ("" = the backup's image for its own version, else the engine's default).
  std::string version = {};
  std::string image = {};
};

/// The team's backup `id`, which must have succeeded to be restored or drilled (`use`) and not
/// be under deletion by retention: not_found, or unprocessable backup_not_restorable. Called in
/// the write transaction that records the restore or drill, so retention (which marks a backup
/// pruning_at only while no running restore or drill reads it) and a new restore or drill never
/// both go ahead on one backup.
Result<ServiceBackupRecord> succeeded_backup(Tx& tx, std::string_view team_id, std::string_view id,
                                             std::string_view use);

/// The team's service `id`; not_found with `missing` when it is gone.
Result<ServiceRecord> backup_service(Tx& tx, std::string_view team_id, std::string_view id,
                                     std::string missing);

/// Backups and restores talk to the engine inside the container: conflict service_busy unless
/// the service runs.
Result<void> require_service_running(const ServiceRecord& service, std::string_view purpose);

/// Fills a new backup's object key `<destination prefix>berth/<folder>/<id>.bsb` (inside the
/// transaction that records it): the destination must be an S3 or pinned SFTP one of the team
/// (validation destination_id, unprocessable destination_untested); makes the team's key pair
/// on its first backup.
Result<void> prepare_backup_object(const AreaContext& ctx, Tx& tx, ServiceBackupRecord& backup,
                                   std::string_view folder);

/// Stores a scheduled run's backup (inside the claim's transaction) as `prepared` left it:
/// `running`, or `failed` with the reason when it cannot start, so the run is neither lost nor
/// retried. An internal error (the store's) is returned instead.
Result<ServiceBackupRecord> record_scheduled_backup(Tx& tx, ServiceBackupRecord backup,
                                                    Result<void> prepared);

/// A new restore of the backup `id` (running, at `step`) by `who`.
BackupRestoreRecord new_restore(const AreaContext& ctx, const Principal& who,
                                std::string_view team_id, std::string_view id, std::string step);

/// Waits until the job `job_id` ends and answers its record; "stopping" once `stopping` is set.
Result<JobRecord> await_job(const AreaContext& ctx, std::string_view team_id,
                            std::string_view job_id, const std::atomic<bool>& stopping);

/// backup.run's arguments naming what it backs up (engine, container; for a volume also path).
Result<nlohmann::json> backup_subject_args(Tx& tx, const ServiceBackupRecord& backup);

class ServiceBackups {
 public:
  ServiceBackups(AreaContext ctx, JobService& jobs, StepRunner& steps, ManagedServices& services)
      : ctx_(ctx), jobs_(jobs), steps_(steps), services_(services) {}
  ~ServiceBackups() { stopping_ = true; }
  ServiceBackups(const ServiceBackups&) = delete;
  ServiceBackups& operator=(const ServiceBackups&) = delete;

  /// Member. Starts a backup of the service into the destination and returns its record
  /// (`running`); the job runs in the background. not_found for the service; validation
  /// (destination_id) for an unknown destination; unprocessable destination_untested for
  /// an SFTP destination whose host key is not pinned yet; conflict service_busy while the service
  /// is not running.
  Result<ServiceBackupRecord> run(const Principal& who, std::string_view team_id,
                                  std::string_view service_id, std::string_view destination_id,
                                  const ClientInfo& client);
  /// Viewer. Newest first; `service_id` "" lists the team's.
  Result<Page<ServiceBackupRecord>> list(const Principal& who, std::string_view team_id,
                                         std::string_view service_id, const PageRequest& page);
  /// Viewer.
  Result<ServiceBackupRecord> get(const Principal& who, std::string_view team_id,
                                  std::string_view id);
  /// Member. Restores a succeeded backup.
  ///
  /// Target "same": into the service it was taken from; `confirm` must be the service's name
  /// (422 confirm_required). Answers the restore (`running`, step safety_backup): a backup of
  /// the service as it is now is taken first, then a `backup.restore` job (its id in job_id;
  /// its output streams like any job's) checks the object's SHA-256, loads it and runs the
  /// engine's check. not_found when the service is gone; conflict service_busy when the
  /// service is not running. Redis and Valkey are stopped for the load (the RDB is put in
  /// place) and started again.
  ///
  /// Target "new": creates a service `name` (validated like any service name; 409
  /// service_name_taken) of the backup's engine, version and image on `server_id` (default the
  /// backup's service's server; not_found for a server not in the team) in the backup's
  /// project, answers the restore (step starting_service, service_id the new service's), waits
  /// until the service runs and then restores into it (no safety backup: it is empty). Works
  /// after the backup's service was deleted. unprocessable backup_not_restorable also for a
  /// backup older than migration 0016 whose service is gone (its image is not known).
  ///
  /// Both: unprocessable backup_not_restorable for a backup that did not succeed or whose
  /// destination was deleted; validation for an unknown target.
  Result<BackupRestoreRecord> restore(const Principal& who, std::string_view team_id,
                                      std::string_view id, const RestoreRequest& request,
                                      const ClientInfo& client);
  /// Viewer.
  Result<BackupRestoreRecord> get_restore(const Principal& who, std::string_view team_id,
                                          std::string_view id);

  /// For the scheduler, inside the transaction that claims the run: records a backup of the
  /// service with trigger "schedule", `running`, or `failed` with the reason when it cannot
  /// start (the service is not running, the destination is gone or not S3). No role check.
  Result<ServiceBackupRecord> record_scheduled(Tx& tx, std::string_view team_id,
                                               std::string_view service_id,
                                               std::string_view destination_id);
  /// Starts the job of a `running` backup once its record is committed (others: nothing).
  void launch(const ServiceBackupRecord& backup);

  /// At start-up: a backup a stopped berthd left `running` is marked failed (its upload was
  /// never completed, so no object exists under its key).
  void fail_interrupted();
  /// True once no backup runs (tests).
  bool idle(std::chrono::milliseconds timeout);

  /// The backup.restore job of a succeeded backup into `container` (its service's container,
  /// or a drill's scratch one): the object's key and checksum, the one stream key opened with
  /// the team's secret key, the destination's credentials, and the check. With
  /// `wait_ready_seconds` the agent first waits for the engine to answer.
  Result<NewJob> restore_job(const ServiceBackupRecord& backup, std::string_view container,
                             int wait_ready_seconds);

 private:
  void execute(const std::string& backup_id);
  void finish(ServiceBackupRecord backup, const Result<JobRecord>& done);
  Result<BackupRestoreRecord> restore_same(const Principal& who, std::string_view team_id,
                                           std::string_view id, std::string_view confirm,
                                           const ClientInfo& client);
  Result<BackupRestoreRecord> restore_new(const Principal& who, std::string_view team_id,
                                          std::string_view id, const RestoreRequest& request,
                                          const ClientInfo& client);
  Result<BackupRestoreRecord> queue_restore(BackupRestoreRecord restore, const Principal& who);
  void execute_restore(const std::string& restore_id, const Principal& who);

  AreaContext ctx_;
  JobService& jobs_;
  StepRunner& steps_;
  ManagedServices& services_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> running_{0};
  MailOutbox worker_{1'000};  // last: its thread runs backups over the members above
};

}  // namespace berth
