#pragma once
/// Restore drills (issue 15): proof that a backup restores. A drill restores a succeeded
/// service backup into a scratch container on the backup's server — the service's image, fresh
/// throwaway credentials, no network (loopback only), no published port, labelled
/// berth.drill — runs the engine's check (PostgreSQL: user tables, MySQL: the database's
/// tables, Redis: DBSIZE), and removes the container and its anonymous volumes, also when a
/// step failed. The backup then carries the outcome: verified = "verified" or "failed",
/// verified_at, the check's answer and the drill's duration. A failed drill is a server event
/// (`backup_drill_failed`, with the backup id and the reason).
///
/// On demand (member) and on a schedule: schedule_due() gives the newest succeeded backup of
/// every service a drill when the service's last drill is older than the interval (a week by
/// default). The drill's row is created in the same transaction that finds the backup due, so
/// a restart neither repeats nor skips one. Viewers read drills. Blocking: worker threads.

#include <atomic>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/backups/service_backups.hpp"
#include "domain/deploy/step_runner.hpp"
#include "domain/fleet/job_service.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/service_context.hpp"
#include "domain/notify/mail_outbox.hpp"
#include "store/backup_records.hpp"

namespace berth {

class BackupDrills {
 public:
  /// Records a server event: (server_id, kind, details).
  using EventSink = std::function<void(std::string_view, std::string, nlohmann::json)>;

  BackupDrills(AreaContext ctx, JobService& jobs, StepRunner& steps, ServiceBackups& backups)
      : ctx_(ctx), jobs_(jobs), steps_(steps), backups_(backups) {}
  ~BackupDrills() { stopping_ = true; }
  BackupDrills(const BackupDrills&) = delete;
  BackupDrills& operator=(const BackupDrills&) = delete;

  void set_event_sink(EventSink sink) { events_ = std::move(sink); }
  /// How old a service's last drill may be before the schedule drills it again (default 7
  /// days).
  void set_interval(std::chrono::seconds interval) { interval_ = interval; }

  /// Member. Starts a drill of the backup and answers it (`running`, step starting).
  /// not_found for the backup; unprocessable backup_not_restorable for one that did not
  /// succeed, service_gone when its service was deleted and the backup does not record its
  /// image (the drill runs that image); conflict drill_running while a drill of the service runs.
  Result<BackupDrillRecord> drill(const Principal& who, std::string_view team_id,
                                  std::string_view backup_id, const ClientInfo& client);
  /// Viewer. The backup's drills, newest first (at most 100). not_found for the backup.
  Result<std::vector<BackupDrillRecord>> list(const Principal& who, std::string_view team_id,
                                              std::string_view backup_id);
  /// Viewer.
  Result<BackupDrillRecord> get(const Principal& who, std::string_view team_id,
                                std::string_view id);

  /// The schedule: claims a drill of every backup due (see above) and starts them. Returns how
  /// many were claimed.
  std::size_t schedule_due();
  /// At start-up: a drill a stopped berthd left running is marked failed, and the removal of
  /// its scratch container is queued for its server.
  void fail_interrupted();
  /// True once no drill runs (tests).
  bool idle(std::chrono::milliseconds timeout);

 private:
  void start(const BackupDrillRecord& drill);
  void remove_scratch(const BackupDrillRecord& drill, bool started);
  void execute(const std::string& drill_id);

  AreaContext ctx_;
  JobService& jobs_;
  StepRunner& steps_;
  ServiceBackups& backups_;
  EventSink events_;
  std::chrono::seconds interval_{std::chrono::hours(24 * 7)};
  std::atomic<bool> stopping_{false};
  std::atomic<int> running_{0};
  MailOutbox worker_{1'000};  // last: its thread runs drills over the members above
};

}  // namespace berth
