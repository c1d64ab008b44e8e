#include "api/access_gate.hpp"

#include <functional>

#include "api/request_helpers.hpp"
#include "core/client_address.hpp"

namespace berth::api {

namespace {

Error rate_limited(std::int64_t retry_after) {
  return Error{.kind = ErrorKind::rate_limited,
               .code = "rate_limited",
               .message = "too many requests; slow down",
               .details = {{"retry_after_seconds", retry_after}},
               .internal_detail = {}};
}

// Buckets are keyed by a hash of the credential, so raw tokens are not kept as map keys.
std::string credential_key(const http::Request& request) {
  if (const auto authorization = request.header("authorization")) {
    return "a" + std::to_string(std::hash<std::string_view>{}(*authorization));
  }
  if (const auto session = cookie(request, kSessionCookie)) {
    return "c" + std::to_string(std::hash<std::string>{}(*session));
  }
  return {};
}

}  // namespace

IdentityGate::IdentityGate(AccessChecker& checker, const Clock& clock, RateLimits limits)
    : checker_(checker), limits_(limits) {
  if (limits_.per_second > 0) {
    by_address_ = std::make_unique<RateLimiter>(clock, limits_.per_second, limits_.burst);
    by_credential_ = std::make_unique<RateLimiter>(clock, limits_.per_second, limits_.burst);
  }
  if (limits_.sign_in_per_minute > 0) {
    sign_in_ = std::make_unique<RateLimiter>(clock, limits_.sign_in_per_minute / 60.0,
                                             limits_.sign_in_burst);
  }
}

Result<void> IdentityGate::throttle(const http::Route& route, const http::Request& request) {
  // An IPv6 host picks new addresses inside its /64 at will: the /64 is one client.
  const std::string client =
      sign_in_ || by_address_ ? client_network(request.remote_address) : std::string{};
  if (route.spec.rate_class == http::RateClass::sign_in && sign_in_) {
    if (const auto wait = sign_in_->acquire(client); wait > 0) {
      return fail(rate_limited(wait));
    }
  }
  if (by_address_) {
    if (const auto wait = by_address_->acquire(client); wait > 0) {
      return fail(rate_limited(wait));
    }
  }
  if (by_credential_) {
    if (const std::string key = credential_key(request); !key.empty()) {
      if (const auto wait = by_credential_->acquire(key); wait > 0) {
        return fail(rate_limited(wait));
      }
    }
  }
  return {};
}

Result<Principal> IdentityGate::identify(const http::Request& request) {
  return checker_.authenticate(presented_credentials(request));
}

Result<std::optional<Role>> IdentityGate::team_role(const Principal& principal,
                                                    std::string_view team_id) {
  return checker_.team_role(principal, team_id);
}

}  // namespace berth::api
