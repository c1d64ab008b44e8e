#pragma once
/// `berthd backup` and `berthd restore`: Berth's own disaster recovery. A backup is one
/// encrypted file (backup_file.hpp) holding a consistent online copy of the store and the
/// instance keys (and the local agent's enrolment when it lives in the data directory), so a
/// restored berthd serves the same teams, sessions, API keys and sealed secrets, and the
/// agents reconnect to it by themselves when it answers at the URL they dial.
///
/// The passphrase comes from --passphrase-file (which must be readable by its owner only), else
/// BERTH_BACKUP_PASSPHRASE, else a prompt without echo on the terminal; never from an argument,
/// which any user could read in ps.

#include <cstddef>
#include <string>
#include <string_view>

#include "berthd/options.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/sqlite/sqlite_snapshot.hpp"

namespace berth {

/// The shortest passphrase a backup is written with.
inline constexpr std::size_t kMinBackupPassphrase = 12;

struct BackupWritten {
  StoreSummary summary = {};
  std::size_t bytes = 0;  // the file's size
};

/// Writes a backup of the data directory `data_dir` (its store, copied online, and its keys)
/// to `file` under `passphrase` (at least 12 characters). For `berthd backup` and the
/// schedule.
Result<BackupWritten> write_backup(const std::string& data_dir, const std::string& file,
                                   std::string_view passphrase, const std::string& version,
                                   TimePoint taken_at);

/// Runs `berthd backup`; the exit code (0 done, 1 failed, with the reason on stderr).
int run_backup(const DaemonOptions& options, const std::string& version);

/// Runs `berthd restore`; the exit code.
int run_restore(const DaemonOptions& options);

/// The passphrase from `file` (refused when group or others may read it), else the
/// environment, else the terminal (asked twice when `confirm`). Error::invalid with a message
/// for the operator when there is none or it is empty.
Result<std::string> read_backup_passphrase(const std::string& file, bool confirm);

/// Writes `content` to `path` through a temporary file in the same directory (mode 0600 from
/// the first byte, fsync), renamed over `path`: a reader sees the old file or the whole new one.
Result<void> write_file_atomically(const std::string& path, std::string_view content);

}  // namespace berth
