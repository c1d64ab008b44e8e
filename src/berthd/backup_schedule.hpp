#pragma once
/// berthd's own backup on a schedule: once a day at a fixed UTC time, `write_backup` into a
/// local directory, keeping the newest N files of this instance. Configured with berthd's
/// options (--backup-daily-at, --backup-dir, --backup-keep, --backup-passphrase-file or
/// BERTH_BACKUP_PASSPHRASE), since berthd has no instance-settings API yet.
///
/// The time of the last successful run is an instance setting in the store
/// (`backup.last_success_at`), so a run missed while berthd was down is made up at the next
/// start, and a restart never runs twice what already ran.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/store.hpp"

namespace berth {

struct BackupScheduleOptions {
  std::optional<std::chrono::minutes> daily_at = {};  // minutes after 00:00 UTC; unset: off
  std::string directory = {};
  std::size_t keep = 7;
  std::string passphrase = {};  // read at start-up, never from an argument
};

/// "HH:MM" (24-hour, UTC) as minutes after midnight; nullopt when malformed.
std::optional<std::chrono::minutes> parse_daily_time(std::string_view text);

/// The latest moment at `daily_at` that is not after `now`.
TimePoint previous_daily_run(TimePoint now, std::chrono::minutes daily_at);

/// The file name of a backup of `instance_id` taken at `at`: berth-<id>-<YYYYMMDDTHHMMSSZ>.backup
/// (sorting by name sorts by time).
std::string scheduled_backup_name(const std::string& instance_id, TimePoint at);

/// Where a scheduled run writes `name`: a file in `directory`, or a key under an s3://bucket/
/// prefix (backup_target.hpp).
std::string scheduled_backup_target(const std::string& directory, const std::string& name);

/// Deletes this instance's backups in `directory` beyond the newest `keep`; the names deleted.
std::vector<std::string> prune_scheduled_backups(const std::string& directory,
                                                 const std::string& instance_id, std::size_t keep);

class BackupScheduler {
 public:
  BackupScheduler(BackupScheduleOptions options, std::string data_dir, std::string instance_id,
                  std::string version, Store& store, const Clock& clock);
  ~BackupScheduler();
  BackupScheduler(const BackupScheduler&) = delete;
  BackupScheduler& operator=(const BackupScheduler&) = delete;

  /// Starts the thread: runs at once when the last scheduled run was missed.
  void start();
  void stop();

  /// One run now: writes the file, prunes, records the success. The file's path.
  Result<std::string> run_once();

  /// True when no run has succeeded since the last scheduled time before `now` (false when the
  /// store cannot be read: the next wake-up asks again).
  bool due(TimePoint now);

 private:
  void loop();

  BackupScheduleOptions options_;
  std::string data_dir_;
  std::string instance_id_;
  std::string version_;
  Store& store_;
  const Clock& clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth
