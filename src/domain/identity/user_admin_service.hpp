#pragma once
/// Instance administration of accounts and teams: listing, reading, and changing a user's
/// active and administrator flags or name. Every method re-checks, in its transaction, that the
/// caller is an active instance administrator signed in as a user (never an API key).
/// Deactivating a user revokes all their sessions and tokens and drops cached credential checks,
/// so they fail on their very next request whatever they hold (their API keys included).
/// Blocking (store): call from a worker thread. Thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/identity/audit_service.hpp"
#include "domain/identity/identity_context.hpp"
#include "domain/identity/sign_in_service.hpp"

namespace berth {

/// Inside `tx`: Error::forbidden `insufficient_role` unless `who` is an active instance
/// administrator acting with a session or access token.
Result<void> require_instance_admin(Tx& tx, const Principal& who);

/// Inside `tx`: the account an instance administrator acts on — require_instance_admin, then
/// the user or Error::not_found.
Result<UserRecord> admin_target(Tx& tx, const Principal& who, std::string_view user_id);

/// What PATCH /admin/users/{id} may change; absent members stay as they are.
struct UserChanges {
  std::optional<bool> is_active{};
  std::optional<bool> is_instance_admin{};
  std::optional<std::string> display_name{};
};

class UserAdminService {
 public:
  explicit UserAdminService(IdentityContext& ctx) : ctx_(ctx) {}

  /// Users whose email or name contains `q`, in order of creation.
  Result<Page<UserRecord>> list_users(const Principal& who, std::string_view q,
                                      const PageRequest& page);
  /// Error::not_found for an unknown id.
  Result<UserRecord> get_user(const Principal& who, std::string_view user_id);
  /// Applies the changes and returns the user. Error::conflict when the caller would
  /// deactivate or demote themselves (the instance must keep an administrator who can act);
  /// Error::validation for a bad display name; Error::not_found for an unknown id.
  Result<UserRecord> update_user(const Principal& who, std::string_view user_id,
                                 const UserChanges& changes, const ClientInfo& client);
  /// Teams whose name contains `q`, in order of creation.
  Result<Page<TeamRecord>> list_teams(const Principal& who, std::string_view q,
                                      const PageRequest& page);

 private:
  IdentityContext& ctx_;
};

}  // namespace berth
