// SqliteTx: sessions and access tokens, refresh tokens, TOTP recovery codes, password resets.
#include <fmt/format.h>

#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kSessionColumns =
    "id, token_hash, csrf_hash, user_id, kind, refresh_chain_id, created_at, last_seen_at, "
    "expires_at, user_agent, source_address, revoked_at";

constexpr std::string_view kRefreshTokenColumns =
    "id, token_hash, user_id, chain_id, created_at, expires_at, used_at, revoked_at";

std::string_view kind_name(SessionKind kind) {
  return kind == SessionKind::access_token ? "access_token" : "browser";
}

Result<SessionRecord> read_session(const SqliteStatement& row) {
  RowReader read(row, "sessions");
  SessionRecord session;
  session.id = read.text(0);
  session.token_hash = read.text(1);
  session.csrf_hash = read.text(2);
  session.user_id = read.text(3);
  const std::string kind = read.text(4);
  if (kind == "browser") {
    session.kind = SessionKind::browser;
  } else if (kind == "access_token") {
    session.kind = SessionKind::access_token;
  } else {
    read.malformed(4);
  }
  session.refresh_chain_id = read.text(5);  // NULL reads as ""
  session.created_at = read.time(6);
  session.last_seen_at = read.time(7);
  session.expires_at = read.time(8);
  session.user_agent = read.text(9);
  session.source_address = read.text(10);
  session.revoked_at = read.optional_time(11);
  return read.finish(std::move(session));
}

Result<RefreshTokenRecord> read_refresh_token(const SqliteStatement& row) {
  RowReader read(row, "refresh_tokens");
  RefreshTokenRecord token;
  token.id = read.text(0);
  token.token_hash = read.text(1);
  token.user_id = read.text(2);
  token.chain_id = read.text(3);
  token.created_at = read.time(4);
  token.expires_at = read.time(5);
  token.used_at = read.optional_time(6);
  token.revoked_at = read.optional_time(7);
  return read.finish(std::move(token));
}

constexpr std::string_view kPasswordResetColumns =
    "id, token_hash, user_id, issued_by, created_at, expires_at, used_at, revoked_at";

Result<PasswordResetRecord> read_password_reset(const SqliteStatement& row) {
  RowReader read(row, "password_resets");
  PasswordResetRecord reset;
  reset.id = read.text(0);
  reset.token_hash = read.text(1);
  reset.user_id = read.text(2);
  reset.issued_by = read.text(3);
  reset.created_at = read.time(4);
  reset.expires_at = read.time(5);
  reset.used_at = read.optional_time(6);
  reset.revoked_at = read.optional_time(7);
  return read.finish(std::move(reset));
}

}  // namespace

Result<void> SqliteTx::create_session(const SessionRecord& session) {
  static const std::string sql = fmt::format(
      "INSERT INTO sessions ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
      kSessionColumns);
  return run_sql(connection_, sql, session.id, session.token_hash, session.csrf_hash,
                 session.user_id, kind_name(session.kind), NullIfEmpty{session.refresh_chain_id},
                 session.created_at, session.last_seen_at, session.expires_at, session.user_agent,
                 session.source_address, session.revoked_at);
}

Result<std::optional<SessionRecord>> SqliteTx::find_session_by_token_hash(std::string_view hash) {
  static const std::string sql =
      fmt::format("SELECT {} FROM sessions WHERE token_hash = ?1", kSessionColumns);
  return query_row(connection_, sql, read_session, hash);
}

Result<void> SqliteTx::touch_session(std::string_view id, TimePoint last_seen_at) {
  return execute_one(connection_, "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1", id,
                     last_seen_at);
}

Result<void> SqliteTx::revoke_session(std::string_view id, TimePoint at) {
  // coalesce keeps the first revocation time; the row still counts as matched.
  return execute_one(connection_,
                     "UPDATE sessions SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1", id,
                     at);
}

Result<void> SqliteTx::revoke_user_sessions(std::string_view user_id, std::string_view keep_id,
                                            TimePoint at) {
  // No session id is "", so keep_id "" keeps none.
  return run_sql(connection_,
                 "UPDATE sessions SET revoked_at = ?3 "
                 "WHERE user_id = ?1 AND id <> ?2 AND revoked_at IS NULL",
                 user_id, keep_id, at);
}

Result<void> SqliteTx::revoke_chain_sessions(std::string_view chain_id, TimePoint at) {
  // Browser sessions store no chain (NULL), so chain_id "" matches nothing.
  return run_sql(connection_,
                 "UPDATE sessions SET revoked_at = ?2 "
                 "WHERE refresh_chain_id = ?1 AND revoked_at IS NULL",
                 chain_id, at);
}

