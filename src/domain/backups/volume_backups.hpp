#pragma once
/// Backups of an app's named volumes (issue 15; docs/backups.md "An app's named volumes"). A
/// volume backup is a backup record with subject "volume" (app_id, volume, mount_target;
/// engine "volume"): the agent streams the Engine's tar of the mount from the app's running
/// container through the same encoder and upload as a service's dump, so it is listed, read,
/// drilled and kept like any backup. Only named volumes: a host-path mount is the server's
/// own directory, not Berth's to copy.
///
/// A restore never writes into the volume the app uses: the backup goes into a fresh volume
/// `<volume>-r<n>`, the app's mount is pointed at it and the app is restarted with its current
/// artifact through the zero-downtime pipeline. The old volume is kept (docker volume rm it
/// once the restore is proven). Members run and restore; viewers read. Blocking: call from a
/// worker thread.

#include <atomic>
#include <string>
#include <string_view>

#include "domain/backups/service_backups.hpp"
#include "domain/deploy/deployment_service.hpp"

namespace berth {

/// The target where the team's app `app_id` mounts its named volume `volume` (the source, with
/// or without the team's "<team id>-" prefix): what a volume's backup policy is keyed by.
/// not_found for the app or a volume it does not mount; unprocessable not_a_volume for a host
/// path.
Result<std::string> volume_mount_target(Tx& tx, std::string_view team_id, std::string_view app_id,
                                        std::string_view volume);

/// backup.run's subject arguments for a volume backup: the app's current container and the
/// mount's target. Error::unavailable when the app is gone or runs no container.
Result<nlohmann::json> volume_backup_args(Tx& tx, const ServiceBackupRecord& backup);

/// The image a volume backup's restore helper is created from: the one the app runs now (it is
/// on the server), else the one the backup recorded.
std::string volume_helper_image(Tx& tx, const ServiceBackupRecord& backup);

/// The backup.restore job of a volume backup into the fresh volume `volume` (a helper
/// container of `image` mounts it at the backup's mount_target); `scratch` removes the volume
/// at the end (a drill).
Result<NewJob> volume_restore_job(ServiceBackups& backups, const ServiceBackupRecord& backup,
                                  std::string_view volume, std::string_view image, bool scratch);

/// The name a restore of `volume` fills: "<base>-r<n+1>" when it is "<base>-r<n>", else
/// "<volume>-r1"; "" when that is longer than a volume name may be.
std::string next_restore_volume(std::string_view volume);

class VolumeBackups {
 public:
  VolumeBackups(AreaContext ctx, JobService& jobs, ServiceBackups& backups,
                DeploymentService& deployments)
      : ctx_(ctx), jobs_(jobs), backups_(backups), deployments_(deployments) {}
  ~VolumeBackups() { stopping_ = true; }
  VolumeBackups(const VolumeBackups&) = delete;
  VolumeBackups& operator=(const VolumeBackups&) = delete;

  /// Member. Starts a backup of the app's named volume `volume` (the mount's source, with or
  /// without the team's "<team id>-" prefix) into the destination; answers it `running`.
  /// not_found for the app or a volume it does not mount; unprocessable not_a_volume for a
  /// host-path mount; conflict app_not_running unless the app runs a container; the
  /// destination's errors as ServiceBackups::run.
  Result<ServiceBackupRecord> run(const Principal& who, std::string_view team_id,
                                  std::string_view app_id, std::string_view volume,
                                  std::string_view destination_id, const ClientInfo& client);
  /// The scheduler's run of a volume's policy, inside the transaction claiming it: records the
  /// backup of what the app mounts at the policy's mount_target now, `running`, or `failed`
  /// with the reason it cannot start (the app stopped or gone, the mount removed, the
  /// destination gone). Start it with ServiceBackups::launch after the commit.
  Result<ServiceBackupRecord> record_scheduled(Tx& tx, const BackupPolicyRecord& policy);
  /// Viewer. The app's volume backups, newest first. not_found for an unknown app.
  Result<Page<ServiceBackupRecord>> list(const Principal& who, std::string_view team_id,
                                         std::string_view app_id, const PageRequest& page);
  /// Member. A volume backup: target "same" (confirm = the app's name) restores into a fresh
  /// volume and redeploys the app onto it (steps restoring, redeploying); answers the restore
  /// `running`. unprocessable volume_restore_target for "new"; not_found when the app is gone
  /// or no longer mounts the volume; conflict app_not_running. Any other backup goes to
  /// ServiceBackups::restore.
  Result<BackupRestoreRecord> restore(const Principal& who, std::string_view team_id,
                                      std::string_view id, const RestoreRequest& request,
                                      const ClientInfo& client);
  /// True once no restore runs (tests).
  bool idle(std::chrono::milliseconds timeout);

 private:
  void execute_restore(const std::string& restore_id, const Principal& who);

  AreaContext ctx_;
  JobService& jobs_;
  ServiceBackups& backups_;
  DeploymentService& deployments_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> running_{0};
  MailOutbox worker_{100};  // last: its thread runs restores over the members above
};

}  // namespace berth
