#pragma once
/// A thin RAII layer over one sqlite3 connection and its cache of prepared statements.
/// Internal to berth_store_sqlite. A connection is used by one thread at a time — the store's
/// locks guarantee that — so nothing here locks.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace berth {

/// Maps a SQLite result code to an error kind: constraint violations → conflict, busy or
/// locked (after the busy timeout) → unavailable, anything else → internal. `what` and
/// SQLite's own message go only into internal_detail, never into the client-safe message.
Error sqlite_error(int code, std::string_view what, std::string_view sqlite_message);

/// A cached prepared statement, borrowed from its connection. Reset and unbound when it goes
/// out of scope, so the next user starts clean.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3_stmt* statement, sqlite3* db) : statement_(statement), db_(db) {}
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  SqliteStatement& operator=(SqliteStatement&&) = delete;

  /// Binds parameter `index` (1-based). A failed bind is reported by the next step().
  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t value);
  void bind_null(int index);

  /// Steps once: true when a row is ready, false when the statement is done.
  Result<bool> step();
  /// Steps to completion, discarding rows (for INSERT, UPDATE, BEGIN, ...).
  Result<void> run();

  /// Column values of the current row (0-based); NULL reads as "" or 0.
  std::string column_text(int column) const;
  std::int64_t column_int(int column) const;
  bool column_is_null(int column) const;

 private:
  Error error(int code) const;

  sqlite3_stmt* statement_;
  sqlite3* db_;
  int bind_error_ = 0;
};

class SqliteConnection {
 public:
  /// Opens `path` (creating the file only when `create`), with extended result codes, the busy
  /// timeout and foreign keys on. Fails `unavailable` when the file cannot be opened.
  static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path, bool create,
                                                        std::chrono::milliseconds busy_timeout);

  /// Finalises every cached statement and closes the connection.
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  /// The cached statement for `sql` (constant text; values are bound, never spliced in),
  /// prepared on first use.
  Result<SqliteStatement> prepare(std::string_view sql);

  /// Runs constant SQL that binds nothing and may hold several statements (pragmas,
  /// migrations). Not cached.
  Result<void> exec(std::string_view sql);

  /// The first column of the first row of constant SQL, as text ("" when there is no row).
  Result<std::string> query_text(std::string_view sql);

  /// The same as an integer; `internal` when the value is not one.
  Result<std::int64_t> query_int(std::string_view sql);

  /// The rows changed by the last INSERT, UPDATE or DELETE that finished on this connection.
  std::int64_t changes() const;

  /// True while a transaction is open on this connection.
  bool in_transaction() const;

  /// Rolls back the open transaction, if any; failures are logged, because the caller is
  /// already returning (or rethrowing) the reason it rolled back.
  void rollback() noexcept;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

}  // namespace berth