Result<std::vector<SessionRecord>> SqliteTx::list_user_sessions(std::string_view user_id,
                                                                SessionKind kind, TimePoint now) {
  // RFC 3339 text with fixed milliseconds sorts as time does, so > compares times.
  static const std::string sql = fmt::format(
      "SELECT {} FROM sessions WHERE user_id = ?1 AND kind = ?2 AND revoked_at IS NULL "
      "AND expires_at > ?3 ORDER BY created_at DESC, id DESC",
      kSessionColumns);
  return query_rows(connection_, sql, read_session, user_id, kind_name(kind), now);
}

Result<void> SqliteTx::create_refresh_token(const RefreshTokenRecord& token) {
  static const std::string sql =
      fmt::format("INSERT INTO refresh_tokens ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                  kRefreshTokenColumns);
  return run_sql(connection_, sql, token.id, token.token_hash, token.user_id, token.chain_id,
                 token.created_at, token.expires_at, token.used_at, token.revoked_at);
}

Result<std::optional<RefreshTokenRecord>> SqliteTx::find_refresh_token_by_hash(
    std::string_view hash) {
  static const std::string sql =
      fmt::format("SELECT {} FROM refresh_tokens WHERE token_hash = ?1", kRefreshTokenColumns);
  return query_row(connection_, sql, read_refresh_token, hash);
}

Result<void> SqliteTx::mark_refresh_token_used(std::string_view id, TimePoint at) {
  return execute_one(connection_,
                     "UPDATE refresh_tokens SET used_at = coalesce(used_at, ?2) WHERE id = ?1", id,
                     at);
}

Result<void> SqliteTx::revoke_refresh_chain(std::string_view chain_id, TimePoint at) {
  return run_sql(connection_,
                 "UPDATE refresh_tokens SET revoked_at = ?2 "
                 "WHERE chain_id = ?1 AND revoked_at IS NULL",
                 chain_id, at);
}

Result<void> SqliteTx::revoke_user_refresh_tokens(std::string_view user_id, TimePoint at) {
  return run_sql(connection_,
                 "UPDATE refresh_tokens SET revoked_at = ?2 "
                 "WHERE user_id = ?1 AND revoked_at IS NULL",
                 user_id, at);
}

Result<void> SqliteTx::replace_recovery_codes(std::string_view user_id,
                                              const std::vector<std::string>& code_hashes) {
  if (auto done = run_sql(connection_, "DELETE FROM recovery_codes WHERE user_id = ?1", user_id);
      !done) {
    return done;
  }
  for (const auto& hash : code_hashes) {
    if (auto done =
            run_sql(connection_, "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)",
                    user_id, hash);
        !done) {
      return done;
    }
  }
  return {};
}

Result<bool> SqliteTx::use_recovery_code(std::string_view user_id, std::string_view code_hash,
                                         TimePoint at) {
  // One row only, even if the same hash was stored twice: each code is good for one sign-in.
  auto changed = execute(connection_,
                         "UPDATE recovery_codes SET used_at = ?3 WHERE id = ("
                         "SELECT id FROM recovery_codes WHERE user_id = ?1 AND code_hash = ?2 "
                         "AND used_at IS NULL ORDER BY id LIMIT 1)",
                         user_id, code_hash, at);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed == 1;
}

Result<std::int64_t> SqliteTx::count_unused_recovery_codes(std::string_view user_id) {
  return query_integer(connection_,
                       "SELECT count(*) FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
                       user_id);
}

Result<void> SqliteTx::create_password_reset(const PasswordResetRecord& reset) {
  static const std::string sql =
      fmt::format("INSERT INTO password_resets ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                  kPasswordResetColumns);
  return run_sql(connection_, sql, reset.id, reset.token_hash, reset.user_id, reset.issued_by,
                 reset.created_at, reset.expires_at, reset.used_at, reset.revoked_at);
}

Result<std::optional<PasswordResetRecord>> SqliteTx::find_password_reset_by_hash(
    std::string_view hash) {
  static const std::string sql =
      fmt::format("SELECT {} FROM password_resets WHERE token_hash = ?1", kPasswordResetColumns);
  return query_row(connection_, sql, read_password_reset, hash);
}

Result<bool> SqliteTx::use_password_reset(std::string_view id, TimePoint at) {
  // Conditional, so the row count says whether this call was the one that used it.
  auto changed = execute(connection_,
                         "UPDATE password_resets SET used_at = ?2 "
                         "WHERE id = ?1 AND used_at IS NULL AND revoked_at IS NULL",
                         id, at);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed == 1;
}

Result<void> SqliteTx::revoke_user_password_resets(std::string_view user_id, TimePoint at) {
  return run_sql(connection_,
                 "UPDATE password_resets SET revoked_at = ?2 "
                 "WHERE user_id = ?1 AND used_at IS NULL AND revoked_at IS NULL",
                 user_id, at);
}

}  // namespace berth
