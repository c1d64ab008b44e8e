// SqliteTx: backup destinations.
#include <fmt/format.h>

#include "store/sqlite/sqlite_app_columns.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kDestinationColumns =
    "id, team_id, name, kind, config, secrets_sealed, last_test, last_tested_at, created_by, "
    "created_at, updated_at";

constexpr std::string_view kDestinationKinds[] = {"s3", "sftp"};

Result<BackupDestinationRecord> read_destination(const SqliteStatement& row) {
  RowReader read(row, "backup_destinations");
  BackupDestinationRecord destination;
  destination.id = read.text(0);
  destination.team_id = read.text(1);
  destination.name = read.text(2);
  destination.kind = read.text(3);
  destination.config = json_column(read, 4);
  destination.secrets_sealed = read.text(5);
  destination.last_test = json_column(read, 6);
  destination.last_tested_at = read.optional_time(7);
  destination.created_by = read.text(8);
  destination.created_at = read.time(9);
  destination.updated_at = read.time(10);
  return read.finish(std::move(destination));
}

// The closed kind, and the name free within the team.
Result<void> check_destination(SqliteConnection& connection,
                               const BackupDestinationRecord& destination) {
  if (auto known = check_one_of("kind", destination.kind, kDestinationKinds); !known) {
    return known;
  }
  return check_free(connection, "destination_name_taken",
                    "this team already has a destination with this name",
                    "SELECT count(*) FROM backup_destinations WHERE team_id = ?1 AND name = ?2 "
                    "AND id <> ?3",
                    destination.team_id, destination.name, destination.id);
}

}  // namespace

Result<void> SqliteTx::create_backup_destination(const BackupDestinationRecord& destination) {
  if (auto checked = check_destination(connection_, destination); !checked) {
    return checked;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO backup_destinations ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
      "?11)",
      kDestinationColumns);
  const auto& d = destination;
  return run_sql(connection_, sql, d.id, d.team_id, d.name, d.kind, json_text(d.config),
                 d.secrets_sealed, json_text(d.last_test), d.last_tested_at, d.created_by,
                 d.created_at, d.updated_at);
}

Result<std::optional<BackupDestinationRecord>> SqliteTx::get_backup_destination(
    std::string_view team_id, std::string_view id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM backup_destinations WHERE id = ?2 AND (?1 = '' OR team_id = ?1)",
                  kDestinationColumns);
  return query_row(connection_, sql, read_destination, team_id, id);
}

Result<void> SqliteTx::update_backup_destination(const BackupDestinationRecord& destination) {
  if (auto checked = check_destination(connection_, destination); !checked) {
    return checked;
  }
  const auto& d = destination;
  return execute_one(connection_,
                     "UPDATE backup_destinations SET team_id = ?2, name = ?3, kind = ?4, "
                     "config = ?5, secrets_sealed = ?6, last_test = ?7, last_tested_at = ?8, "
                     "created_by = ?9, created_at = ?10, updated_at = ?11 WHERE id = ?1",
                     d.id, d.team_id, d.name, d.kind, json_text(d.config), d.secrets_sealed,
                     json_text(d.last_test), d.last_tested_at, d.created_by, d.created_at,
                     d.updated_at);
}

Result<void> SqliteTx::delete_backup_destination(std::string_view id) {
  return execute_one(connection_, "DELETE FROM backup_destinations WHERE id = ?1", id);
}

Result<Page<BackupDestinationRecord>> SqliteTx::list_backup_destinations(
    const BackupDestinationQuery& query) {
  Filters filters;
  filters.add(true, "team_id = ?", {query.team_id});
  filters.add(!query.kind.empty(), "kind = ?", {query.kind});
  filters.add(!query.q.empty(), "name LIKE ? ESCAPE '\\'", {contains_pattern(query.q)});
  return filtered_page(connection_, "backup_destinations", kDestinationColumns, filters, "name, id",
                       read_destination, query.page, query.per_page);
}

}  // namespace berth
