#include "store/sqlite/sqlite_query.hpp"

#include <fmt/format.h>

#include <limits>

#include "core/time_format.hpp"

namespace berth {

void bind_value(SqliteStatement& statement, int index, std::string_view text) {
  statement.bind(index, text);
}

void bind_value(SqliteStatement& statement, int index, std::int64_t value) {
  statement.bind(index, value);
}

void bind_value(SqliteStatement& statement, int index, TimePoint time) {
  statement.bind(index, format_rfc3339(time));
}

void bind_value(SqliteStatement& statement, int index, const std::optional<TimePoint>& time) {
  if (time) {
    statement.bind(index, format_rfc3339(*time));
  } else {
    statement.bind_null(index);
  }
}

void bind_value(SqliteStatement& statement, int index, NullIfEmpty text) {
  if (text.text.empty()) {
    statement.bind_null(index);
  } else {
    statement.bind(index, text.text);
  }
}

TimePoint RowReader::time(int column) {
  const auto parsed = parse_rfc3339(row_.column_text(column));
  if (!parsed) {
    malformed(column);
    return TimePoint{};
  }
  return *parsed;
}

std::optional<TimePoint> RowReader::optional_time(int column) {
  if (row_.column_is_null(column)) {
    return std::nullopt;
  }
  return time(column);
}

Role RowReader::role(int column) {
  const auto parsed = parse_role(row_.column_text(column));
  if (!parsed || !is_team_role(*parsed)) {
    malformed(column);
    return Role::viewer;
  }
  return *parsed;
}

void RowReader::malformed(int column) {
  if (!error_) {
    error_ = Error::internal(fmt::format("{}: column {} holds '{}', which cannot be read", table_,
                                         column, row_.column_text(column)));
  }
}

Result<std::int64_t> page_offset(std::int64_t page, std::int64_t per_page) {
  if (per_page < 1 || per_page > kMaxPerPage) {
    return fail(Error::validation("per_page",
                                  fmt::format("per_page must be between 1 and {}", kMaxPerPage)));
  }
  // The bound keeps (page - 1) * per_page from overflowing.
  if (page < 1 || page - 1 > std::numeric_limits<std::int64_t>::max() / per_page) {
    return fail(Error::validation("page", "page must be at least 1"));
  }
  return (page - 1) * per_page;
}

std::string contains_pattern(std::string_view text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') {
      pattern += '\\';
    }
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

Result<std::string_view> team_role_name(Role role) {
  if (!is_team_role(role)) {
    return fail(Error::validation("role", "the role must be viewer, member, admin or owner"));
  }
  return role_name(role);
}

}  // namespace berth
