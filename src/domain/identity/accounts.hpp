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
  /// A team that exists already and has no members (the one local_agent_team() made before
  /// setup) becomes the personal team instead of a new one; "" makes a new team.
  std::string adopt_team_id = {};
};

/// Creates the user, their personal team and the owner membership inside `tx`.
/// Error::conflict when the email is taken.
Result<UserRecord> create_account(IdentityContext& ctx, Tx& tx, const NewAccount& account);

/// Inside `tx`: the team an agent on berthd's own machine enrols into. Once anyone exists, the
/// first user's personal team (the administrator who set the instance up). Before that, a team
/// made now and remembered in the instance settings, which setup then gives the first
/// administrator as their personal team: so the packaged agent can enrol, and the panel's
/// HTTPS route come up, before anyone has signed in (docs/install.md).
Result<std::string> local_agent_team(IdentityContext& ctx, Tx& tx);
/// Inside `tx`: the team local_agent_team() made before setup, if it is still memberless.
Result<std::string> team_awaiting_first_admin(Tx& tx);

/// Inside `tx`: the user's new password hash; every refresh token and every session of the
/// user but `keep_id` ("" keeps none) revoked, and every open password-reset token too (a new
/// password supersedes any reset link still in a mailbox). Error::not_found for no such user.
Result<void> store_password(Tx& tx, std::string_view user_id, const std::string& hash,
                            TimePoint now, std::string_view keep_id);

/// 401 `invalid_credentials`: the one answer to a wrong email, password or token.
Error invalid_credentials();

/// The user, or Error::not_found.
Result<UserRecord> require_user(Tx& tx, std::string_view user_id);

/// 429 `account_locked` with retry_after_seconds until `until` — the one answer to a lockout,
/// whether or not the email has an account.
Error account_locked_error(TimePoint until, TimePoint now);

/// 429 `account_locked` while `client` (an address) may not try the account: its network
/// failed too often, or the account did and the network is new to it (sign_in_lockouts.hpp).
/// `account` is a user id (at sign-in, an email without an account stands in for one).
Result<void> check_not_locked(IdentityContext& ctx, std::string_view account,
                              std::string_view client);

/// Counts a failed password or code check against the user from the actor's address (see
/// check_not_locked; policy.lockout sets how many failures lock for how long). Audited as a
/// failure. Every place that checks a password or code for a signed-in or signing-in user
/// calls this, so none of them can be used to guess without limit.
Result<void> record_sign_in_failure(IdentityContext& ctx, std::string_view user_id,
                                    const Actor& actor, std::string_view reason);

/// A passed password or code check from `client`: the counts start again.
void record_sign_in_success(IdentityContext& ctx, std::string_view user_id,
                            std::string_view client);

}  // namespace berth
