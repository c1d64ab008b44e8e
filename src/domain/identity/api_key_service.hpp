#pragma once
/// A team's API keys: listing, creating (the raw key is shown once and stored as a SHA-256
/// hash) and revoking. Every method re-checks the caller's role in the team inside its
/// transaction (after the router's check, so a concurrent demotion cannot slip through).
/// Changes are audited in the same transaction and drop cached credential checks at once.
/// Blocking (store): call from a worker thread. Thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/identity/audit_service.hpp"
#include "domain/identity/identity_context.hpp"
#include "domain/identity/sign_in_service.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

struct NewApiKey {
  std::string name;                       // 1-63 characters, no control characters
  Role role = Role::viewer;               // a team role, at most the creator's
  std::optional<TimePoint> expires_at{};  // must be in the future
};

struct CreatedApiKey {
  ApiKeyRecord key;
  std::string raw_key;         // "bk_…": shown once, never stored
  bool expiry_capped = false;  // asked for no expiry, it got its creator key's
};

class ApiKeyService {
 public:
  explicit ApiKeyService(IdentityContext& ctx) : ctx_(ctx) {}

  /// The team's keys that are not revoked, newest first. Admin and up.
  Result<Page<ApiKeyRecord>> list(const Principal& who, std::string_view team_id,
                                  const PageRequest& page);

  /// Admin and up. Error::validation for a bad name, a role that is not a team role or an
  /// expiry not in the future; Error::forbidden `insufficient_role` for a role above the
  /// caller's own in the team (an API key caller: above its effective role). A key caller
  /// with an expiry makes keys that expire no later: a later expiry is Error::validation, no
  /// expiry gets the caller's (`expiry_capped`).
  Result<CreatedApiKey> create(const Principal& who, std::string_view team_id, const NewApiKey& key,
                               const ClientInfo& client);

  /// Admin and up; takes effect on the very next request. Error::not_found for an unknown,
  /// already revoked or another team's key.
  Result<void> revoke(const Principal& who, std::string_view team_id, std::string_view key_id,
                      const ClientInfo& client);

 private:
  IdentityContext& ctx_;
};

}  // namespace berth
