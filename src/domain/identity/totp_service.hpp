#pragma once
/// Two-factor sign-in (RFC 6238 TOTP) for the signed-in user: enrolling a secret, confirming it
/// with a first code (which turns it on and issues recovery codes), turning it off again and
/// replacing the recovery codes. Secrets are stored only encrypted with the master key; a code
/// accepted once is refused again. Only a user signed in with a session or access token may
/// change their second factor (an API key gets Error::forbidden `api_key_not_allowed`).
/// Every change is audited in the same transaction. Blocking: call from a worker thread.
/// Thread-safe.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/identity/identity_context.hpp"
#include "domain/identity/sign_in_service.hpp"

namespace berth {

struct TotpEnrolment {
  std::string secret;       // base32, for typing into an authenticator app
  std::string otpauth_uri;  // the same as an otpauth:// URI, for a QR code
};

class TotpService {
 public:
  explicit TotpService(IdentityContext& ctx) : ctx_(ctx) {}

  /// A new secret, not yet required at sign-in; replaces an unconfirmed one.
  /// Error::conflict while two-factor sign-in is on.
  Result<TotpEnrolment> enrol(const Principal& who, const ClientInfo& client);

  /// Turns two-factor sign-in on with a current code from the enrolled secret; returns ten
  /// recovery codes (shown once). Error::validation on "code" for a wrong or reused code;
  /// Error::conflict when nothing is enrolled or it is already on.
  Result<std::vector<std::string>> confirm(const Principal& who, std::string_view code,
                                           const ClientInfo& client);

  /// Turns it off and forgets the secret and recovery codes; needs the password and a current
  /// code or an unused recovery code. Error::validation on "password" or "code";
  /// Error::conflict when nothing is enrolled. Wrong passwords and codes count towards the
  /// sign-in lockout (429 `account_locked` once it is reached, as at sign-in).
  Result<void> disable(const Principal& who, std::string_view password, std::string_view code,
                       const ClientInfo& client);

  /// Ten new recovery codes replacing the old ones; needs a current code or an unused recovery
  /// code (Error::validation on "code"), and wrong ones count towards the sign-in lockout as
  /// in disable(). Error::conflict when two-factor sign-in is off.
  Result<std::vector<std::string>> replace_recovery_codes(const Principal& who,
                                                          std::string_view code,
                                                          const ClientInfo& client);

 private:
  /// Refuses API keys, then runs `change` on the caller's own account inside one audited
  /// write transaction; cached credential checks are dropped afterwards.
  Result<void> change_own_account(const Principal& who, const ClientInfo& client,
                                  std::string_view action,
                                  const std::function<Result<void>(Tx&, UserRecord&)>& change);
  Result<void> save_with_new_codes(Tx& tx, UserRecord& user, std::vector<std::string>& codes);
  /// `done` of a check of the caller's password or code, counted for the sign-in lockout:
  /// a validation failure as a failed sign-in (audited), a success as a passed check.
  Result<void> counted(const Principal& who, const ClientInfo& client, std::string_view reason,
                       Result<void> done);

  IdentityContext& ctx_;
};

}  // namespace berth
