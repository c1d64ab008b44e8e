#pragma once
/// The small vocabulary the SQLite Tx files share: bind typed values in order, read typed
/// columns back, run a cached statement and map its rows, and check paging and search input.
/// Internal to berth_store_sqlite.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/role.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace berth {

/// The most rows one page of any list may ask for.
inline constexpr std::int64_t kMaxPerPage = 1000;

/// Text bound as NULL when empty: optional references such as users.personal_team_id.
struct NullIfEmpty {
  std::string_view text;
};

void bind_value(SqliteStatement& statement, int index, std::string_view text);
void bind_value(SqliteStatement& statement, int index, std::int64_t value);
void bind_value(SqliteStatement& statement, int index, TimePoint time);  // RFC 3339 text
void bind_value(SqliteStatement& statement, int index, const std::optional<TimePoint>& time);
void bind_value(SqliteStatement& statement, int index, NullIfEmpty text);
// Exactly bool: a plain overload would also catch string literals (pointer to bool).
template <std::same_as<bool> Bool>
void bind_value(SqliteStatement& statement, int index, Bool flag) {
  statement.bind(index, std::int64_t{flag});
}

/// Binds `values` to parameters 1, 2, 3 ... in order.
template <class... Values>
void bind_all(SqliteStatement& statement, const Values&... values) {
  int index = 0;
  (bind_value(statement, ++index, values), ...);
}

/// Reads the typed columns of the current row. A malformed value (a bad time or role) is
/// kept as the first error, so a reader function can read every column and check once.
class RowReader {
 public:
  RowReader(const SqliteStatement& row, std::string_view table) : row_(row), table_(table) {}

  std::string text(int column) const { return row_.column_text(column); }
  std::int64_t integer(int column) const { return row_.column_int(column); }
  bool flag(int column) const { return row_.column_int(column) != 0; }
  TimePoint time(int column);
  std::optional<TimePoint> optional_time(int column);
  Role role(int column);  // a team role: viewer, member, admin or owner
  /// Records that `column` holds a value this code cannot read.
  void malformed(int column);

  /// `value` when every column read well; otherwise `internal`, naming table and column.
  template <class T>
  Result<T> finish(T value) {
    if (error_) {
      return fail(std::move(*error_));
    }
    return value;
  }

 private:
  const SqliteStatement& row_;
  std::string_view table_;
  std::optional<Error> error_;
};

/// The cached statement for constant `sql` with `values` bound.
template <class... Values>
Result<SqliteStatement> prepare_bound(SqliteConnection& connection, std::string_view sql,
                                      const Values&... values) {
  auto statement = connection.prepare(sql);
  if (statement) {
    bind_all(*statement, values...);
  }
  return statement;
}

/// Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed.
template <class... Values>
Result<std::int64_t> execute(SqliteConnection& connection, std::string_view sql,
                             const Values&... values) {
  auto statement = prepare_bound(connection, sql, values...);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  if (auto done = statement->run(); !done) {
    return fail(std::move(done.error()));
  }
  return connection.changes();
}

/// Runs a statement, whatever number of rows it changes.
template <class... Values>
Result<void> run_sql(SqliteConnection& connection, std::string_view sql, const Values&... values) {
  auto changed = execute(connection, sql, values...);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return {};
}

/// Runs an UPDATE or DELETE of one row by id; `not_found` when it matched none.
template <class... Values>
Result<void> execute_one(SqliteConnection& connection, std::string_view sql,
                         const Values&... values) {
  auto changed = execute(connection, sql, values...);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  if (*changed == 0) {
    return fail(Error::not_found());
  }
  return {};
}

/// The value type a row reader (`Result<T>(const SqliteStatement&)`) produces.
template <class Read>
using RowType = typename std::invoke_result_t<Read, const SqliteStatement&>::value_type;

/// Every row of a query, each mapped by `read`.
template <class Read, class... Values>
Result<std::vector<RowType<Read>>> query_rows(SqliteConnection& connection, std::string_view sql,
                                              Read read, const Values&... values) {
  auto statement = prepare_bound(connection, sql, values...);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  std::vector<RowType<Read>> rows;
  for (;;) {
    auto row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return rows;
    }
    auto value = read(*statement);
    if (!value) {
      return fail(std::move(value.error()));
    }
    rows.push_back(std::move(*value));
  }
}

/// The first row of a query mapped by `read`, or nullopt when there is none.
template <class Read, class... Values>
Result<std::optional<RowType<Read>>> query_row(SqliteConnection& connection, std::string_view sql,
                                               Read read, const Values&... values) {
  auto statement = prepare_bound(connection, sql, values...);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  auto row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<RowType<Read>>();
  }
  auto value = read(*statement);
  if (!value) {
    return fail(std::move(value.error()));
  }
  return std::optional<RowType<Read>>(std::move(*value));
}

/// The integer in the first column of the first row (0 when there is no row), e.g. count(*).
template <class... Values>
Result<std::int64_t> query_integer(SqliteConnection& connection, std::string_view sql,
                                   const Values&... values) {
  auto statement = prepare_bound(connection, sql, values...);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  auto row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row ? statement->column_int(0) : 0;
}

/// The row offset of `page`; `invalid` when page < 1 or per_page is outside 1..kMaxPerPage.
Result<std::int64_t> page_offset(std::int64_t page, std::int64_t per_page);

/// `%text%` for `LIKE ? ESCAPE '\'`, with LIKE's own wildcards in `text` escaped, so that
/// the pattern matches `text` literally anywhere in the value.
std::string contains_pattern(std::string_view text);

/// The stored name of a team role; `invalid` for roles a team member cannot hold.
Result<std::string_view> team_role_name(Role role);

}  // namespace berth
