#include "domain/identity/totp_service.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "core/totp.hpp"
#include "domain/identity/accounts.hpp"
#include "domain/identity/second_factor.hpp"
#include "domain/kernel/audit.hpp"

namespace berth {

namespace {

constexpr std::size_t kSecretBytes = 20;  // 160 bits, as RFC 4226 recommends
constexpr std::string_view kIssuer = "Berth";

// A leaked API key must not be able to lock its owner out by enrolling a second factor, nor
// weaken sign-in by removing one.
Result<void> only_signed_in_users(const Principal& who) {
  if (who.credential != CredentialKind::api_key) {
    return {};
  }
  return fail(Error{.kind = ErrorKind::forbidden,
                    .code = "api_key_not_allowed",
                    .message = "sign in as a user to change two-factor sign-in",
                    .details = nlohmann::json::object(),
                    .internal_detail = {}});
}

Error wrong_code() { return Error::validation("code", "the code is not valid"); }

Error not_enrolled() { return Error::conflict("two-factor sign-in is not set up"); }

}  // namespace

// Saves the user (with the step just accepted) and gives them ten new recovery codes.
Result<void> TotpService::save_with_new_codes(Tx& tx, UserRecord& user,
                                              std::vector<std::string>& codes) {
  user.updated_at = ctx_.clock().now();
  if (auto saved = tx.update_user(user); !saved) {
    return saved;
  }
  auto issued = issue_recovery_codes(ctx_, tx, user.id);
  if (!issued) {
    return fail(std::move(issued.error()));
  }
  codes = std::move(*issued);
  return {};
}

Result<void> TotpService::change_own_account(
    const Principal& who, const ClientInfo& client, std::string_view action,
    const std::function<Result<void>(Tx&, UserRecord&)>& change) {
  if (auto allowed = only_signed_in_users(who); !allowed) {
    return allowed;
  }
  ChangeGuard changed(ctx_);
  return write_audited(ctx_.store(),
                       make_audit(ctx_, actor_of(who, client), std::string(action), who.user_id),
                       [&](Tx& tx) -> Result<void> {
                         auto user = require_user(tx, who.user_id);
                         if (!user) {
                           return fail(std::move(user.error()));
                         }
                         return change(tx, *user);
                       });
}

Result<TotpEnrolment> TotpService::enrol(const Principal& who, const ClientInfo& client) {
  std::array<std::uint8_t, kSecretBytes> secret{};
  ctx_.random().fill(secret);
  const std::string base32 = crypto::base32_encode(secret);
  const std::string sealed = crypto::seal(ctx_.services.master_key, ctx_.random(), base32);
  std::optional<TotpEnrolment> out;
  auto done =
      change_own_account(who, client, "totp.enrol", [&](Tx& tx, UserRecord& user) -> Result<void> {
        if (user.totp_enabled) {
          return fail(Error::conflict("two-factor sign-in is already on; turn it off first"));
        }
        user.totp_secret_enc = sealed;
        user.totp_last_step = 0;  // steps of the old secret say nothing about the new one
        user.updated_at = ctx_.clock().now();
        if (auto saved = tx.update_user(user); !saved) {
          return saved;
        }
        out = TotpEnrolment{.secret = base32,
                            .otpauth_uri = totp::otpauth_uri(kIssuer, user.email, base32)};
        return {};
      });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*out);
}

Result<std::vector<std::string>> TotpService::confirm(const Principal& who, std::string_view code,
                                                      const ClientInfo& client) {
  std::vector<std::string> codes;
  auto done = change_own_account(
      who, client, "totp.confirm", [&](Tx& tx, UserRecord& user) -> Result<void> {
        if (user.totp_enabled) {
          return fail(Error::conflict("two-factor sign-in is already on"));
        }
        if (user.totp_secret_enc.empty()) {
          return fail(not_enrolled());
        }
        auto secret = totp_secret_of(ctx_, user);
        if (!secret) {
          return fail(std::move(secret.error()));
        }
        // Only a code proves the app holds the secret; recovery codes do not count here.
        const auto step = totp::verify(*secret, code, ctx_.clock().now(), user.totp_last_step);
        if (!step) {
          return fail(wrong_code());
        }
        user.totp_last_step = *step;
        user.totp_enabled = true;
        return save_with_new_codes(tx, user, codes);
      });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return codes;
}

