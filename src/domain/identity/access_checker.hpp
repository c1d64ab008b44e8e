#pragma once
/// Turns a presented credential (session cookie, access token, API key) into a Principal,
/// and answers the caller's role in a team. Results are cached briefly and dropped whenever
/// IdentityContext::changed() is called. Blocking (store); thread-safe.

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/identity/identity_context.hpp"

namespace berth {

struct PresentedCredentials {
  std::optional<std::string> bearer;          // from Authorization: Bearer …
  std::optional<std::string> session_cookie;  // the berth_session cookie
  bool mutation = false;                      // POST, PUT, PATCH, DELETE
  std::optional<std::string> csrf_token;      // X-CSRF-Token
  std::optional<std::string> origin;          // Origin
  std::string host;                           // Host
};

class AccessChecker {
 public:
  explicit AccessChecker(IdentityContext& ctx) : ctx_(ctx) {}

  /// 401 `unauthenticated` without a valid credential; 403 `csrf_failed` for a cookie
  /// mutation without the session's CSRF token or from another origin.
  Result<Principal> authenticate(const PresentedCredentials& presented);

  /// The caller's role in the team (for API keys: capped by the key's role), nullopt when not
  /// a member or the team does not exist.
  Result<std::optional<Role>> team_role(const Principal& who, std::string_view team_id);

 private:
  struct Cached {
    Principal principal;
    std::string csrf_hash;
    TimePoint valid_until{};
    std::uint64_t generation = 0;
  };

  Result<Cached> load_session(const std::string& raw, SessionKind kind);
  Result<Cached> load_api_key(const std::string& raw);
  Result<Cached> cached_or_load(const std::string& cache_key,
                                const std::function<Result<Cached>()>& load);

  IdentityContext& ctx_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> credentials_;
  std::unordered_map<std::string, std::pair<std::optional<Role>, std::uint64_t>> roles_;
};

}  // namespace berth
