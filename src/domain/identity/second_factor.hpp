#pragma once
/// Checking a TOTP code or a recovery code for a user with two-factor sign-in.

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/identity/identity_context.hpp"

namespace berth {

/// Inside a write transaction: true when `code` is a current TOTP code not used before (the
/// accepted step is stored in `user`, which the caller must save) or an unused recovery code
/// (marked used). False otherwise.
Result<bool> accept_second_factor(IdentityContext& ctx, Tx& tx, UserRecord& user,
                                  std::string_view code);

/// Ten new recovery codes ("ABCDE-FGHJK"); their hashes replace the user's old ones in `tx`.
Result<std::vector<std::string>> issue_recovery_codes(IdentityContext& ctx, Tx& tx,
                                                      std::string_view user_id);

/// The TOTP secret of a user, decrypted; Error::internal when it cannot be.
Result<std::vector<std::uint8_t>> totp_secret_of(const IdentityContext& ctx,
                                                 const UserRecord& user);

}  // namespace berth
