#include "domain/identity/password_reset_service.hpp"

#include <fmt/format.h>

#include <optional>

#include "core/log.hpp"
#include "core/time_format.hpp"
#include "domain/identity/accounts.hpp"
#include "domain/identity/user_admin_service.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/notify/mailer.hpp"

namespace berth {

namespace {

// The log's scrubber knows this prefix, so a token in a logged URL is redacted.
constexpr std::string_view kResetTokenPrefix = "bpr_";

Error invalid_reset_token() {
  return Error{.kind = ErrorKind::invalid,
               .code = "invalid_token",
               .message = "this password reset link is not valid or has expired; ask for a new one",
               .details = nlohmann::json::object(),
               .internal_detail = {}};
}

Error mail_not_configured() {
  return Error{.kind = ErrorKind::unprocessable,
               .code = "mail_not_configured",
               .message =
                   "this instance cannot send mail; ask an instance administrator for a "
                   "password reset link",
               .details = nlohmann::json::object(),
               .internal_detail = {}};
}

std::string reset_url(std::string_view public_url, std::string_view token) {
  std::string_view base = public_url;
  while (!base.empty() && base.back() == '/') {
    base.remove_suffix(1);
  }
  return fmt::format("{}/reset-password?token={}", base, token);
}

// Looked up by its keyed hash; the compare of the stored hash is constant-time all the same.
bool usable(const std::optional<PasswordResetRecord>& reset, std::string_view hash, TimePoint now) {
  return reset && crypto::constant_time_equal(reset->token_hash, hash) && !reset->used_at &&
         !reset->revoked_at && reset->expires_at > now;
}

}  // namespace

PasswordResetService::PasswordResetService(IdentityContext& ctx)
    : ctx_(ctx), runner_([](std::function<void()> job) { job(); }) {
  if (const int per_hour = ctx.policy.password_reset_mails_per_hour; per_hour > 0) {
    per_address_ = std::make_unique<RateLimiter>(ctx.clock(), per_hour / 3600.0, per_hour);
  }
}

Result<void> PasswordResetService::request_by_email(std::string_view email,
                                                    const ClientInfo& client) {
  if (ctx_.services.mailer == nullptr) {
    return fail(mail_not_configured());
  }
  auto address = normalize_email(email);
  if (!address) {
    return fail(std::move(address.error()));
  }
  // Counted per address whether or not it has an account, so the answer says nothing either
  // way; over the limit the mailbox is simply left alone.
  if (per_address_ && per_address_->acquire(*address) > 0) {
    log::info("auth.password_reset_throttled", {{"request_id", client.request_id}});
    return {};
  }
  runner_([this, address = std::move(*address), client] { mail_link(address, client); });
  return {};
}

void PasswordResetService::mail_link(const std::string& email, const ClientInfo& client) {
  std::optional<IssuedResetLink> issued;
  std::optional<UserRecord> user;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.find_user_by_email(email);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found || !(*found)->is_active) {
      return {};  // nothing to send, and the requester was told the same
    }
    user = std::move(**found);
    auto opened = open_token(tx, *user, {}, ctx_.policy.password_reset_ttl);
    if (!opened) {
      return fail(std::move(opened.error()));
    }
    issued = std::move(*opened);
    const Actor actor{
        .user_id = {}, .request_id = client.request_id, .source_address = client.source_address};
    return tx.append_audit(make_audit(ctx_, actor, "user.password_reset_requested", user->id));
  });
  if (!done) {
    log::warn("auth.password_reset_failed",
              {{"request_id", client.request_id}, {"error", done.error().internal_detail}});
    return;
  }
  if (!issued) {
    return;
  }
  const Email mail{
      .to = user->email,
      .subject = "Reset your Berth password",
      .text = fmt::format(
          "Someone (hopefully you) asked to reset the password of your Berth account {}.\n\n"
          "Choose a new password here:\n{}\n\n"
          "The link works once and expires at {}. If you did not ask for it, ignore this "
          "message: your password stays as it is.\n",
          user->email, issued->url, format_rfc3339(issued->expires_at))};
  if (auto sent = ctx_.services.mailer->send(mail); !sent) {
    log::warn("auth.password_reset_mail_failed",
              {{"request_id", client.request_id},
               {"error", sent.error().internal_detail.empty() ? sent.error().message
                                                              : sent.error().internal_detail}});
  }
}

