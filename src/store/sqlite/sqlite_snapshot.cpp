#include "store/sqlite/sqlite_snapshot.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstring>
#include <memory>

#include "store/sqlite/sqlite_migrations.hpp"

namespace berth {

namespace {

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

struct FinishStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, FinishStatement>;

std::string database_message(sqlite3* db) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : nullptr;
  return message != nullptr ? message : "unknown sqlite error";
}

Result<Database> open_database(const char* name, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(name, &raw, flags | SQLITE_OPEN_EXRESCODE, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) {
    return fail(Error::unavailable(
        fmt::format("cannot open the database {}: {}", name, database_message(db.get()))));
  }
  return db;
}

/// The first column of the first row of constant SQL as text; "" when there is no row.
Result<std::string> single_text(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return fail(
        Error::invalid(fmt::format("not a Berth database ({}): {}", sql, database_message(db))));
  }
  Statement statement(raw);
  const int rc = sqlite3_step(statement.get());
  if (rc == SQLITE_DONE) {
    return std::string();
  }
  if (rc != SQLITE_ROW) {
    return fail(Error::invalid(fmt::format("cannot read the database: {}", database_message(db))));
  }
  const auto* text = sqlite3_column_text(statement.get(), 0);
  return text != nullptr ? std::string(reinterpret_cast<const char*>(text)) : std::string();
}

Result<std::int64_t> single_int(sqlite3* db, const char* sql) {
  auto text = single_text(db, sql);
  if (!text) {
    return fail(std::move(text.error()));
  }
  return text->empty() ? 0 : std::stoll(*text);
}

Result<StoreSummary> summarise(sqlite3* db) {
  StoreSummary summary;
  auto instance_id =
      single_text(db, "SELECT value FROM instance_settings WHERE key = 'instance_id'");
  auto version = single_int(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  auto teams = single_int(db, "SELECT count(*) FROM teams");
  auto users = single_int(db, "SELECT count(*) FROM users");
  auto servers = single_int(db, "SELECT count(*) FROM servers");
  auto apps = single_int(db, "SELECT count(*) FROM apps");
  for (const auto* result : {&version, &teams, &users, &servers, &apps}) {
    if (!*result) {
      return fail(result->error());
    }
  }
  if (!instance_id) {
    return fail(std::move(instance_id.error()));
  }
  summary.instance_id = std::move(*instance_id);
  summary.schema_version = static_cast<int>(*version);
  summary.teams = *teams;
  summary.users = *users;
  summary.servers = *servers;
  summary.apps = *apps;
  return summary;
}

}  // namespace

Result<StoreSnapshot> snapshot_sqlite_store(const std::string& path,
                                            std::chrono::milliseconds busy_timeout) {
  // Read-only and never created: a typo in --data-dir must not leave an empty database behind.
  auto source = open_database(path.c_str(), SQLITE_OPEN_READONLY);
  if (!source) {
    return fail(std::move(source.error()));
  }
  sqlite3_busy_timeout(source->get(), static_cast<int>(busy_timeout.count()));
  auto copy = open_database(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!copy) {
    return fail(std::move(copy.error()));
  }
  sqlite3_backup* backup = sqlite3_backup_init(copy->get(), "main", source->get(), "main");
  if (backup == nullptr) {
    return fail(Error::unavailable(
        fmt::format("cannot back up {}: {}", path, database_message(copy->get()))));
  }
  // One step over every page: the copy is read inside a single read transaction, so it is
  // exactly the database as of one commit. With WAL the writer carries on meanwhile.
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      sqlite3_sleep(50);
    }
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return fail(Error::unavailable(
        fmt::format("cannot back up {}: {} (sqlite code {})", path, sqlite3_errstr(rc), rc)));
  }
  source->reset();
  auto summary = summarise(copy->get());
  if (!summary) {
    return fail(std::move(summary.error()));
  }
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(copy->get(), "main", &size, 0);
  if (bytes == nullptr) {
    return fail(Error::internal("sqlite3_serialize failed (out of memory)"));
  }
  StoreSnapshot snapshot{
      .image = std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size)),
      .summary = std::move(*summary)};
  sqlite3_free(bytes);
  return snapshot;
}

Result<StoreSummary> inspect_sqlite_image(std::string_view image) {
  auto db = open_database(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db) {
    return fail(std::move(db.error()));
  }
  // SQLite owns (and frees) what it is given with FREEONCLOSE, so it gets its own copy.
  auto* bytes = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (bytes == nullptr) {
    return fail(Error::internal("out of memory"));
  }
  std::memcpy(bytes, image.data(), image.size());
  // Bytes 18 and 19 say "WAL" in a copy of berthd's database; an in-memory database cannot
  // have a WAL, so this private copy is marked as a rollback-journal one (SQLite's own
  // sqlite3_deserialize tests do the same).
  if (image.size() >= 100) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  const auto size = static_cast<sqlite3_int64>(image.size());
  if (sqlite3_deserialize(db->get(), "main", bytes, size, size,
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) !=
      SQLITE_OK) {
    return fail(Error::invalid(fmt::format("the database in the backup cannot be opened: {}",
                                           database_message(db->get()))));
  }
  auto integrity = single_text(db->get(), "PRAGMA integrity_check");
  if (!integrity) {
    return fail(std::move(integrity.error()));
  }
  if (*integrity != "ok") {
    return fail(Error::invalid(
        fmt::format("the database in the backup fails SQLite's integrity check: {}", *integrity)));
  }
  auto summary = summarise(db->get());
  if (!summary) {
    return fail(std::move(summary.error()));
  }
  const auto known = static_cast<int>(sqlite_migrations().size());
  if (summary->schema_version > known) {
    return fail(Error::invalid(
        fmt::format("the backup's database has schema version {}, newer than this berthd knows "
                    "({}): restore it with the Berth version that made it, or a newer one",
                    summary->schema_version, known)));
  }
  if (summary->instance_id.empty()) {
    return fail(Error::invalid("the backup's database has no instance id: not a Berth store"));
  }
  return summary;
}

}  // namespace berth
