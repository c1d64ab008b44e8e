#pragma once
/// The http::AccessGate of berthd: rate limits per client (an IPv4 address or an IPv6 /64,
/// core/client_address.hpp) and per credential, and the identity service's credential and
/// membership checks.

#include <memory>

#include "core/rate_limiter.hpp"
#include "domain/identity/access_checker.hpp"
#include "http/router.hpp"

namespace berth::api {

struct RateLimits {
  double per_second = 50;  // each client and each credential; 0 turns limits off
  double burst = 200;
  double sign_in_per_minute = 10;  // sign-in routes, per client
  double sign_in_burst = 10;
};

class IdentityGate final : public http::AccessGate {
 public:
  IdentityGate(AccessChecker& checker, const Clock& clock, RateLimits limits);

  Result<void> throttle(const http::Route& route, const http::Request& request) override;
  Result<Principal> identify(const http::Request& request) override;
  Result<std::optional<Role>> team_role(const Principal& principal,
                                        std::string_view team_id) override;

 private:
  AccessChecker& checker_;
  RateLimits limits_;
  std::unique_ptr<RateLimiter> by_address_;
  std::unique_ptr<RateLimiter> by_credential_;
  std::unique_ptr<RateLimiter> sign_in_;
};

}  // namespace berth::api
