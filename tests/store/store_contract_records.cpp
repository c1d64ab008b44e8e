#include "store/store_contract_records.hpp"

#include <fmt/format.h>

#include "core/time_format.hpp"

namespace berth {

namespace {

std::string kind_text(SessionKind kind) {
  return kind == SessionKind::browser ? "browser" : "access_token";
}

}  // namespace

std::string user_id(int n) { return fmt::format("usr_{:04}", n); }
std::string team_id(int n) { return fmt::format("team_{:04}", n); }

UserRecord test_user(int n) {
  UserRecord user{.id = user_id(n),
                  .email = fmt::format("user{}@example.com", n),
                  .display_name = fmt::format("User {}", n),
                  .password_hash = fmt::format("$argon2id$v=19$m=65536,t=2,p=1$salt{}$hash", n),
                  .personal_team_id = ""};
  user.created_at = test_time(n);
  user.updated_at = test_time(n);
  return user;
}

TeamRecord test_team(int n) {
  return TeamRecord{
      .id = team_id(n), .name = fmt::format("Team {}", n), .created_at = test_time(n)};
}

MembershipRecord test_membership(int team, int user, Role role) {
  return MembershipRecord{.team_id = team_id(team),
                          .user_id = user_id(user),
                          .role = role,
                          .created_at = test_time(user)};
}

SessionRecord test_session(int n, int user, SessionKind kind) {
  SessionRecord session{.id = fmt::format("ses_{:04}", n),
                        .token_hash = fmt::format("session-hash-{}", n),
                        .user_id = user_id(user)};
  session.kind = kind;
  if (kind == SessionKind::browser) {
    session.csrf_hash = fmt::format("csrf-hash-{}", n);
  } else {
    session.refresh_chain_id = "chain-a";
  }
  session.created_at = test_time(n);
  session.last_seen_at = test_time(n);
  session.expires_at = test_time(n + 3600);
  session.user_agent = fmt::format("agent/{}", n);
  session.source_address = fmt::format("192.0.2.{}", n % 250);
  return session;
}

RefreshTokenRecord test_refresh_token(int n, int user, std::string chain) {
  RefreshTokenRecord token{.id = fmt::format("rtk_{:04}", n),
                           .token_hash = fmt::format("refresh-hash-{}", n),
                           .user_id = user_id(user),
                           .chain_id = std::move(chain)};
  token.created_at = test_time(n);
  token.expires_at = test_time(n + 86400);
  return token;
}

ApiKeyRecord test_api_key(int n, int team, Role role) {
  ApiKeyRecord key{.id = fmt::format("key_{:04}", n),
                   .team_id = team_id(team),
                   .name = fmt::format("key {}", n),
                   .role = role,
                   .token_hash = fmt::format("key-hash-{}", n),
                   .preview = fmt::format("{:08}", n),
                   .created_by = user_id(1)};
  key.created_at = test_time(n);
  return key;
}

InvitationRecord test_invitation(int n, int team, std::string email) {
  InvitationRecord invitation{.id = fmt::format("inv_{:04}", n),
                              .team_id = team_id(team),
                              .email = std::move(email),
                              .role = Role::member,
                              .token_hash = fmt::format("invite-hash-{}", n),
                              .invited_by = user_id(1)};
  invitation.created_at = test_time(n);
  invitation.expires_at = test_time(n + 3600);
  return invitation;
}

Result<void> seed(Store& store, const Seed& records) {
  return store.write([&](Tx& tx) {
    auto done = create_each(records.teams, &Tx::create_team, tx);
    if (done) {
      done = create_each(records.users, &Tx::create_user, tx);
    }
    if (done) {
      done = create_each(records.memberships, &Tx::put_membership, tx);
    }
    if (done) {
      done = create_each(records.sessions, &Tx::create_session, tx);
    }
    if (done) {
      done = create_each(records.refresh_tokens, &Tx::create_refresh_token, tx);
    }
    if (done) {
      done = create_each(records.api_keys, &Tx::create_api_key, tx);
    }
    if (done) {
      done = create_each(records.invitations, &Tx::create_invitation, tx);
    }
    return done;
  });
}

std::string to_text(const UserRecord& user) {
  return fmt::format(
      "user {} email={} name={} password={} admin={} active={} personal_team={} totp_secret={} "
      "totp_enabled={} totp_step={} failed_logins={} locked_until={} created={} updated={}",
      user.id, user.email, user.display_name, user.password_hash, user.is_instance_admin,
      user.is_active, user.personal_team_id, user.totp_secret_enc, user.totp_enabled,
      user.totp_last_step, user.failed_logins, time_text(user.locked_until),
      time_text(user.created_at), time_text(user.updated_at));
}

std::string to_text(const TeamRecord& team) {
  return fmt::format("team {} name={} personal={} created={}", team.id, team.name, team.personal,
                     time_text(team.created_at));
}

std::string to_text(const MembershipRecord& membership) {
  return fmt::format("membership {}/{} role={} created={}", membership.team_id, membership.user_id,
                     role_name(membership.role), time_text(membership.created_at));
}

std::string to_text(const MemberRow& member) {
  return fmt::format("{} email={} name={}", to_text(member.membership), member.email,
                     member.display_name);
}

std::string to_text(const TeamMembershipRow& row) {
  return fmt::format("{} as {}", to_text(row.team), role_name(row.role));
}

std::string to_text(const SessionRecord& session) {
  return fmt::format(
      "session {} hash={} csrf={} user={} kind={} chain={} created={} seen={} expires={} "
      "agent={} address={} revoked={}",
      session.id, session.token_hash, session.csrf_hash, session.user_id, kind_text(session.kind),
      session.refresh_chain_id, time_text(session.created_at), time_text(session.last_seen_at),
      time_text(session.expires_at), session.user_agent, session.source_address,
      time_text(session.revoked_at));
}

std::string to_text(const RefreshTokenRecord& token) {
  return fmt::format("refresh {} hash={} user={} chain={} created={} expires={} used={} revoked={}",
                     token.id, token.token_hash, token.user_id, token.chain_id,
                     time_text(token.created_at), time_text(token.expires_at),
                     time_text(token.used_at), time_text(token.revoked_at));
}

std::string to_text(const ApiKeyRecord& key) {
  return fmt::format(
      "key {} team={} name={} role={} hash={} preview={} by={} created={} expires={} used={} "
      "revoked={}",
      key.id, key.team_id, key.name, role_name(key.role), key.token_hash, key.preview,
      key.created_by, time_text(key.created_at), time_text(key.expires_at),
      time_text(key.last_used_at), time_text(key.revoked_at));
}

std::string to_text(const InvitationRecord& invitation) {
  return fmt::format(
      "invitation {} team={} email={} role={} hash={} by={} created={} expires={} accepted={} "
      "accepted_by={} revoked={}",
      invitation.id, invitation.team_id, invitation.email, role_name(invitation.role),
      invitation.token_hash, invitation.invited_by, time_text(invitation.created_at),
      time_text(invitation.expires_at), time_text(invitation.accepted_at), invitation.accepted_by,
      time_text(invitation.revoked_at));
}

}  // namespace berth
