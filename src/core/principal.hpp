#pragma once
/// Who is calling, once a credential has been checked, and in which team.

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/role.hpp"

namespace berth {

enum class CredentialKind { session, access_token, api_key };

struct Principal {
  std::string user_id;
  std::string email = {};
  bool is_instance_admin = false;
  std::string personal_team_id = {};
  CredentialKind credential = CredentialKind::session;
  std::string credential_id = {};  // the session, access token or API key id
  // API keys are bound to one team and carry their own role, never more than their creator's.
  std::string key_team_id = {};
  Role key_role = Role::viewer;
  std::optional<TimePoint> key_expires_at = {};  // keys it creates expire no later
};

/// Who created something, as records name it: the API key's id for a key, else the user's.
inline std::string principal_id(const Principal& who) {
  return who.credential == CredentialKind::api_key ? who.credential_id : who.user_id;
}

/// The team a request acts in and the caller's effective role there.
struct TeamContext {
  std::string team_id;
  Role role = Role::viewer;
};

}  // namespace berth
