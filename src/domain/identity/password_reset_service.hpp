#pragma once
/// Recovering a forgotten password with a single-use token: mailed to the account's address
/// on request (when the instance can send mail), or handed out as a link by an instance
/// administrator. Tokens are `bpr_` + 32 random bytes, stored only as a keyed hash, and good
/// once, until they expire (IdentityPolicy); a newer token or a new password supersedes the
/// older ones. Confirming sets the password, signs the account out everywhere and lifts its
/// sign-in lockouts; a second factor stays as it was. Blocking (store, Argon2id): call from a
/// worker thread. Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "core/rate_limiter.hpp"
#include "domain/identity/identity_context.hpp"

namespace berth {

/// A reset link for an administrator to pass on; shown once.
struct IssuedResetLink {
  std::string url;  // <public_url>/reset-password?token=<token>
  TimePoint expires_at{};
};

class PasswordResetService {
 public:
  /// Where mail work runs. The default runs it at once on the caller's thread (tests); berthd
  /// hands it a MailOutbox so the request's answer and timing never depend on it.
  using Runner = std::function<void(std::function<void()>)>;

  explicit PasswordResetService(IdentityContext& ctx);
  /// Set once, before any request.
  void set_runner(Runner runner) { runner_ = std::move(runner); }

  /// Someone asks for a reset link for `email`. The same success whether or not an account has
  /// that address, is deactivated, or the address asked too often (then nothing is sent); the
  /// lookup and the mail happen in the runner. Error::unprocessable `mail_not_configured`
  /// when the instance has no mailer; Error::validation for a malformed address.
  Result<void> request_by_email(std::string_view email, const ClientInfo& client);

  /// An instance administrator makes a reset link for `user_id` (valid password_reset_link_ttl).
  /// Error::forbidden unless `who` is an active instance administrator with a session or access
  /// token; Error::not_found for an unknown user; Error::conflict `account_disabled` for a
  /// deactivated one.
  Result<IssuedResetLink> issue_link(const Principal& who, std::string_view user_id,
                                     const ClientInfo& client);

  /// Sets the password of the token's account. Error::validation for a weak password;
  /// Error::invalid `invalid_token` for an unknown, expired, used or superseded token, or one
  /// of a deactivated account, alike.
  Result<void> confirm(std::string_view token, std::string_view password, const ClientInfo& client);

 private:
  /// The part of request_by_email that the runner does.
  void mail_link(const std::string& email, const ClientInfo& client);
  /// A fresh token for `user` in `tx`, superseding the user's older ones.
  Result<IssuedResetLink> open_token(Tx& tx, const UserRecord& user, std::string issued_by,
                                     std::chrono::seconds ttl);

  IdentityContext& ctx_;
  Runner runner_;
  std::unique_ptr<RateLimiter> per_address_;  // null when the policy sets no limit
};

}  // namespace berth
