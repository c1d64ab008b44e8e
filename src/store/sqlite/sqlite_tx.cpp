#include "store/sqlite/sqlite_tx.hpp"

#include <fmt/format.h>

#include <vector>

#include "core/time_format.hpp"

namespace berth {

namespace {

constexpr std::string_view kAuditColumns =
    "id, at, actor, action, target, team_id, request_id, source_address, details, outcome";

bool known_outcome(std::string_view outcome) {
  return outcome == "success" || outcome == "failure" || outcome == "denied";
}

Result<AuditEntry> read_audit_row(const SqliteStatement& row) {
  AuditEntry entry;
  entry.id = row.column_text(0);
  const auto at = parse_rfc3339(row.column_text(1));
  if (!at) {
    return fail(Error::internal(fmt::format("audit_log {}: malformed at", entry.id)));
  }
  entry.at = *at;
  entry.actor = row.column_text(2);
  entry.action = row.column_text(3);
  entry.target = row.column_text(4);
  entry.team_id = row.column_text(5);
  entry.request_id = row.column_text(6);
  entry.source_address = row.column_text(7);
  entry.details = nlohmann::json::parse(row.column_text(8), nullptr, /*allow_exceptions=*/false);
  if (entry.details.is_discarded()) {
    return fail(Error::internal(fmt::format("audit_log {}: details is not JSON", entry.id)));
  }
  entry.outcome = row.column_text(9);
  return entry;
}

}  // namespace

Result<std::optional<std::string>> SqliteTx::get_setting(std::string_view key) {
  auto statement = connection_.prepare("SELECT value FROM instance_settings WHERE key = ?1");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind(1, key);
  auto row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<std::string>();
  }
  return statement->column_text(0);
}

Result<void> SqliteTx::put_setting(std::string_view key, std::string_view value, TimePoint at) {
  auto statement = connection_.prepare(
      "INSERT INTO instance_settings (key, value, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind(1, key);
  statement->bind(2, value);
  statement->bind(3, format_rfc3339(at));
  return statement->run();
}

Result<std::map<std::string, std::string>> SqliteTx::list_settings() {
  auto statement = connection_.prepare("SELECT key, value FROM instance_settings ORDER BY key");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  std::map<std::string, std::string> settings;
  for (;;) {
    auto row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return settings;
    }
    settings.emplace(statement->column_text(0), statement->column_text(1));
  }
}

Result<void> SqliteTx::append_audit(const AuditEntry& entry) {
  if (!known_outcome(entry.outcome)) {
    return fail(Error::validation("outcome", "the outcome must be success, failure or denied"));
  }
  auto statement = connection_.prepare(
      fmt::format("INSERT INTO audit_log ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                  kAuditColumns));
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind(1, entry.id);
  statement->bind(2, format_rfc3339(entry.at));
  statement->bind(3, entry.actor);
  statement->bind(4, entry.action);
  statement->bind(5, entry.target);
  statement->bind(6, entry.team_id);
  statement->bind(7, entry.request_id);
  statement->bind(8, entry.source_address);
  // `replace` keeps invalid UTF-8 in a detail from throwing halfway through a transaction.
  statement->bind(9, entry.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  statement->bind(10, entry.outcome);
  return statement->run();
}

Result<Page<AuditEntry>> SqliteTx::list_audit(const AuditQuery& query) {
  const auto offset = page_offset(query.page, query.per_page);
  if (!offset) {
    return fail(offset.error());
  }

  // The WHERE clause is assembled from fixed fragments, one per filter that is present, so
  // each combination is its own cached statement and can use its index. Values stay bound.
  std::string where;
  std::vector<std::string> values;
  const auto filter = [&](std::string_view condition, std::string_view value, int times = 1) {
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
    values.insert(values.end(), static_cast<std::size_t>(times), std::string(value));
  };
  if (!query.team_id.empty()) {
    filter("team_id = ?", query.team_id);
  }
  if (!query.actor.empty()) {
    filter("actor = ?", query.actor);
  }
  if (!query.action.empty()) {
    filter("action = ?", query.action);
  }
  if (!query.q.empty()) {
    filter("(action LIKE ? ESCAPE '\\' OR target LIKE ? ESCAPE '\\')", contains_pattern(query.q),
           2);
  }

  Page<AuditEntry> page;
  {
    auto count = connection_.prepare(fmt::format("SELECT count(*) FROM audit_log{}", where));
    if (!count) {
      return fail(std::move(count.error()));
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      count->bind(static_cast<int>(i + 1), values[i]);
    }
    auto row = count->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    page.total = *row ? count->column_int(0) : 0;
  }

  auto list = connection_.prepare(
      fmt::format("SELECT {} FROM audit_log{} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
                  kAuditColumns, where));
  if (!list) {
    return fail(std::move(list.error()));
  }
  int index = 1;
  for (const auto& value : values) {
    list->bind(index++, value);
  }
  list->bind(index++, query.per_page);
  list->bind(index, *offset);
  for (;;) {
    auto row = list->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return page;
    }
    auto entry = read_audit_row(*list);
    if (!entry) {
      return fail(std::move(entry.error()));
    }
    page.items.push_back(std::move(*entry));
  }
}

}  // namespace berth