Result<IssuedResetLink> PasswordResetService::open_token(Tx& tx, const UserRecord& user,
                                                         std::string issued_by,
                                                         std::chrono::seconds ttl) {
  const TimePoint now = ctx_.clock().now();
  const std::string token =
      std::string(kResetTokenPrefix) + crypto::random_token(ctx_.random(), kTokenBytes);
  const PasswordResetRecord reset{.id = ctx_.ids().next("prt"),
                                  .token_hash = token_hash(ctx_, token),
                                  .user_id = user.id,
                                  .issued_by = std::move(issued_by),
                                  .created_at = now,
                                  .expires_at = now + ttl};
  // Only the newest link works: one forwarded or left in an old mail goes dead.
  if (auto revoked = tx.revoke_user_password_resets(user.id, now); !revoked) {
    return fail(std::move(revoked.error()));
  }
  if (auto created = tx.create_password_reset(reset); !created) {
    return fail(std::move(created.error()));
  }
  return IssuedResetLink{.url = reset_url(ctx_.services.public_url, token),
                         .expires_at = reset.expires_at};
}

Result<IssuedResetLink> PasswordResetService::issue_link(const Principal& who,
                                                         std::string_view user_id,
                                                         const ClientInfo& client) {
  std::optional<IssuedResetLink> issued;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto user = admin_target(tx, who, user_id);
    if (!user) {
      return fail(std::move(user.error()));
    }
    if (!user->is_active) {
      return fail(with_code(
          Error::conflict("this account is deactivated; activate it before resetting its password"),
          "account_disabled"));
    }
    auto opened = open_token(tx, *user, who.user_id, ctx_.policy.password_reset_link_ttl);
    if (!opened) {
      return fail(std::move(opened.error()));
    }
    issued = std::move(*opened);
    return tx.append_audit(make_audit(ctx_, actor_of(who, client),
                                      "user.password_reset_link_issued", user->id, {},
                                      {{"expires_at", format_rfc3339(issued->expires_at)}}));
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*issued);
}

Result<void> PasswordResetService::confirm(std::string_view token, std::string_view password,
                                           const ClientInfo& client) {
  if (auto ok = check_password(password); !ok) {
    return ok;
  }
  const std::string hash = token_hash(ctx_, token);
  // Checked before the Argon2id work, so junk tokens cost little; checked again below.
  auto found = read_value<std::optional<PasswordResetRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.find_password_reset_by_hash(hash); });
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!usable(*found, hash, ctx_.clock().now())) {
    return fail(invalid_reset_token());
  }
  auto password_hash = crypto::hash_password(password);
  if (!password_hash) {
    return fail(std::move(password_hash.error()));
  }
  std::string user_id;
  ChangeGuard changed(ctx_);
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    const TimePoint now = ctx_.clock().now();
    auto reset = tx.find_password_reset_by_hash(hash);
    if (!reset) {
      return fail(std::move(reset.error()));
    }
    if (!usable(*reset, hash, now)) {
      return fail(invalid_reset_token());
    }
    auto user = require_user(tx, (*reset)->user_id);
    if (!user) {
      return fail(std::move(user.error()));
    }
    if (!user->is_active) {
      return fail(invalid_reset_token());
    }
    auto used = tx.use_password_reset((*reset)->id, now);
    if (!used) {
      return fail(std::move(used.error()));
    }
    if (!*used) {
      return fail(invalid_reset_token());
    }
    user_id = user->id;
    if (auto stored = store_password(tx, user_id, *password_hash, now, ""); !stored) {
      return stored;
    }
    const Actor actor{.user_id = user_id,
                      .request_id = client.request_id,
                      .source_address = client.source_address};
    const bool by_admin = !(*reset)->issued_by.empty();
    return tx.append_audit(
        make_audit(ctx_, actor, "user.password_reset", user_id, {},
                   {{"via", by_admin ? "admin_link" : "email"}, {"token", (*reset)->id}}));
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  ctx_.lockouts.clear(user_id);
  return {};
}

}  // namespace berth
