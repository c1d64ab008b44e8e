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

/// The user, or Error::not_found.
Result<UserRecord> require_user(Tx& tx, std::string_view user_id);

}  // namespace berth
