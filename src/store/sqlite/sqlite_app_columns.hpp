#pragma once
/// What the apps' SQLite Tx files (sqlite_tx_apps.cpp, sqlite_tx_deploy.cpp) share: the closed
/// sets of words of app_records.hpp, checked before they are written; the "name already
/// taken" check that gives a domain-readable conflict code; and a page of rows filtered by
/// whichever conditions are present. Internal to berth_store_sqlite.

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_fleet_columns.hpp"
#include "store/store.hpp"

namespace berth {

inline constexpr std::string_view kAppStatuses[] = {"new", "deploying", "running", "stopped",
                                                    "failed"};
inline constexpr std::string_view kEnvScopes[] = {"app", "project"};
// Beyond app_records.hpp's lists: the stop and start actions are deployments too, and "done"
// ends an event stream.
inline constexpr std::string_view kDeploymentTriggers[] = {
    "api", "webhook", "deploy_hook", "rollback", "restart", "stop", "start"};
inline constexpr std::string_view kDeploymentEvents[] = {"step", "output", "state", "done"};
inline constexpr std::string_view kProxyTls[] = {"off", "internal", "acme"};

/// `conflict` with `code` (and `message`) when `count_sql`, bound to `values`, counts any row.
/// The UNIQUE constraints would refuse the row too, but as a bare `conflict` the domain could
/// not tell a taken name from a duplicate id; writers are serialised, so this is not racy.
template <class... Values>
Result<void> check_free(SqliteConnection& connection, std::string_view code, std::string message,
                        std::string_view count_sql, const Values&... values) {
  auto taken = query_integer(connection, count_sql, values...);
  if (!taken) {
    return fail(std::move(taken.error()));
  }
  if (*taken > 0) {
    Error error = Error::conflict(std::move(message));
    error.code = std::string(code);
    return fail(std::move(error));
  }
  return {};
}

/// WHERE conditions with '?' placeholders and the text bound to them, in order.
struct Filters {
  std::string where = {};  // "" or " WHERE a = ? AND b IN (?, ?)"
  std::vector<std::string> values = {};

  /// Adds `condition` with `bound` values, unless `when` is false.
  void add(bool when, std::string_view condition, const std::vector<std::string>& bound);
};

/// One page of `SELECT columns FROM table{where} ORDER BY order`, mapped by `read`, with the
/// total count of rows that match. Each combination of filters is its own cached statement.
template <class Read>
Result<Page<RowType<Read>>> filtered_page(SqliteConnection& connection, std::string_view table,
                                          std::string_view columns, const Filters& filters,
                                          std::string_view order, Read read, std::int64_t page,
                                          std::int64_t per_page) {
  const auto offset = page_offset(page, per_page);
  if (!offset) {
    return fail(offset.error());
  }
  Page<RowType<Read>> out;
  {
    auto count = connection.prepare(fmt::format("SELECT count(*) FROM {}{}", table, filters.where));
    if (!count) {
      return fail(std::move(count.error()));
    }
    bind_texts(*count, 1, filters.values);
    auto row = count->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    out.total = *row ? count->column_int(0) : 0;
  }
  auto list = connection.prepare(fmt::format("SELECT {} FROM {}{} ORDER BY {} LIMIT ? OFFSET ?",
                                             columns, table, filters.where, order));
  if (!list) {
    return fail(std::move(list.error()));
  }
  const int next = bind_texts(*list, 1, filters.values);
  list->bind(next, per_page);
  list->bind(next + 1, *offset);
  for (;;) {
    auto row = list->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return out;
    }
    auto value = read(*list);
    if (!value) {
      return fail(std::move(value.error()));
    }
    out.items.push_back(std::move(*value));
  }
}

}  // namespace berth
