#include "domain/identity/sign_in_service.hpp"

#include <fmt/format.h>

#include "domain/identity/accounts.hpp"
#include "domain/identity/second_factor.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

Result<bool> SignInService::needs_setup() {
  auto count = read_value<std::int64_t>(ctx_.store(), [](Tx& tx) { return tx.count_users(); });
  if (!count) {
    return fail(std::move(count.error()));
  }
  return *count == 0;
}

Result<std::optional<std::string>> SignInService::prepare_setup() {
  auto needed = needs_setup();
  if (!needed) {
    return fail(std::move(needed.error()));
  }
  if (!*needed) {
    return std::optional<std::string>{};
  }
  std::string token = crypto::random_token(ctx_.random(), kTokenBytes);
  std::lock_guard lock(mutex_);
  setup_token_hash_ = token_hash(ctx_, token);
  return std::optional<std::string>(std::move(token));
}

Result<SignedIn> SignInService::setup(std::string_view setup_token, const Credentials& account,
                                      std::string_view display_name, const ClientInfo& client) {
  {
    std::lock_guard lock(mutex_);
    if (setup_token_hash_.empty() ||
        !crypto::constant_time_equal(token_hash(ctx_, setup_token), setup_token_hash_)) {
      auto needed = needs_setup();
      if (needed && !*needed) {
        return fail(Error::conflict("this instance is already set up"));
      }
      Error error = Error::invalid("the setup token is not valid");
      error.kind = ErrorKind::forbidden;
      error.code = "invalid_setup_token";
      return fail(std::move(error));
    }
  }
  auto email = normalize_email(account.email);
  if (!email) {
    return fail(std::move(email.error()));
  }
  if (auto ok = check_password(account.password); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ok = check_display_name(display_name); !ok) {
    return fail(std::move(ok.error()));
  }
  auto hash = crypto::hash_password(account.password);
  if (!hash) {
    return fail(std::move(hash.error()));
  }
  std::optional<SignedIn> signed_in;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    // Checked inside the write transaction: two racing setups cannot both pass.
    auto count = tx.count_users();
    if (!count) {
      return fail(std::move(count.error()));
    }
    if (*count > 0) {
      return fail(Error::conflict("this instance is already set up"));
    }
    // The team berthd made for its machine's agent before anyone existed becomes the
    // administrator's own, with that server in it.
    auto waiting_team = team_awaiting_first_admin(tx);
    if (!waiting_team) {
      return fail(std::move(waiting_team.error()));
    }
    auto user = create_account(ctx_, tx,
                               {.email = *email,
                                .password_hash = *hash,
                                .display_name = std::string(display_name),
                                .is_instance_admin = true,
                                .adopt_team_id = std::move(*waiting_team)});
    if (!user) {
      return fail(std::move(user.error()));
    }
    const Actor actor{.user_id = user->id,
                      .request_id = client.request_id,
                      .source_address = client.source_address};
    if (auto logged = tx.append_audit(
            make_audit(ctx_, actor, "instance.setup", user->id, user->personal_team_id));
        !logged) {
      return logged;
    }
    auto session = open_browser_session(tx, *user, client);
    if (!session) {
      return fail(std::move(session.error()));
    }
    signed_in = std::move(*session);
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  std::function<void()> completed;
  {
    std::lock_guard lock(mutex_);
    setup_token_hash_.clear();  // one-time
    completed = std::move(on_setup_complete_);
  }
  if (completed) {
    completed();
  }
  return std::move(*signed_in);
}

Result<UserRecord> SignInService::check_credentials(const Credentials& credentials,
                                                    const ClientInfo& client) {
  const TimePoint now = ctx_.clock().now();
  auto email = normalize_email(credentials.email);
  const std::string key = email ? *email : credentials.email;
  std::optional<UserRecord> user;
  if (email) {
    auto found = read_value<std::optional<UserRecord>>(
        ctx_.store(), [&](Tx& tx) { return tx.find_user_by_email(*email); });
    if (!found) {
      return fail(std::move(found.error()));
    }
    user = std::move(*found);
  }

  // Locked accounts and locked unknown emails answer alike, before any password work.
  const std::string account = user ? user->id : key;
  if (auto unlocked = check_not_locked(ctx_, account, client.source_address); !unlocked) {
    return fail(std::move(unlocked.error()));
  }

  // A wrong email costs the same Argon2id work as a wrong password.
  const bool password_ok = user ? crypto::verify_password(user->password_hash, credentials.password)
                                : (crypto::burn_password_verification(credentials.password), false);
  if (!password_ok) {
    if (auto recorded = record_failure(user, key, client, "password"); !recorded) {
      return fail(std::move(recorded.error()));
    }
    return fail(invalid_credentials());
  }
  if (!user->is_active) {
    return fail(Error{.kind = ErrorKind::forbidden,
                      .code = "account_disabled",
                      .message = "this account is deactivated",
                      .details = nlohmann::json::object(),
                      .internal_detail = {}});
  }
  if (user->totp_enabled && credentials.totp.empty()) {
    Error error = invalid_credentials();
    error.code = "totp_required";
    error.message = "a two-factor code is required";
    return fail(std::move(error));
  }

  // Success (and the second factor) recorded in one transaction, so a code cannot be
  // accepted twice by two racing sign-ins.
  bool second_factor_failed = false;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto fresh = require_user(tx, user->id);
    if (!fresh) {
      return fail(std::move(fresh.error()));
    }
    if (fresh->totp_enabled) {
      auto accepted = accept_second_factor(ctx_, tx, *fresh, credentials.totp);
      if (!accepted) {
        return fail(std::move(accepted.error()));
      }
      if (!*accepted) {
        second_factor_failed = true;
        return {};
      }
    }
    fresh->updated_at = now;
    if (auto saved = tx.update_user(*fresh); !saved) {
      return saved;
    }
    user = std::move(*fresh);
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  if (second_factor_failed) {
    if (auto recorded = record_failure(user, key, client, "totp"); !recorded) {
      return fail(std::move(recorded.error()));
    }
    Error error = invalid_credentials();
    error.code = "invalid_totp";
    error.message = "the two-factor code is not valid";
    return fail(std::move(error));
  }
  record_sign_in_success(ctx_, user->id, client.source_address);
  return std::move(*user);
}

