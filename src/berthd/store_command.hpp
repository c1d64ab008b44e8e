#pragma once
/// `berthd backup-store --to FILE` and `berthd migrate`: the two steps a package upgrade runs
/// between stopping berthd and starting the new one (packaging/deb/postinst, docs/install.md).
///
/// backup-store writes a consistent copy of the store (SQLite's online backup API, safe while a
/// berthd runs) as a plain SQLite file, mode 0600. Unlike `berthd backup` it is not encrypted
/// and holds no keys: it is made to stay on the same machine, beside the data it copies, so
/// that a failed upgrade can be rolled back by putting it back as berth.db.
///
/// migrate opens the store, applies the migrations this binary knows and exits; a store whose
/// schema is newer than this binary knows is refused, naming both versions.

#include <string>

#include "berthd/options.hpp"

namespace berth {

/// Runs `berthd backup-store`; the exit code (0 done, 1 failed, with the reason on stderr).
int run_backup_store(const DaemonOptions& options);

/// Runs `berthd migrate`; the exit code.
int run_migrate(const DaemonOptions& options, const std::string& version);

/// The message berthd gives when it cannot open its store: names the binary's version, and,
/// for a store newer than the binary (a downgrade), how to get back to a working pair.
std::string store_open_failure(const std::string& version, const std::string& data_dir,
                               const std::string& reason);

}  // namespace berth
