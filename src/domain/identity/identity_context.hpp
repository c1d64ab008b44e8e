#pragma once
/// What every identity service shares: the shared services (store, time, randomness, ids,
/// keys, mailer) and identity's own policy figures. Built once by the composition root.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "domain/identity/sign_in_lockouts.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/service_context.hpp"

namespace berth {

/// Random bytes in every session, access, refresh, CSRF, setup and password-reset token.
constexpr std::size_t kTokenBytes = 32;

struct IdentityPolicy {
  std::chrono::seconds session_idle{30 * 60};           // ASVS L2: 30 minutes idle
  std::chrono::seconds session_absolute{12 * 60 * 60};  // ASVS L2: 12 hours absolute
  std::chrono::seconds access_token_ttl{15 * 60};
  std::chrono::seconds refresh_token_ttl{30 * 24 * 60 * 60};
  LockoutPolicy lockout{};  // per (account, client network), and account-wide
  std::chrono::seconds invitation_ttl{7 * 24 * 60 * 60};
  std::chrono::seconds password_reset_ttl{30 * 60};  // a link mailed on request
  // A link an administrator hands over by hand: it may wait in a chat until the next morning.
  std::chrono::seconds password_reset_link_ttl{24 * 60 * 60};
  int password_reset_mails_per_hour = 3;  // per address, whether or not it has an account
};

struct IdentityContext : AreaContext {
  IdentityPolicy policy;

  /// Bumped after every change to users, sessions, tokens, keys or memberships, so cached
  /// credential checks (AccessChecker) are thrown away at once: a deactivated user or a
  /// revoked key fails on the very next request. (One process; several berthd nodes will
  /// need the store to carry it.)
  std::atomic<std::uint64_t> generation{0};
  void changed() { generation.fetch_add(1, std::memory_order_acq_rel); }

  /// Failed sign-ins and code checks (accounts.hpp uses it; one process, like `generation`).
  SignInLockouts lockouts{};
};

/// Calls ctx.changed() when it goes out of scope: after a mutation of credentials or
/// memberships has committed (or failed: a needless invalidation costs only a reload).
class ChangeGuard {
 public:
  explicit ChangeGuard(IdentityContext& ctx) : ctx_(ctx) {}
  ~ChangeGuard() { ctx_.changed(); }
  ChangeGuard(const ChangeGuard&) = delete;
  ChangeGuard& operator=(const ChangeGuard&) = delete;

 private:
  IdentityContext& ctx_;
};

/// Keyed hash of a session, access or refresh token (what the store holds).
inline std::string token_hash(const IdentityContext& ctx, std::string_view raw) {
  return crypto::hmac_sha256_hex(ctx.services.session_key, raw);
}

}  // namespace berth
