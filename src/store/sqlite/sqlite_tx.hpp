#pragma once
/// The SQLite implementation of Tx, run on the connection of the transaction that SqliteStore
/// opened. Internal to berth_store_sqlite. Its statements live by subject in sqlite_tx.cpp
/// (settings, audit), sqlite_tx_identity.cpp (users, teams, memberships), sqlite_tx_access.cpp
/// (sessions, refresh tokens, recovery codes) and sqlite_tx_keys.cpp (API keys, invitations).
///
/// Beyond store.hpp: a unique or foreign-key violation is `conflict`; update_*, delete_*,
/// touch_*, revoke_session, revoke_api_key and mark_refresh_token_used of a missing id are
/// `not_found`; revoking something already revoked keeps the first time; a role other than
/// viewer..owner on a membership, API key or invitation, an unknown audit outcome, page < 1
/// or per_page outside 1..kMaxPerPage are `invalid`. Text search (`q`) is a case-insensitive
/// (ASCII) substring match; LIKE wildcards in it match themselves.

#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_query.hpp"
#include "store/store.hpp"

namespace berth {

class SqliteTx final : public Tx {
 public:
  /// `connection` must have a transaction open for as long as this object is used.
  explicit SqliteTx(SqliteConnection& connection) : connection_(connection) {}

  static constexpr std::int64_t kMaxAuditPerPage = kMaxPerPage;

  Result<std::optional<std::string>> get_setting(std::string_view key) override;
  Result<void> put_setting(std::string_view key, std::string_view value, TimePoint at) override;
  Result<std::map<std::string, std::string>> list_settings() override;

  Result<void> append_audit(const AuditEntry& entry) override;
  Result<Page<AuditEntry>> list_audit(const AuditQuery& query) override;

  Result<void> create_user(const UserRecord& user) override;
  Result<std::optional<UserRecord>> get_user(std::string_view id) override;
  Result<std::optional<UserRecord>> find_user_by_email(std::string_view email) override;
  Result<void> update_user(const UserRecord& user) override;
  Result<std::int64_t> count_users() override;
  Result<Page<UserRecord>> list_users(std::string_view q, std::int64_t page,
                                      std::int64_t per_page) override;

  Result<void> create_team(const TeamRecord& team) override;
  Result<std::optional<TeamRecord>> get_team(std::string_view id) override;
  Result<void> update_team(const TeamRecord& team) override;
  /// Also `conflict` while the team is some user's personal team.
  Result<void> delete_team(std::string_view id) override;
  Result<Page<TeamRecord>> list_teams(std::string_view q, std::int64_t page,
                                      std::int64_t per_page) override;
  Result<std::vector<TeamMembershipRow>> list_user_teams(std::string_view user_id) override;

  /// `conflict` when the team or the user does not exist.
  Result<void> put_membership(const MembershipRecord& membership) override;
  Result<std::optional<MembershipRecord>> get_membership(std::string_view team_id,
                                                         std::string_view user_id) override;
  Result<void> delete_membership(std::string_view team_id, std::string_view user_id) override;
  /// Ordered by membership creation.
  Result<std::vector<MemberRow>> list_members(std::string_view team_id) override;

  Result<void> create_session(const SessionRecord& session) override;
  Result<std::optional<SessionRecord>> find_session_by_token_hash(std::string_view hash) override;
  Result<void> touch_session(std::string_view id, TimePoint last_seen_at) override;
  Result<void> revoke_session(std::string_view id, TimePoint at) override;
  Result<void> revoke_user_sessions(std::string_view user_id, std::string_view keep_id,
                                    TimePoint at) override;
  Result<void> revoke_chain_sessions(std::string_view chain_id, TimePoint at) override;
  Result<std::vector<SessionRecord>> list_user_sessions(std::string_view user_id, SessionKind kind,
                                                        TimePoint now) override;

  Result<void> create_refresh_token(const RefreshTokenRecord& token) override;
  Result<std::optional<RefreshTokenRecord>> find_refresh_token_by_hash(
      std::string_view hash) override;
  Result<void> mark_refresh_token_used(std::string_view id, TimePoint at) override;
  Result<void> revoke_refresh_chain(std::string_view chain_id, TimePoint at) override;
  Result<void> revoke_user_refresh_tokens(std::string_view user_id, TimePoint at) override;

  Result<void> create_api_key(const ApiKeyRecord& key) override;
  Result<std::optional<ApiKeyRecord>> find_api_key_by_hash(std::string_view hash) override;
  Result<std::optional<ApiKeyRecord>> get_api_key(std::string_view team_id,
                                                  std::string_view id) override;
  Result<std::vector<ApiKeyRecord>> list_api_keys(std::string_view team_id) override;
  Result<void> revoke_api_key(std::string_view id, TimePoint at) override;
  Result<void> touch_api_key(std::string_view id, TimePoint last_used_at) override;

  Result<void> create_invitation(const InvitationRecord& invitation) override;
  Result<std::optional<InvitationRecord>> find_invitation_by_hash(std::string_view hash) override;
  Result<std::optional<InvitationRecord>> get_invitation(std::string_view team_id,
                                                         std::string_view id) override;
  Result<std::vector<InvitationRecord>> list_pending_invitations(std::string_view team_id,
                                                                 TimePoint now) override;
  Result<void> update_invitation(const InvitationRecord& invitation) override;

  /// `conflict` when the user does not exist.
  Result<void> replace_recovery_codes(std::string_view user_id,
                                      const std::vector<std::string>& code_hashes) override;
  Result<bool> use_recovery_code(std::string_view user_id, std::string_view code_hash,
                                 TimePoint at) override;
  Result<std::int64_t> count_unused_recovery_codes(std::string_view user_id) override;

 private:
  SqliteConnection& connection_;
};

}  // namespace berth
