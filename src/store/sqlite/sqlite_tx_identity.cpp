// SqliteTx: users, teams and memberships.
#include <fmt/format.h>

#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kUserColumns =
    "id, email, display_name, password_hash, is_instance_admin, is_active, personal_team_id, "
    "totp_secret_enc, totp_enabled, totp_last_step, failed_logins, locked_until, created_at, "
    "updated_at";

constexpr std::string_view kTeamColumns = "id, name, personal, created_at";

Result<UserRecord> read_user(const SqliteStatement& row) {
  RowReader read(row, "users");
  UserRecord user;
  user.id = read.text(0);
  user.email = read.text(1);
  user.display_name = read.text(2);
  user.password_hash = read.text(3);
  user.is_instance_admin = read.flag(4);
  user.is_active = read.flag(5);
  user.personal_team_id = read.text(6);  // NULL reads as ""
  user.totp_secret_enc = read.text(7);
  user.totp_enabled = read.flag(8);
  user.totp_last_step = read.integer(9);
  user.failed_logins = read.integer(10);
  user.locked_until = read.optional_time(11);
  user.created_at = read.time(12);
  user.updated_at = read.time(13);
  return read.finish(std::move(user));
}

// Reads the team from columns `first`..`first + 3` (kTeamColumns order).
TeamRecord read_team_columns(RowReader& read, int first) {
  TeamRecord team;
  team.id = read.text(first);
  team.name = read.text(first + 1);
  team.personal = read.flag(first + 2);
  team.created_at = read.time(first + 3);
  return team;
}

Result<TeamRecord> read_team(const SqliteStatement& row) {
  RowReader read(row, "teams");
  return read.finish(read_team_columns(read, 0));
}

Result<MembershipRecord> read_membership(const SqliteStatement& row) {
  RowReader read(row, "memberships");
  MembershipRecord membership;
  membership.team_id = read.text(0);
  membership.user_id = read.text(1);
  membership.role = read.role(2);
  membership.created_at = read.time(3);
  return read.finish(std::move(membership));
}

Result<MemberRow> read_member(const SqliteStatement& row) {
  auto membership = read_membership(row);
  if (!membership) {
    return fail(std::move(membership.error()));
  }
  return MemberRow{.membership = std::move(*membership),
                   .email = row.column_text(4),
                   .display_name = row.column_text(5)};
}

Result<TeamMembershipRow> read_user_team(const SqliteStatement& row) {
  RowReader read(row, "memberships");
  TeamMembershipRow out;
  out.team = read_team_columns(read, 0);
  out.role = read.role(4);
  return read.finish(std::move(out));
}

// One page of a search over `table`: the rows whose `columns` contain q, ordered by creation.
// `count_sql` and `list_sql` take the LIKE pattern as ?1; the list adds LIMIT ?2 OFFSET ?3.
template <class Read>
Result<Page<RowType<Read>>> search_page(SqliteConnection& connection, std::string_view count_sql,
                                        std::string_view list_sql, Read read, std::string_view q,
                                        std::int64_t page, std::int64_t per_page) {
  const auto offset = page_offset(page, per_page);
  if (!offset) {
    return fail(offset.error());
  }
  const std::string pattern = contains_pattern(q);
  auto total = query_integer(connection, count_sql, pattern);
  if (!total) {
    return fail(std::move(total.error()));
  }
  auto items = query_rows(connection, list_sql, read, pattern, per_page, *offset);
  if (!items) {
    return fail(std::move(items.error()));
  }
  return Page<RowType<Read>>{.items = std::move(*items), .total = *total};
}

}  // namespace

Result<void> SqliteTx::create_user(const UserRecord& user) {
  static const std::string sql = fmt::format(
      "INSERT INTO users ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14)",
      kUserColumns);
  return run_sql(connection_, sql, user.id, user.email, user.display_name, user.password_hash,
                 user.is_instance_admin, user.is_active, NullIfEmpty{user.personal_team_id},
                 user.totp_secret_enc, user.totp_enabled, user.totp_last_step, user.failed_logins,
                 user.locked_until, user.created_at, user.updated_at);
}

Result<std::optional<UserRecord>> SqliteTx::get_user(std::string_view id) {
  static const std::string sql = fmt::format("SELECT {} FROM users WHERE id = ?1", kUserColumns);
  return query_row(connection_, sql, read_user, id);
}

Result<std::optional<UserRecord>> SqliteTx::find_user_by_email(std::string_view email) {
  // users.email is COLLATE NOCASE, so this compares without case and uses the unique index.
  static const std::string sql = fmt::format("SELECT {} FROM users WHERE email = ?1", kUserColumns);
  return query_row(connection_, sql, read_user, email);
}