Result<void> SignInService::record_failure(const std::optional<UserRecord>& user,
                                           const std::string& email, const ClientInfo& client,
                                           std::string_view reason) {
  if (!user) {
    ctx_.lockouts.record_failure(email, client.source_address, ctx_.clock().now(),
                                 ctx_.policy.lockout);
    return {};
  }
  const Actor actor{
      .user_id = {}, .request_id = client.request_id, .source_address = client.source_address};
  return record_sign_in_failure(ctx_, user->id, actor, reason);
}

Result<SignedIn> SignInService::open_browser_session(Tx& tx, const UserRecord& user,
                                                     const ClientInfo& client) {
  const TimePoint now = ctx_.clock().now();
  SignedIn out{.user = user,
               .memberships = {},
               .session = {},
               .session_token = crypto::random_token(ctx_.random(), kTokenBytes),
               .csrf_token = crypto::random_token(ctx_.random(), kTokenBytes)};
  out.session = SessionRecord{.id = ctx_.ids().next("ses"),
                              .token_hash = token_hash(ctx_, out.session_token),
                              .csrf_hash = token_hash(ctx_, out.csrf_token),
                              .user_id = user.id,
                              .kind = SessionKind::browser,
                              .created_at = now,
                              .last_seen_at = now,
                              .expires_at = now + ctx_.policy.session_absolute,
                              .user_agent = client.user_agent.substr(0, 256),
                              .source_address = client.source_address};
  if (auto created = tx.create_session(out.session); !created) {
    return fail(std::move(created.error()));
  }
  auto memberships = tx.list_user_teams(user.id);
  if (!memberships) {
    return fail(std::move(memberships.error()));
  }
  out.memberships = std::move(*memberships);
  return out;
}

Result<SignedIn> SignInService::login(const Credentials& credentials, const ClientInfo& client) {
  auto user = check_credentials(credentials, client);
  if (!user) {
    return fail(std::move(user.error()));
  }
  std::optional<SignedIn> signed_in;
  const Actor actor{.user_id = user->id,
                    .request_id = client.request_id,
                    .source_address = client.source_address};
  auto done = write_audited(ctx_.store(), make_audit(ctx_, actor, "auth.login", user->id),
                            [&](Tx& tx) -> Result<void> {
                              auto session = open_browser_session(tx, *user, client);
                              if (!session) {
                                return fail(std::move(session.error()));
                              }
                              signed_in = std::move(*session);
                              return {};
                            });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*signed_in);
}

Result<void> SignInService::logout(const Principal& who, const ClientInfo& client) {
  const Actor actor{.user_id = who.user_id,
                    .request_id = client.request_id,
                    .source_address = client.source_address};
  ChangeGuard changed(ctx_);
  return write_audited(ctx_.store(), make_audit(ctx_, actor, "auth.logout", who.credential_id),
                       [&](Tx& tx) -> Result<void> {
                         if (who.credential == CredentialKind::api_key) {
                           return {};  // keys are revoked through /api-keys, not by signing out
                         }
                         return tx.revoke_session(who.credential_id, ctx_.clock().now());
                       });
}

