#pragma once
/// A consistent copy of a live SQLite store, taken with SQLite's online backup API (not a file
/// copy, which could catch a half-written page or miss what is still in the WAL), and the
/// checks a restore runs on such a copy before it is written anywhere. For `berthd backup` and
/// `berthd restore`; safe while berthd runs on the same file (WAL readers never block it).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth {

/// What a copy of the store holds, for the operator (and the checks of a restore).
struct StoreSummary {
  std::string instance_id = {};
  int schema_version = 0;
  std::int64_t teams = 0;
  std::int64_t users = 0;
  std::int64_t servers = 0;
  std::int64_t apps = 0;
};

struct StoreSnapshot {
  std::string image = {};  // the whole database file, as SQLite would write it
  StoreSummary summary = {};
};

/// Copies the database at `path` (which must exist; it is opened read-only and never created
/// nor changed) into memory in one read transaction: every commit before it, none after.
/// `unavailable` when the file cannot be opened or stays locked past `busy_timeout`.
Result<StoreSnapshot> snapshot_sqlite_store(const std::string& path,
                                            std::chrono::milliseconds busy_timeout);

/// Opens `image` in memory, runs SQLite's integrity check and reads its summary. `invalid`
/// when it is not a sound Berth database, or when its schema is newer than this binary knows.
Result<StoreSummary> inspect_sqlite_image(std::string_view image);

}  // namespace berth
