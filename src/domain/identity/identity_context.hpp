#pragma once
/// What every identity service shares: the store, time, randomness, ids, the instance keys
/// and the policy figures. Built once by the composition root.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/random.hpp"
#include "domain/identity/sign_in_lockouts.hpp"
#include "store/store.hpp"

namespace berth {

class Mailer;

/// Random bytes in every session, access, refresh, CSRF and setup token.
constexpr std::size_t kTokenBytes = 32;

struct IdentityPolicy {
  std::chrono::seconds session_idle{30 * 60};           // ASVS L2: 30 minutes idle
  std::chrono::seconds session_absolute{12 * 60 * 60};  // ASVS L2: 12 hours absolute
  std::chrono::seconds access_token_ttl{15 * 60};
  std::chrono::seconds refresh_token_ttl{30 * 24 * 60 * 60};
  LockoutPolicy lockout{};  // per (account, client network), and account-wide
  std::chrono::seconds invitation_ttl{7 * 24 * 60 * 60};
  std::string public_url = "http://127.0.0.1:8080";  // for links in mail and otpauth issuers
  bool secure_cookies = false;                       // set when public_url is https
};

struct IdentityContext {
  Store& store;
  const Clock& clock;
  Random& random;
  IdGenerator& ids;
  crypto::Key session_key;  // keys the hashes of session, access and refresh tokens
  crypto::Key master_key;   // encrypts secrets at rest (TOTP secrets)
  IdentityPolicy policy;
  Mailer* mailer = nullptr;  // null: invitation links are returned to the inviter

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

/// Who did something, for the audit log.
struct Actor {
  std::string user_id;  // "" for anonymous actions (sign-in attempts)
  std::string request_id;
  std::string source_address;
};

/// An audit entry stamped now, with a fresh id.
inline AuditEntry make_audit(IdentityContext& ctx, const Actor& actor, std::string action,
                             std::string target, std::string team_id = {},
                             nlohmann::json details = nlohmann::json::object(),
                             std::string outcome = "success") {
  return AuditEntry{.id = ctx.ids.next("aud"),
                    .at = ctx.clock.now(),
                    .actor = actor.user_id.empty() ? std::string("anonymous") : actor.user_id,
                    .action = std::move(action),
                    .target = std::move(target),
                    .team_id = std::move(team_id),
                    .request_id = actor.request_id,
                    .source_address = actor.source_address,
                    .details = std::move(details),
                    .outcome = std::move(outcome)};
}

/// Keyed hash of a session, access or refresh token (what the store holds).
inline std::string token_hash(const IdentityContext& ctx, std::string_view raw) {
  return crypto::hmac_sha256_hex(ctx.session_key, raw);
}

}  // namespace berth
