// SqliteTx: API keys and invitations, the team-owned credentials.
#include <fmt/format.h>

#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kApiKeyColumns =
    "id, team_id, name, role, token_hash, preview, created_by, created_at, expires_at, "
    "last_used_at, revoked_at";

constexpr std::string_view kInvitationColumns =
    "id, team_id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at, "
    "accepted_by, revoked_at";

Result<ApiKeyRecord> read_api_key(const SqliteStatement& row) {
  RowReader read(row, "api_keys");
  ApiKeyRecord key;
  key.id = read.text(0);
  key.team_id = read.text(1);
  key.name = read.text(2);
  key.role = read.role(3);
  key.token_hash = read.text(4);
  key.preview = read.text(5);
  key.created_by = read.text(6);
  key.created_at = read.time(7);
  key.expires_at = read.optional_time(8);
  key.last_used_at = read.optional_time(9);
  key.revoked_at = read.optional_time(10);
  return read.finish(std::move(key));
}

Result<InvitationRecord> read_invitation(const SqliteStatement& row) {
  RowReader read(row, "invitations");
  InvitationRecord invitation;
  invitation.id = read.text(0);
  invitation.team_id = read.text(1);
  invitation.email = read.text(2);
  invitation.role = read.role(3);
  invitation.token_hash = read.text(4);
  invitation.invited_by = read.text(5);
  invitation.created_at = read.time(6);
  invitation.expires_at = read.time(7);
  invitation.accepted_at = read.optional_time(8);
  invitation.accepted_by = read.text(9);
  invitation.revoked_at = read.optional_time(10);
  return read.finish(std::move(invitation));
}

}  // namespace

Result<void> SqliteTx::create_api_key(const ApiKeyRecord& key) {
  const auto role = team_role_name(key.role);
  if (!role) {
    return fail(role.error());
  }
  static const std::string sql =
      fmt::format("INSERT INTO api_keys ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                  kApiKeyColumns);
  return run_sql(connection_, sql, key.id, key.team_id, key.name, *role, key.token_hash,
                 key.preview, key.created_by, key.created_at, key.expires_at, key.last_used_at,
                 key.revoked_at);
}

Result<std::optional<ApiKeyRecord>> SqliteTx::find_api_key_by_hash(std::string_view hash) {
  static const std::string sql =
      fmt::format("SELECT {} FROM api_keys WHERE token_hash = ?1", kApiKeyColumns);
  return query_row(connection_, sql, read_api_key, hash);
}

Result<std::optional<ApiKeyRecord>> SqliteTx::get_api_key(std::string_view team_id,
                                                          std::string_view id) {
  // Scoped to the team: another team's key id reads as absent.
  static const std::string sql =
      fmt::format("SELECT {} FROM api_keys WHERE id = ?2 AND team_id = ?1", kApiKeyColumns);
  return query_row(connection_, sql, read_api_key, team_id, id);
}

Result<std::vector<ApiKeyRecord>> SqliteTx::list_api_keys(std::string_view team_id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM api_keys WHERE team_id = ?1 AND revoked_at IS NULL "
      "ORDER BY created_at DESC, id DESC",
      kApiKeyColumns);
  return query_rows(connection_, sql, read_api_key, team_id);
}

Result<void> SqliteTx::revoke_api_key(std::string_view id, TimePoint at) {
  return execute_one(connection_,
                     "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1", id,
                     at);
}

Result<void> SqliteTx::touch_api_key(std::string_view id, TimePoint last_used_at) {
  return execute_one(connection_, "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1", id,
                     last_used_at);
}

Result<void> SqliteTx::create_invitation(const InvitationRecord& invitation) {
  const auto role = team_role_name(invitation.role);
  if (!role) {
    return fail(role.error());
  }
  static const std::string sql = fmt::format(
      "INSERT INTO invitations ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
      kInvitationColumns);
  return run_sql(connection_, sql, invitation.id, invitation.team_id, invitation.email, *role,
                 invitation.token_hash, invitation.invited_by, invitation.created_at,
                 invitation.expires_at, invitation.accepted_at, invitation.accepted_by,
                 invitation.revoked_at);
}

Result<std::optional<InvitationRecord>> SqliteTx::find_invitation_by_hash(std::string_view hash) {
  static const std::string sql =
      fmt::format("SELECT {} FROM invitations WHERE token_hash = ?1", kInvitationColumns);
  return query_row(connection_, sql, read_invitation, hash);
}

Result<std::optional<InvitationRecord>> SqliteTx::get_invitation(std::string_view team_id,
                                                                 std::string_view id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM invitations WHERE id = ?2 AND team_id = ?1", kInvitationColumns);
  return query_row(connection_, sql, read_invitation, team_id, id);
}

Result<std::vector<InvitationRecord>> SqliteTx::list_pending_invitations(std::string_view team_id,
                                                                         TimePoint now) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM invitations WHERE team_id = ?1 AND accepted_at IS NULL "
      "AND revoked_at IS NULL AND expires_at > ?2 ORDER BY created_at DESC, id DESC",
      kInvitationColumns);
  return query_rows(connection_, sql, read_invitation, team_id, now);
}

Result<void> SqliteTx::update_invitation(const InvitationRecord& invitation) {
  const auto role = team_role_name(invitation.role);
  if (!role) {
    return fail(role.error());
  }
  return execute_one(connection_,
                     "UPDATE invitations SET team_id = ?2, email = ?3, role = ?4, "
                     "token_hash = ?5, invited_by = ?6, created_at = ?7, expires_at = ?8, "
                     "accepted_at = ?9, accepted_by = ?10, revoked_at = ?11 WHERE id = ?1",
                     invitation.id, invitation.team_id, invitation.email, *role,
                     invitation.token_hash, invitation.invited_by, invitation.created_at,
                     invitation.expires_at, invitation.accepted_at, invitation.accepted_by,
                     invitation.revoked_at);
}

}  // namespace berth
