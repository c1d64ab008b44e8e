#pragma once
/// Column helpers the fleet's SQLite Tx files share: JSON objects and doubles stored as text,
/// the closed sets of words (statuses, states, streams) checked before they are written, and
/// "IN (?, ?, …)" lists of such words. Internal to berth_store_sqlite.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/job_state.hpp"
#include "store/sqlite/sqlite_query.hpp"

namespace berth {

inline constexpr std::string_view kServerStatuses[] = {"pending", "adopting", "adoption_failed",
                                                       "online",  "degraded", "offline"};
inline constexpr std::string_view kServerSchedulings[] = {"active", "cordoned", "draining"};
inline constexpr std::string_view kOutputStreams[] = {"stdout", "stderr", "system"};

/// An optional integer, NULL when absent (jobs.exit_code). Found by bind_all through ADL.
void bind_value(SqliteStatement& statement, int index, const std::optional<std::int64_t>& value);

/// The compact text of a JSON value; invalid UTF-8 in a string is replaced rather than
/// throwing halfway through a transaction.
std::string json_text(const nlohmann::json& value);

/// The JSON in `column`; marks the column malformed (and returns an empty object) when it is
/// not JSON.
nlohmann::json json_column(RowReader& read, int column);

/// A double as text that reads back to the same value (the shortest round-trip form);
/// SQL turns it into a REAL with CAST(? AS REAL). SqliteStatement binds no doubles.
std::string real_text(double value);

/// A double from text written by SQL's printf('%!.17g', …); marks the column malformed when
/// it is not a number.
double real_column(RowReader& read, int column);

/// `invalid` naming `field` unless `value` is one of `allowed`.
Result<void> check_one_of(std::string_view field, std::string_view value,
                          std::span<const std::string_view> allowed);

/// `values` checked against `allowed` (`invalid` naming `field`), without duplicates, in the
/// order of `allowed`: so an IN list has at most allowed.size() entries, and each length is
/// one cached statement.
Result<std::vector<std::string>> distinct_words(std::string_view field,
                                                const std::vector<std::string>& values,
                                                std::span<const std::string_view> allowed);

/// `invalid` unless 1 <= limit <= kMaxPerPage (the cursor lists: job output, server events).
Result<void> check_limit(std::int64_t limit);

/// "?, ?, ?" with `count` placeholders.
std::string placeholders(std::size_t count);

/// Binds text `values` to parameters first, first + 1, …; returns the next free index.
int bind_texts(SqliteStatement& statement, int first, const std::vector<std::string>& values);

}  // namespace berth
