#include "domain/identity/access_checker.hpp"

#include <functional>

#include "domain/identity/accounts.hpp"

namespace berth {

namespace {

// How long a checked credential is trusted without looking again. Any identity change
// invalidates sooner; this bounds how stale an expiry or idle check can be.
constexpr auto kCacheFor = std::chrono::seconds(30);
constexpr std::size_t kMaxCached = 50000;

Error unauthenticated(std::string message = "sign in, or send a valid API key or access token") {
  return Error{.kind = ErrorKind::unauthenticated,
               .code = "unauthenticated",
               .message = std::move(message),
               .details = nlohmann::json::object(),
               .internal_detail = {}};
}

Error csrf_failed(std::string message) {
  return Error{.kind = ErrorKind::forbidden,
               .code = "csrf_failed",
               .message = std::move(message),
               .details = nlohmann::json::object(),
               .internal_detail = {}};
}

bool same_origin(std::string_view origin, std::string_view host) {
  return origin == "http://" + std::string(host) || origin == "https://" + std::string(host);
}

Principal principal_of(const UserRecord& user, CredentialKind kind, std::string credential_id) {
  return Principal{.user_id = user.id,
                   .email = user.email,
                   .is_instance_admin = user.is_instance_admin,
                   .personal_team_id = user.personal_team_id,
                   .credential = kind,
                   .credential_id = std::move(credential_id)};
}

}  // namespace

Result<AccessChecker::Cached> AccessChecker::cached_or_load(
    const std::string& cache_key, const std::function<Result<Cached>()>& load) {
  const TimePoint now = ctx_.clock().now();
  const std::uint64_t generation = ctx_.generation.load(std::memory_order_acquire);
  {
    std::lock_guard lock(mutex_);
    if (auto it = credentials_.find(cache_key); it != credentials_.end()) {
      if (it->second.generation == generation && now < it->second.valid_until) {
        return it->second;
      }
      credentials_.erase(it);
    }
  }
  auto loaded = load();
  if (!loaded) {
    return loaded;
  }
  loaded->generation = generation;
  std::lock_guard lock(mutex_);
  if (credentials_.size() >= kMaxCached) {
    credentials_.clear();
  }
  credentials_[cache_key] = *loaded;
  return loaded;
}

Result<AccessChecker::Cached> AccessChecker::load_session(const std::string& raw,
                                                          SessionKind kind) {
  const TimePoint now = ctx_.clock().now();
  std::optional<Cached> out;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto session = tx.find_session_by_token_hash(token_hash(ctx_, raw));
    if (!session) {
      return fail(std::move(session.error()));
    }
    if (!*session || (*session)->kind != kind || (*session)->revoked_at ||
        (*session)->expires_at <= now) {
      return {};
    }
    const SessionRecord& record = **session;
    if (kind == SessionKind::browser && record.last_seen_at + ctx_.policy.session_idle <= now) {
      return {};  // idle too long
    }
    auto user = tx.get_user(record.user_id);
    if (!user) {
      return fail(std::move(user.error()));
    }
    if (!*user || !(*user)->is_active) {
      return {};
    }
    if (auto touched = tx.touch_session(record.id, now); !touched) {
      return touched;
    }
    TimePoint valid_until = std::min(record.expires_at, now + kCacheFor);
    if (kind == SessionKind::browser) {
      valid_until = std::min(valid_until, now + ctx_.policy.session_idle);
    }
    out = Cached{
        .principal = principal_of(
            **user,
            kind == SessionKind::browser ? CredentialKind::session : CredentialKind::access_token,
            record.id),
        .csrf_hash = record.csrf_hash,
        .valid_until = valid_until};
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  if (!out) {
    return fail(unauthenticated(kind == SessionKind::browser
                                    ? "your session has ended; sign in again"
                                    : "the access token is not valid"));
  }
  return std::move(*out);
}

Result<AccessChecker::Cached> AccessChecker::load_api_key(const std::string& raw) {
  const TimePoint now = ctx_.clock().now();
  std::optional<Cached> out;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto key = tx.find_api_key_by_hash(crypto::sha256_hex(raw));
    if (!key) {
      return fail(std::move(key.error()));
    }
    if (!*key || (*key)->revoked_at || ((*key)->expires_at && *(*key)->expires_at <= now)) {
      return {};
    }
    const ApiKeyRecord& record = **key;
    auto user = tx.get_user(record.created_by);
    if (!user) {
      return fail(std::move(user.error()));
    }
    if (!*user || !(*user)->is_active) {
      return {};
    }
    if (auto touched = tx.touch_api_key(record.id, now); !touched) {
      return touched;
    }
    Principal principal = principal_of(**user, CredentialKind::api_key, record.id);
    principal.key_team_id = record.team_id;
    principal.key_role = record.role;
    principal.key_expires_at = record.expires_at;
    TimePoint valid_until = now + kCacheFor;
    if (record.expires_at) {
      valid_until = std::min(valid_until, *record.expires_at);
    }
    out = Cached{.principal = std::move(principal), .csrf_hash = {}, .valid_until = valid_until};
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  if (!out) {
    return fail(unauthenticated("the API key is not valid"));
  }
  return std::move(*out);
}

Result<Principal> AccessChecker::authenticate(const PresentedCredentials& presented) {
  if (presented.bearer) {
    const std::string& raw = *presented.bearer;
    if (raw.starts_with("bk_")) {
      auto cached =
          cached_or_load("k:" + crypto::sha256_hex(raw), [&] { return load_api_key(raw); });
      if (!cached) {
        return fail(std::move(cached.error()));
      }
      return std::move(cached->principal);
    }
    if (raw.starts_with("bat_")) {
      auto cached = cached_or_load("a:" + token_hash(ctx_, raw),
                                   [&] { return load_session(raw, SessionKind::access_token); });
      if (!cached) {
        return fail(std::move(cached.error()));
      }
      return std::move(cached->principal);
    }
    return fail(unauthenticated("the bearer token is not valid"));
  }
  if (!presented.session_cookie) {
    return fail(unauthenticated());
  }
  auto cached = cached_or_load("s:" + token_hash(ctx_, *presented.session_cookie), [&] {
    return load_session(*presented.session_cookie, SessionKind::browser);
  });
  if (!cached) {
    return fail(std::move(cached.error()));
  }
  if (presented.mutation) {
    // The cookie rides along with any request a browser makes; only our own pages know the
    // CSRF token, and a foreign Origin is refused outright.
    if (presented.origin && !same_origin(*presented.origin, presented.host)) {
      return fail(csrf_failed("cross-origin requests are not allowed"));
    }
    if (!presented.csrf_token ||
        !crypto::constant_time_equal(token_hash(ctx_, *presented.csrf_token), cached->csrf_hash)) {
      return fail(csrf_failed("send the X-CSRF-Token header given at sign-in"));
    }
  }
  return std::move(cached->principal);
}

Result<std::optional<Role>> AccessChecker::team_role(const Principal& who,
                                                     std::string_view team_id) {
  const std::uint64_t generation = ctx_.generation.load(std::memory_order_acquire);
  const std::string key = who.user_id + "|" + std::string(team_id);
  {
    std::lock_guard lock(mutex_);
    if (auto it = roles_.find(key); it != roles_.end() && it->second.second == generation) {
      return it->second.first;
    }
  }
  auto membership = read_value<std::optional<MembershipRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.get_membership(team_id, who.user_id); });
  if (!membership) {
    return fail(std::move(membership.error()));
  }
  std::optional<Role> role;
  if (*membership) {
    role = (*membership)->role;
  }
  std::lock_guard lock(mutex_);
  if (roles_.size() >= kMaxCached) {
    roles_.clear();
  }
  roles_[key] = {role, generation};
  return role;
}

}  // namespace berth