Result<void> SignInService::change_password(const Principal& who, std::string_view current,
                                            std::string_view next, const ClientInfo& client) {
  if (auto ok = check_password(next, "next"); !ok) {
    return ok;
  }
  auto user =
      read_value<UserRecord>(ctx_.store(), [&](Tx& tx) { return require_user(tx, who.user_id); });
  if (!user) {
    return fail(std::move(user.error()));
  }
  if (auto unlocked = check_not_locked(ctx_, user->id, client.source_address); !unlocked) {
    return unlocked;
  }
  if (!crypto::verify_password(user->password_hash, current)) {
    if (auto recorded = record_failure(*user, user->email, client, "password_change"); !recorded) {
      return recorded;
    }
    Error error = Error::validation("current", "the current password is not correct");
    return fail(std::move(error));
  }
  record_sign_in_success(ctx_, user->id, client.source_address);
  auto hash = crypto::hash_password(next);
  if (!hash) {
    return fail(std::move(hash.error()));
  }
  const Actor actor{.user_id = who.user_id,
                    .request_id = client.request_id,
                    .source_address = client.source_address};
  const TimePoint now = ctx_.clock().now();
  const std::string keep =
      who.credential == CredentialKind::api_key ? std::string{} : who.credential_id;
  ChangeGuard changed(ctx_);
  return write_audited(ctx_.store(), make_audit(ctx_, actor, "user.password_change", who.user_id),
                       [&](Tx& tx) { return store_password(tx, who.user_id, *hash, now, keep); });
}

Result<void> SignInService::reset_password_on_host(std::string_view email,
                                                   std::string_view password) {
  if (auto ok = check_password(password, "password"); !ok) {
    return ok;
  }
  auto normalized = normalize_email(email);
  if (!normalized) {
    return fail(std::move(normalized.error()));
  }
  auto user = read_value<std::optional<UserRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.find_user_by_email(*normalized); });
  if (!user) {
    return fail(std::move(user.error()));
  }
  if (!*user) {
    return fail(Error::not_found(fmt::format("no account has the email {}", *normalized)));
  }
  auto hash = crypto::hash_password(password);
  if (!hash) {
    return fail(std::move(hash.error()));
  }
  const std::string user_id = (**user).id;
  const Actor actor{.user_id = {}, .request_id = {}, .source_address = "host"};
  const TimePoint now = ctx_.clock().now();
  ChangeGuard changed(ctx_);
  return write_audited(ctx_.store(), make_audit(ctx_, actor, "user.password_reset", user_id),
                       [&](Tx& tx) { return store_password(tx, user_id, *hash, now, ""); });
}

Result<std::vector<SessionRecord>> SignInService::list_sessions(const Principal& who) {
  return read_value<std::vector<SessionRecord>>(ctx_.store(), [&](Tx& tx) {
    return tx.list_user_sessions(who.user_id, SessionKind::browser, ctx_.clock().now());
  });
}

Result<void> SignInService::revoke_session(const Principal& who, std::string_view session_id,
                                           const ClientInfo& client) {
  const Actor actor{.user_id = who.user_id,
                    .request_id = client.request_id,
                    .source_address = client.source_address};
  ChangeGuard changed(ctx_);
  return write_audited(
      ctx_.store(), make_audit(ctx_, actor, "session.revoke", std::string(session_id)),
      [&](Tx& tx) -> Result<void> {
        auto sessions =
            tx.list_user_sessions(who.user_id, SessionKind::browser, ctx_.clock().now());
        if (!sessions) {
          return fail(std::move(sessions.error()));
        }
        const bool mine = std::any_of(sessions->begin(), sessions->end(),
                                      [&](const SessionRecord& s) { return s.id == session_id; });
        if (!mine) {
          return fail(Error::not_found("no such session"));
        }
        return tx.revoke_session(session_id, ctx_.clock().now());
      });
}

Result<std::shared_ptr<const SignInService::Me>> SignInService::me(const Principal& who) {
  auto mine = cached_me(who);
  if (!mine || who.credential != CredentialKind::api_key) {
    return mine;
  }
  // A key sees only its own team: it cannot act anywhere else, and should not reveal where
  // else its creator belongs.
  return std::make_shared<const Me>((*mine)->first, visible_memberships(who, (*mine)->second));
}

Result<std::shared_ptr<const SignInService::Me>> SignInService::cached_me(const Principal& who) {
  // Every change that /me shows bumps the generation; the age bound is a second line of defence.
  constexpr auto kMaxAge = std::chrono::seconds(5);
  constexpr std::size_t kMaxCachedMe = 10000;
  const std::uint64_t generation = ctx_.generation.load(std::memory_order_acquire);
  const TimePoint now = ctx_.clock().now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = me_cache_.find(who.user_id); it != me_cache_.end() &&
                                               it->second.generation == generation &&
                                               now - it->second.loaded_at < kMaxAge) {
      return it->second.me;
    }
  }
  auto loaded = read_value<Me>(ctx_.store(), [&](Tx& tx) -> Result<Me> {
    auto user = require_user(tx, who.user_id);
    if (!user) {
      return fail(std::move(user.error()));
    }
    auto teams = tx.list_user_teams(who.user_id);
    if (!teams) {
      return fail(std::move(teams.error()));
    }
    return Me{std::move(*user), std::move(*teams)};
  });
  if (!loaded) {
    return fail(std::move(loaded.error()));
  }
  auto snapshot = std::make_shared<const Me>(std::move(*loaded));
  std::lock_guard lock(mutex_);
  if (me_cache_.size() >= kMaxCachedMe) {
    me_cache_.clear();
  }
  me_cache_[who.user_id] = CachedMe{.generation = generation, .loaded_at = now, .me = snapshot};
  return snapshot;
}

}  // namespace berth
