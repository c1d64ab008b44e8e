#include "domain/identity/accounts.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "domain/kernel/audit.hpp"

namespace berth {

namespace {

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

}  // namespace

Result<std::string> normalize_email(std::string_view email, std::string_view field) {
  while (!email.empty() && email.front() == ' ') {
    email.remove_prefix(1);
  }
  while (!email.empty() && email.back() == ' ') {
    email.remove_suffix(1);
  }
  const auto at = email.find('@');
  const bool plausible = email.size() >= 3 && email.size() <= 254 && at != std::string_view::npos &&
                         at > 0 && at + 1 < email.size() &&
                         email.find('@', at + 1) == std::string_view::npos &&
                         email.find(' ') == std::string_view::npos && !has_control(email);
  if (!plausible) {
    return fail(Error::validation(std::string(field), "a valid email address is required"));
  }
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<void> check_password(std::string_view password, std::string_view field) {
  const std::size_t length = code_points(password);
  if (length < 12 || length > 128) {
    return fail(Error::validation(std::string(field), "passwords must be 12-128 characters"));
  }
  return {};
}

Result<void> check_display_name(std::string_view name, std::string_view field) {
  const std::size_t length = code_points(name);
  if (length < 1 || length > 100 || has_control(name)) {
    return fail(Error::validation(std::string(field),
                                  "names must be 1-100 characters without control characters"));
  }
  return {};
}

Result<UserRecord> create_account(IdentityContext& ctx, Tx& tx, const NewAccount& account) {
  const TimePoint now = ctx.clock().now();
  if (auto existing = tx.find_user_by_email(account.email); !existing) {
    return fail(std::move(existing.error()));
  } else if (*existing) {
    return fail(Error::conflict("an account with this email exists"));
  }
  TeamRecord team{.id = ctx.ids().next("team"),
                  .name = account.display_name + "'s team",
                  .personal = true,
                  .created_at = now};
  std::optional<TeamRecord> adopted;
  if (!account.adopt_team_id.empty()) {
    auto found = tx.get_team(account.adopt_team_id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (*found) {
      adopted = **found;
      team.id = adopted->id;
      team.created_at = adopted->created_at;
    }
  }
  UserRecord user{.id = ctx.ids().next("usr"),
                  .email = account.email,
                  .display_name = account.display_name,
                  .password_hash = account.password_hash,
                  .is_instance_admin = account.is_instance_admin,
                  .is_active = true,
                  .personal_team_id = team.id,
                  .created_at = now,
                  .updated_at = now};
  if (auto done = adopted ? tx.update_team(team) : tx.create_team(team); !done) {
    return fail(std::move(done.error()));
  }
  if (auto done = tx.create_user(user); !done) {
    return fail(std::move(done.error()));
  }
  if (auto done = tx.put_membership(
          {.team_id = team.id, .user_id = user.id, .role = Role::owner, .created_at = now});
      !done) {
    return fail(std::move(done.error()));
  }
  return user;
}

namespace {
constexpr std::string_view kFirstTeamSetting = "identity.first_team_id";
}  // namespace

Result<std::string> team_awaiting_first_admin(Tx& tx) {
  auto id = tx.get_setting(kFirstTeamSetting);
  if (!id) {
    return fail(std::move(id.error()));
  }
  if (!*id) {
    return std::string();
  }
  auto team = tx.get_team(**id);
  if (!team) {
    return fail(std::move(team.error()));
  }
  auto members = tx.list_members(**id);
  if (!members) {
    return fail(std::move(members.error()));
  }
  return *team && members->empty() ? **id : std::string();
}

Result<std::string> local_agent_team(IdentityContext& ctx, Tx& tx) {
  auto users = tx.list_users("", 1, 1);
  if (!users) {
    return fail(std::move(users.error()));
  }
  if (!users->items.empty()) {
    return users->items.front().personal_team_id;
  }
  auto waiting = team_awaiting_first_admin(tx);
  if (!waiting || !waiting->empty()) {
    return waiting;
  }
  const TimePoint now = ctx.clock().now();
  // Named for what it is until setup renames it after the administrator.
  const TeamRecord team{
      .id = ctx.ids().next("team"), .name = "First team", .personal = true, .created_at = now};
  if (auto done = tx.create_team(team); !done) {
    return fail(std::move(done.error()));
  }
  if (auto done = tx.put_setting(kFirstTeamSetting, team.id, now); !done) {
    return fail(std::move(done.error()));
  }
  return team.id;
}

Result<void> store_password(Tx& tx, std::string_view user_id, const std::string& hash,
                            TimePoint now, std::string_view keep_id) {
  auto user = require_user(tx, user_id);
  if (!user) {
    return fail(std::move(user.error()));
  }
  user->password_hash = hash;
  user->updated_at = now;
  if (auto saved = tx.update_user(*user); !saved) {
    return saved;
  }
  if (auto revoked = tx.revoke_user_refresh_tokens(user_id, now); !revoked) {
    return revoked;
  }
  if (auto revoked = tx.revoke_user_password_resets(user_id, now); !revoked) {
    return revoked;
  }
  return tx.revoke_user_sessions(user_id, keep_id, now);
}

Error invalid_credentials() {
  Error error = Error::invalid("invalid email or password");
  error.kind = ErrorKind::unauthenticated;
  error.code = "invalid_credentials";
  return error;
}

Error account_locked_error(TimePoint until, TimePoint now) {
  const auto wait = std::chrono::ceil<std::chrono::seconds>(until - now).count();
  return Error{.kind = ErrorKind::rate_limited,
               .code = "account_locked",
               .message = "too many failed sign-ins; try again later",
               .details = {{"retry_after_seconds", std::max<std::int64_t>(wait, 1)}},
               .internal_detail = {}};
}

Result<void> check_not_locked(IdentityContext& ctx, std::string_view account,
                              std::string_view client) {
  const TimePoint now = ctx.clock().now();
  if (const auto until = ctx.lockouts.locked_until(account, client, now)) {
    return fail(account_locked_error(*until, now));
  }
  return {};
}

Result<void> record_sign_in_failure(IdentityContext& ctx, std::string_view user_id,
                                    const Actor& actor, std::string_view reason) {
  nlohmann::json details = {{"reason", reason}};
  if (ctx.lockouts.record_failure(user_id, actor.source_address, ctx.clock().now(),
                                  ctx.policy.lockout)) {
    details["locked"] = true;
  }
  return ctx.store().write([&](Tx& tx) -> Result<void> {
    return tx.append_audit(
        make_audit(ctx, actor, "auth.login", std::string(user_id), {}, details, "failure"));
  });
}

void record_sign_in_success(IdentityContext& ctx, std::string_view user_id,
                            std::string_view client) {
  ctx.lockouts.record_success(user_id, client, ctx.clock().now());
}

Result<UserRecord> require_user(Tx& tx, std::string_view user_id) {
  auto user = tx.get_user(user_id);
  if (!user) {
    return fail(std::move(user.error()));
  }
  if (!*user) {
    return fail(Error::not_found("no such user"));
  }
  return std::move(**user);
}

}  // namespace berth
