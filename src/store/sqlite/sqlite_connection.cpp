#include "store/sqlite/sqlite_connection.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <utility>

#include "core/log.hpp"

namespace berth {

namespace {

// SQLITE_TRANSIENT is an old-style cast inside a macro; this is the same value without it.
// Transient makes SQLite copy bound text, so a bound string_view may die before the step.
sqlite3_destructor_type transient() {
  return reinterpret_cast<sqlite3_destructor_type>(  // NOLINT(performance-no-int-to-ptr)
      std::intptr_t{-1});
}

std::string errmsg(sqlite3* db) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : nullptr;
  return message != nullptr ? message : "unknown sqlite error";
}

struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using OwnedStatement = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

}  // namespace

Error sqlite_error(int code, std::string_view what, std::string_view sqlite_message) {
  std::string detail = fmt::format("{}: {} (sqlite code {})", what, sqlite_message, code);
  Error error;
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      error = Error::conflict("the change conflicts with existing data");
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      // Only seen after the busy timeout ran out: another writer held the lock too long.
      error = Error::unavailable("the database is busy; try again");
      break;
    default:
      return Error::internal(std::move(detail));
  }
  error.internal_detail = std::move(detail);
  return error;
}

SqliteStatement::~SqliteStatement() {
  if (statement_ != nullptr) {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)),
      db_(other.db_),
      bind_error_(other.bind_error_) {}

void SqliteStatement::bind(int index, std::string_view text) {
  // An empty view may have a null data(); SQLite would bind that as NULL, not as ''.
  const char* data = text.data() != nullptr ? text.data() : "";
  const int rc =
      sqlite3_bind_text64(statement_, index, data, text.size(), transient(), SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
  }
}

void SqliteStatement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
  }
}

void SqliteStatement::bind_null(int index) {
  const int rc = sqlite3_bind_null(statement_, index);
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
  }
}

Result<bool> SqliteStatement::step() {
  if (bind_error_ != 0) {
    return fail(error(bind_error_));
  }
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return fail(error(rc));
}

Result<void> SqliteStatement::run() {
  for (;;) {
    auto row = step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return {};
    }
  }
}

std::string SqliteStatement::column_text(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (text == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::int64_t SqliteStatement::column_int(int column) const {
  return sqlite3_column_int64(statement_, column);
}

bool SqliteStatement::column_is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

Error SqliteStatement::error(int code) const {
  const char* sql = sqlite3_sql(statement_);
  return sqlite_error(code, sql != nullptr ? sql : "statement", errmsg(db_));
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(
    const std::string& path, bool create, std::chrono::milliseconds busy_timeout) {
  // NOMUTEX: each connection is used by one thread at a time, so SQLite's own locks are waste.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (create) {
    flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = Error::unavailable(fmt::format("cannot open the database file {}", path));
    error.internal_detail = fmt::format("sqlite3_open_v2: {} (sqlite code {})", errmsg(db), rc);
    sqlite3_close_v2(db);
    return fail(std::move(error));
  }
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  const auto timeout_ms = std::clamp<std::chrono::milliseconds::rep>(
      busy_timeout.count(), 0, std::numeric_limits<int>::max());
  sqlite3_busy_timeout(db, static_cast<int>(timeout_ms));
  // Foreign keys are per connection and off by default; the schema relies on them.
  if (auto done = connection->exec("PRAGMA foreign_keys = ON"); !done) {
    return fail(std::move(done.error()));
  }
  return connection;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, statement] : statements_) {
    sqlite3_finalize(statement);
  }
  statements_.clear();
  sqlite3_close_v2(db_);
}

Result<SqliteStatement> SqliteConnection::prepare(std::string_view sql) {
  if (auto found = statements_.find(sql); found != statements_.end()) {
    // A cached statement still stepping means two users at once: a bug, not a runtime state.
    if (sqlite3_stmt_busy(found->second) != 0) {
      return fail(Error::internal(fmt::format("statement already in use: {}", sql)));
    }
    return SqliteStatement(found->second, db_);
  }
  if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return fail(Error::internal("statement too long"));
  }
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK || raw == nullptr) {
    sqlite3_finalize(raw);
    return fail(sqlite_error(rc != SQLITE_OK ? rc : SQLITE_MISUSE, fmt::format("prepare {}", sql),
                             errmsg(db_)));
  }
  statements_.emplace(std::string(sql), raw);
  return SqliteStatement(raw, db_);
}

Result<void> SqliteConnection::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string reason = message != nullptr ? message : errmsg(db_);
    sqlite3_free(message);
    return fail(sqlite_error(rc, "exec", reason));
  }
  return {};
}

Result<std::string> SqliteConnection::query_text(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  OwnedStatement statement(raw);
  if (rc != SQLITE_OK || raw == nullptr) {
    return fail(sqlite_error(rc != SQLITE_OK ? rc : SQLITE_MISUSE, fmt::format("prepare {}", sql),
                             errmsg(db_)));
  }
  SqliteStatement borrowed(raw, db_);
  auto row = borrowed.step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row ? borrowed.column_text(0) : std::string();
}

Result<std::int64_t> SqliteConnection::query_int(std::string_view sql) {
  auto text = query_text(sql);
  if (!text) {
    return fail(std::move(text.error()));
  }
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [parsed_to, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc{} || parsed_to != end) {
    return fail(Error::internal(fmt::format("{} returned '{}'", sql, *text)));
  }
  return value;
}

std::int64_t SqliteConnection::changes() const { return sqlite3_changes64(db_); }

bool SqliteConnection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

void SqliteConnection::rollback() noexcept {
  if (!in_transaction()) {
    return;  // SQLite already rolled back by itself (it does on some errors, e.g. SQLITE_FULL)
  }
  char* message = nullptr;
  if (sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, &message) != SQLITE_OK) {
    try {
      const std::string reason = message != nullptr ? message : errmsg(db_);
      log::error("store.rollback_failed", {{"detail", std::string_view(reason)}});
    } catch (...) {  // NOLINT(bugprone-empty-catch): logging must not turn a rollback into a crash
    }
    sqlite3_free(message);
  }
}

}  // namespace berth