Result<void> TotpService::disable(const Principal& who, std::string_view password,
                                  std::string_view code, const ClientInfo& client) {
  if (auto allowed = only_signed_in_users(who); !allowed) {
    return allowed;
  }
  auto user =
      read_value<UserRecord>(ctx_.store(), [&](Tx& tx) { return require_user(tx, who.user_id); });
  if (!user) {
    return fail(std::move(user.error()));
  }
  if (user->totp_secret_enc.empty()) {
    return fail(not_enrolled());
  }
  // A stolen session must not become a way to guess the password or the code without limit:
  // failures here count towards the same lockout as failed sign-ins.
  if (auto unlocked = check_not_locked(ctx_, who.user_id, client.source_address); !unlocked) {
    return unlocked;
  }
  // Argon2id runs outside the write transaction so it never holds up other writers.
  const bool password_ok = crypto::verify_password(user->password_hash, password);
  auto done =
      password_ok
          ? change_own_account(
                who, client, "totp.disable",
                [&](Tx& tx, UserRecord& fresh) -> Result<void> {
                  if (fresh.totp_secret_enc.empty()) {
                    return fail(not_enrolled());
                  }
                  auto accepted = accept_second_factor(ctx_, tx, fresh, code);
                  if (!accepted) {
                    return fail(std::move(accepted.error()));
                  }
                  if (!*accepted) {
                    return fail(
                        wrong_code());  // rolls back: a recovery code is not spent on a failure
                  }
                  fresh.totp_secret_enc.clear();
                  fresh.totp_enabled = false;
                  fresh.updated_at = ctx_.clock().now();
                  if (auto saved = tx.update_user(fresh); !saved) {
                    return saved;
                  }
                  return tx.replace_recovery_codes(fresh.id, {});
                })
          : Result<void>(fail(Error::validation("password", "the password is not correct")));
  return counted(who, client, "totp_disable", std::move(done));
}

// Wrong passwords and codes count towards the lockout exactly as at sign-in.
Result<void> TotpService::counted(const Principal& who, const ClientInfo& client,
                                  std::string_view reason, Result<void> done) {
  if (done) {
    record_sign_in_success(ctx_, who.user_id, client.source_address);
  } else if (done.error().code == "validation_failed") {
    if (auto recorded = record_sign_in_failure(ctx_, who.user_id, actor_of(who, client), reason);
        !recorded) {
      return recorded;
    }
  }
  return done;
}

Result<std::vector<std::string>> TotpService::replace_recovery_codes(const Principal& who,
                                                                     std::string_view code,
                                                                     const ClientInfo& client) {
  if (auto allowed = only_signed_in_users(who); !allowed) {
    return fail(std::move(allowed.error()));
  }
  if (auto unlocked = check_not_locked(ctx_, who.user_id, client.source_address); !unlocked) {
    return fail(std::move(unlocked.error()));
  }
  std::vector<std::string> codes;
  auto done = change_own_account(
      who, client, "totp.recovery_codes", [&](Tx& tx, UserRecord& user) -> Result<void> {
        if (!user.totp_enabled) {
          return fail(Error::conflict("two-factor sign-in is not on"));
        }
        auto accepted = accept_second_factor(ctx_, tx, user, code);
        if (!accepted) {
          return fail(std::move(accepted.error()));
        }
        if (!*accepted) {
          return fail(wrong_code());
        }
        return save_with_new_codes(tx, user, codes);  // keeps the accepted step
      });
  if (auto checked = counted(who, client, "totp_recovery_codes", std::move(done)); !checked) {
    return fail(std::move(checked.error()));
  }
  return codes;
}

}  // namespace berth