Result<void> SqliteTx::update_user(const UserRecord& user) {
  return execute_one(
      connection_,
      "UPDATE users SET email = ?2, display_name = ?3, password_hash = ?4, "
      "is_instance_admin = ?5, is_active = ?6, personal_team_id = ?7, totp_secret_enc = ?8, "
      "totp_enabled = ?9, totp_last_step = ?10, failed_logins = ?11, locked_until = ?12, "
      "created_at = ?13, updated_at = ?14 WHERE id = ?1",
      user.id, user.email, user.display_name, user.password_hash, user.is_instance_admin,
      user.is_active, NullIfEmpty{user.personal_team_id}, user.totp_secret_enc, user.totp_enabled,
      user.totp_last_step, user.failed_logins, user.locked_until, user.created_at, user.updated_at);
}

Result<std::int64_t> SqliteTx::count_users() {
  return query_integer(connection_, "SELECT count(*) FROM users");
}

Result<Page<UserRecord>> SqliteTx::list_users(std::string_view q, std::int64_t page,
                                              std::int64_t per_page) {
  static constexpr std::string_view kMatch =
      "email LIKE ?1 ESCAPE '\\' OR display_name LIKE ?1 ESCAPE '\\'";
  static const std::string count_sql = fmt::format("SELECT count(*) FROM users WHERE {}", kMatch);
  static const std::string list_sql =
      fmt::format("SELECT {} FROM users WHERE {} ORDER BY created_at, id LIMIT ?2 OFFSET ?3",
                  kUserColumns, kMatch);
  return search_page(connection_, count_sql, list_sql, read_user, q, page, per_page);
}

Result<void> SqliteTx::create_team(const TeamRecord& team) {
  static const std::string sql =
      fmt::format("INSERT INTO teams ({}) VALUES (?1, ?2, ?3, ?4)", kTeamColumns);
  return run_sql(connection_, sql, team.id, team.name, team.personal, team.created_at);
}

Result<std::optional<TeamRecord>> SqliteTx::get_team(std::string_view id) {
  static const std::string sql = fmt::format("SELECT {} FROM teams WHERE id = ?1", kTeamColumns);
  return query_row(connection_, sql, read_team, id);
}

Result<void> SqliteTx::update_team(const TeamRecord& team) {
  return execute_one(connection_,
                     "UPDATE teams SET name = ?2, personal = ?3, created_at = ?4 WHERE id = ?1",
                     team.id, team.name, team.personal, team.created_at);
}

Result<void> SqliteTx::delete_team(std::string_view id) {
  // Memberships, API keys and invitations go with it (ON DELETE CASCADE).
  return execute_one(connection_, "DELETE FROM teams WHERE id = ?1", id);
}

Result<Page<TeamRecord>> SqliteTx::list_teams(std::string_view q, std::int64_t page,
                                              std::int64_t per_page) {
  static const std::string list_sql = fmt::format(
      "SELECT {} FROM teams WHERE name LIKE ?1 ESCAPE '\\' ORDER BY created_at, id "
      "LIMIT ?2 OFFSET ?3",
      kTeamColumns);
  return search_page(connection_, "SELECT count(*) FROM teams WHERE name LIKE ?1 ESCAPE '\\'",
                     list_sql, read_team, q, page, per_page);
}

Result<std::vector<TeamMembershipRow>> SqliteTx::list_user_teams(std::string_view user_id) {
  return query_rows(connection_,
                    "SELECT t.id, t.name, t.personal, t.created_at, m.role FROM memberships m "
                    "JOIN teams t ON t.id = m.team_id WHERE m.user_id = ?1 "
                    "ORDER BY t.created_at, t.id",
                    read_user_team, user_id);
}

Result<void> SqliteTx::put_membership(const MembershipRecord& membership) {
  const auto role = team_role_name(membership.role);
  if (!role) {
    return fail(role.error());
  }
  // An existing membership keeps its created_at: only the role changes.
  return run_sql(connection_,
                 "INSERT INTO memberships (team_id, user_id, role, created_at) "
                 "VALUES (?1, ?2, ?3, ?4) "
                 "ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role",
                 membership.team_id, membership.user_id, *role, membership.created_at);
}

Result<std::optional<MembershipRecord>> SqliteTx::get_membership(std::string_view team_id,
                                                                 std::string_view user_id) {
  return query_row(connection_,
                   "SELECT team_id, user_id, role, created_at FROM memberships "
                   "WHERE team_id = ?1 AND user_id = ?2",
                   read_membership, team_id, user_id);
}

Result<void> SqliteTx::delete_membership(std::string_view team_id, std::string_view user_id) {
  return execute_one(connection_, "DELETE FROM memberships WHERE team_id = ?1 AND user_id = ?2",
                     team_id, user_id);
}

Result<std::vector<MemberRow>> SqliteTx::list_members(std::string_view team_id) {
  return query_rows(connection_,
                    "SELECT m.team_id, m.user_id, m.role, m.created_at, u.email, u.display_name "
                    "FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.team_id = ?1 "
                    "ORDER BY m.created_at, u.created_at, u.id",
                    read_member, team_id);
}

}  // namespace berth
