#pragma once
/// Accounts: input rules for emails, passwords and names, and creating a user together with
/// their personal team (one transaction, audited by the caller).

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/identity/identity_context.hpp"

namespace berth {

/// Lower-cased, trimmed email when it is plausible (one '@', 3-254 characters, no spaces or
/// control characters); else Error::validation on `field`.
Result<std::string> normalize_email(std::string_view email, std::string_view field = "email");

/// 12-128 characters (counted as code points); else Error::validation on `field`.
Result<void> check_password(std::string_view password, std::string_view field = "password");

/// 1-100 characters without control characters; else Error::validation on `field`.
Result<void> check_display_name(std::string_view name, std::string_view field = "display_name");

struct NewAccount {
  std::string email;  // normalized
  std::string password_hash;
  std::string display_name;
  bool is_instance_admin = false;
};

/// Creates the user, their personal team and the owner membership inside `tx`.
/// Error::conflict when the email is taken.
Result<UserRecord> create_account(IdentityContext& ctx, Tx& tx, const NewAccount& account);

/// 401 `invalid_credentials`: the one answer to a wrong email, password or token.
Error invalid_credentials();

/// The user, or Error::not_found.
Result<UserRecord> require_user(Tx& tx, std::string_view user_id);

/// 429 `account_locked` with retry_after_seconds until `until` — the one answer to a lockout,
/// whether or not the email has an account.
Error account_locked_error(TimePoint until, TimePoint now);

/// 429 `account_locked` while the user is locked out (after repeated failed sign-ins).
Result<void> check_not_locked(const IdentityContext& ctx, const UserRecord& user);

/// Counts a failed password or code check against the user: after policy.lockout_failures in
/// a row the account is locked for policy.lockout_duration. Audited as a failure. Every place
/// that checks a password or code for a signed-in or signing-in user calls this, so none of
/// them can be used to guess without limit.
Result<void> record_sign_in_failure(IdentityContext& ctx, std::string_view user_id,
                                    const Actor& actor, std::string_view reason);

}  // namespace berth
