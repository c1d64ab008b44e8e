#pragma once
/// Brings a SQLite database's schema up to date at open(). Internal to berth_store_sqlite.

#include <span>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/migration.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace berth {

/// Applies the migrations the database lacks, oldest first, each in its own BEGIN IMMEDIATE
/// transaction, and records each in schema_migrations (version, name, clock.now()).
/// `migrations` must be numbered 1, 2, 3 ... in order. Fails `unavailable` when the database
/// records a version above the last one given, `internal` when a migration fails — what that
/// migration did is rolled back; the ones before it stay.
Result<void> apply_migrations(SqliteConnection& connection, std::span<const Migration> migrations,
                              const Clock& clock);

/// The highest version in schema_migrations; 0 when none has been applied.
Result<int> recorded_schema_version(SqliteConnection& connection);

}  // namespace berth
