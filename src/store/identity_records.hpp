#pragma once
/// The rows of identity and access: users, teams, memberships, sessions (browser sessions and
/// programs' access tokens), refresh tokens, API keys, invitations, TOTP recovery codes,
/// password-reset tokens.
/// Tokens of every kind are stored only as hashes; the TOTP secret only encrypted.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/role.hpp"

namespace berth {

struct UserRecord {
  std::string id;     // "usr_…"
  std::string email;  // stored lower-case; unique
  std::string display_name;
  std::string password_hash;  // Argon2id, libsodium's encoded string
  bool is_instance_admin = false;
  bool is_active = true;
  std::string personal_team_id;
  std::string totp_secret_enc = {};  // encrypted with the master key; "" when not enrolled
  bool totp_enabled = false;         // confirmed: a code is required at sign-in
  std::int64_t totp_last_step = 0;   // highest time step accepted (refuses replays)
  std::int64_t failed_logins = 0;    // consecutive failures
  std::optional<TimePoint> locked_until = {};
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct TeamRecord {
  std::string id;  // "team_…"
  std::string name;
  bool personal = false;  // every user's own team; cannot be deleted or left by its owner
  TimePoint created_at{};
};

struct MembershipRecord {
  std::string team_id;
  std::string user_id;
  Role role = Role::viewer;  // viewer, member, admin or owner
  TimePoint created_at{};
};

/// A member as listed: the membership with the user's public fields.
struct MemberRow {
  MembershipRecord membership;
  std::string email;
  std::string display_name;
};

/// A team as one of a user's memberships.
struct TeamMembershipRow {
  TeamRecord team;
  Role role = Role::viewer;
};

enum class SessionKind { browser, access_token };

/// A browser session (cookie) or a program's short-lived access token.
struct SessionRecord {
  std::string id;              // "ses_…" — public, shown in /me/sessions
  std::string token_hash;      // keyed hash of the secret token; unique
  std::string csrf_hash = {};  // browser sessions: keyed hash of the CSRF token
  std::string user_id;
  SessionKind kind = SessionKind::browser;
  std::string refresh_chain_id = {};  // access tokens: the refresh chain that issued it
  TimePoint created_at{};
  TimePoint last_seen_at{};
  TimePoint expires_at{};  // absolute lifetime
  std::string user_agent = {};
  std::string source_address = {};
  std::optional<TimePoint> revoked_at = {};
};

struct RefreshTokenRecord {
  std::string id;          // "rtk_…"
  std::string token_hash;  // unique
  std::string user_id;
  std::string chain_id;  // shared by every token rotated from the same sign-in
  TimePoint created_at{};
  TimePoint expires_at{};
  std::optional<TimePoint> used_at = {};  // rotated: presenting it again revokes the chain
  std::optional<TimePoint> revoked_at = {};
};

struct ApiKeyRecord {
  std::string id;  // "key_…"
  std::string team_id;
  std::string name;
  Role role = Role::viewer;
  std::string token_hash;  // SHA-256 of the raw key; unique
  std::string preview;     // the raw key's last 8 characters
  std::string created_by;  // user id
  TimePoint created_at{};
  std::optional<TimePoint> expires_at = {};
  std::optional<TimePoint> last_used_at = {};
  std::optional<TimePoint> revoked_at = {};
};

struct InvitationRecord {
  std::string id;  // "inv_…"
  std::string team_id;
  std::string email;  // lower-case; only this account may accept
  Role role = Role::viewer;
  std::string token_hash;  // unique
  std::string invited_by;  // user id
  TimePoint created_at{};
  TimePoint expires_at{};
  std::optional<TimePoint> accepted_at = {};
  std::string accepted_by = {};
  std::optional<TimePoint> revoked_at = {};
};

/// A password-reset token: mailed to the account's address on request, or handed out by an
/// instance administrator as a link. Good once, until expires_at.
struct PasswordResetRecord {
  std::string id;          // "prt_…"
  std::string token_hash;  // keyed hash of the raw token; unique
  std::string user_id;
  std::string issued_by = {};  // the administrator's user id; "" when mailed on request
  TimePoint created_at{};
  TimePoint expires_at{};
  std::optional<TimePoint> used_at = {};
  std::optional<TimePoint> revoked_at = {};  // a newer token or a new password superseded it
};

}  // namespace berth
