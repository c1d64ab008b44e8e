#pragma once
/// Store records of backups (issue 15): where a team's backups go. A destination's settings
/// are plain JSON; its secrets (S3 keys, an SFTP password or private key) are one JSON object
/// sealed with the master key, never stored or returned in clear.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace berth {

/// A team's backup destination: an S3-compatible bucket (and prefix) or an SFTP folder.
struct BackupDestinationRecord {
  std::string id = {};  // "bdst_…"
  std::string team_id = {};
  std::string name = {};  // unique within the team
  std::string kind = {};  // "s3" | "sftp"
  /// The settings without secrets: s3 {endpoint, region, bucket, prefix, path_style,
  /// access_key_hint}, sftp {host, port, user, path, host_key_fingerprint, auth}.
  nlohmann::json config = nlohmann::json::object();
  std::string secrets_sealed = {};  // crypto::seal of a JSON object; "" = none
  /// The last test's answer {ok, steps}; null until tested.
  nlohmann::json last_test = nullptr;
  std::optional<TimePoint> last_tested_at = {};
  std::string created_by = {};  // a user id
  TimePoint created_at = {};
  TimePoint updated_at = {};
};

struct BackupDestinationQuery {
  std::string team_id = {};  // required
  std::string kind = {};     // "" = any
  std::string q = {};        // a substring of the name
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

}  // namespace berth

namespace berth {

/// A team's backup key pair: the public key (raw, base64) that agents seal backups to, and the
/// secret key sealed with the master key.
struct BackupKeyRecord {
  std::string team_id = {};
  std::string public_key = {};  // base64 of 32 bytes
  std::string secret_key_sealed = {};
  TimePoint created_at = {};
};

/// One backup of a managed service. The service's name, engine, server, project, version and
/// image are copied so the record stays readable, and restorable into a new service, after the
/// service is deleted.
struct ServiceBackupRecord {
  std::string id = {};  // "bkp_…"
  std::string team_id = {};
  std::string service_id = {};
  std::string service_name = {};
  std::string engine = {};
  std::string server_id = {};
  std::string destination_id = {};
  std::string status = "running";  // running | succeeded | failed
  std::string trigger = "manual";  // manual | schedule | safety
  std::string object_key = {};
  std::int64_t size_bytes = 0;
  std::int64_t plain_bytes = 0;
  std::string sha256 = {};
  std::string sealed_key = {};  // base64 of the 80 bytes in the object's header
  std::string job_id = {};
  std::string error_code = {};
  std::string error_message = {};
  std::string verified = {};  // "" | verified | failed (the last drill's outcome)
  std::optional<TimePoint> verified_at = {};
  std::string drill_check = {};        // what the last drill's check answered
  std::int64_t drill_duration_ms = 0;  // how long the last drill took
  std::string created_by = {};
  TimePoint created_at = {};
  std::optional<TimePoint> finished_at = {};
  std::string project_id = {};  // "" on backups older than migration 0016
  std::string version = {};     // the service's major version ("16"); "" likewise
  std::string image = {};       // the service's image; "" likewise
  /// Set while retention deletes it (then it is neither restored nor drilled).
  std::optional<TimePoint> pruning_at = {};
  /// What was backed up (migration 0017): "service" (service_id's dump) or "volume" (a tar of
  /// the named volume `volume` of the app app_id, mounted at mount_target; service_id "",
  /// engine "volume", service_name the app's name).
  std::string subject = "service";
  std::string app_id = {};
  std::string volume = {};
  std::string mount_target = {};
};

struct ServiceBackupQuery {
  std::string team_id = {};     // "" = any (the resume at start-up)
  std::string service_id = {};  // "" = any
  std::string app_id = {};      // "" = any (an app's volume backups)
  std::string volume = {};      // "" = any (with app_id: one volume's)
  std::string status = {};      // "" = any
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

}  // namespace berth

namespace berth {

/// One restore of a service backup: into its own service (target "same", after a safety
/// backup of it) or into a service the restore created (target "new").
struct BackupRestoreRecord {
  std::string id = {};  // "rst_…"
  std::string team_id = {};
  std::string backup_id = {};
  std::string service_id = {};     // where it is restored
  std::string status = "running";  // running | succeeded | failed
  std::string step = {};           // safety_backup | starting_service | restoring
  std::string safety_backup_id = {};
  std::string job_id = {};
  std::string check_result = {};  // what the engine's check answered
  std::string error_code = {};
  std::string error_message = {};
  std::string created_by = {};
  TimePoint created_at = {};
  std::optional<TimePoint> finished_at = {};
  std::string target = "same";  // same | new
  /// A volume backup's restore (migration 0017): the app, the fresh volume the files went into
  /// and the deployment that put the app on it (service_id "" then).
  std::string app_id = {};
  std::string new_volume = {};
  std::string deployment_id = {};
};

}  // namespace berth

namespace berth {

/// A service's backup policy (one per service; deleted with it): when to back it up (a cron
/// schedule read in an IANA time zone), where, and which backups to keep. next_run_at is the
/// next slot (null while disabled); a run is claimed by moving it forward in the same
/// transaction that records the backup, so each slot runs once however many berthd
/// processes share the store.
struct BackupPolicyRecord {
  std::string service_id = {};
  std::string team_id = {};
  std::string schedule = {};  // cron: "30 2 * * *", "@daily"
  std::string timezone = "UTC";
  std::string destination_id = {};
  bool enabled = true;
  std::int64_t keep_last = 7;
  std::int64_t keep_daily = 0;
  std::int64_t keep_weekly = 0;
  std::int64_t keep_monthly = 0;
  std::optional<TimePoint> next_run_at = {};
  std::string last_backup_id = {};  // the last scheduled run's backup
  std::optional<TimePoint> last_run_at = {};
  /// The last run whose outcome was handled (retention after a success, an event after a
  /// failure); differs from last_backup_id while that is still to do.
  std::string settled_backup_id = {};
  std::string created_by = {};
  TimePoint created_at = {};
  TimePoint updated_at = {};
  /// What it backs up (migration 0018): "service" (service_id) or "volume" (the named volume
  /// the app app_id mounts at mount_target, whatever its name is now; service_id ""). A
  /// volume's policy lives in volume_backup_policies, keyed by (app_id, mount_target).
  std::string subject = "service";
  std::string app_id = {};
  std::string mount_target = {};
};

/// One restore drill: a backup restored into a scratch container on its server and checked.
struct BackupDrillRecord {
  std::string id = {};  // "drl_…"
  std::string team_id = {};
  std::string backup_id = {};
  std::string service_id = {};
  std::string server_id = {};
  std::string engine = {};
  std::string status = "running";  // running | verified | failed
  std::string step = {};           // starting | restoring | removing
  std::string trigger = "manual";  // manual | schedule
  std::string container = {};      // the scratch container's name
  std::string job_id = {};         // the backup.restore job
  std::string check_result = {};
  std::int64_t duration_ms = 0;
  std::string error_code = {};
  std::string error_message = {};
  std::string created_by = {};
  TimePoint created_at = {};
  std::optional<TimePoint> finished_at = {};
};

}  // namespace berth
