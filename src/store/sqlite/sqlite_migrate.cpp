#include "store/sqlite/sqlite_migrate.hpp"

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/time_format.hpp"

namespace berth {

Result<int> recorded_schema_version(SqliteConnection& connection) {
  auto version = connection.query_int("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!version) {
    return fail(std::move(version.error()));
  }
  return static_cast<int>(*version);
}

namespace {

Error newer_schema_error(int recorded, int latest) {
  return Error::unavailable(fmt::format(
      "database schema version {} is newer than this berthd supports ({}); upgrade berthd or "
      "restore a matching backup",
      recorded, latest));
}

// Applies `migration` unless the database already has it. The version is re-read inside the
// write lock because another berthd starting on the same file may have applied it meanwhile.
Result<void> apply_migration(SqliteConnection& connection, const Migration& migration, int latest,
                             const Clock& clock) {
  if (auto began = connection.exec("BEGIN IMMEDIATE"); !began) {
    return began;
  }
  auto outcome = [&]() -> Result<void> {
    auto recorded = recorded_schema_version(connection);
    if (!recorded) {
      return fail(std::move(recorded.error()));
    }
    if (*recorded > latest) {
      return fail(newer_schema_error(*recorded, latest));
    }
    if (*recorded >= migration.version) {
      return {};
    }
    if (auto done = connection.exec(migration.sql); !done) {
      return fail(Error::internal(fmt::format("migration {:04}_{} failed: {}", migration.version,
                                              migration.name, done.error().internal_detail)));
    }
    // A COMMIT or ROLLBACK inside the file would make the rest of it non-atomic.
    if (!connection.in_transaction()) {
      return fail(Error::internal(fmt::format("migration {:04}_{} ended its own transaction",
                                              migration.version, migration.name)));
    }
    auto record = connection.prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)");
    if (!record) {
      return fail(std::move(record.error()));
    }
    record->bind(1, std::int64_t{migration.version});
    record->bind(2, migration.name);
    record->bind(3, format_rfc3339(clock.now()));
    return record->run();
  }();
  if (!outcome) {
    connection.rollback();
    return outcome;
  }
  if (auto committed = connection.exec("COMMIT"); !committed) {
    connection.rollback();
    return committed;
  }
  return {};
}

}  // namespace

Result<void> apply_migrations(SqliteConnection& connection, std::span<const Migration> migrations,
                              const Clock& clock) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return fail(Error::internal("migrations must be numbered 1, 2, 3 ... in order"));
    }
  }
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (auto done = connection.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
          "name TEXT NOT NULL, applied_at TEXT NOT NULL)");
      !done) {
    return done;
  }
  auto recorded = recorded_schema_version(connection);
  if (!recorded) {
    return fail(std::move(recorded.error()));
  }
  if (*recorded > latest) {
    return fail(newer_schema_error(*recorded, latest));
  }
  for (const Migration& migration : migrations.subspan(static_cast<std::size_t>(*recorded))) {
    if (auto done = apply_migration(connection, migration, latest, clock); !done) {
      return done;
    }
    log::info("store.migrated",
              {{"version", std::int64_t{migration.version}}, {"name", migration.name}});
  }
  return {};
}

}  // namespace berth
