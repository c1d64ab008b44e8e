#pragma once
/// First-run setup, sign-in (browser sessions and programs' tokens), sign-out, password
/// changes and a user's own sessions. All methods block on the store: call them from a worker
/// thread. Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/identity/identity_context.hpp"
#include "domain/kernel/actor.hpp"

namespace berth {

struct Credentials {
  std::string email;
  std::string password;
  std::string totp;  // a 6-digit code or a recovery code; "" when none was given
};

struct SignedIn {
  UserRecord user;
  std::vector<TeamMembershipRow> memberships;
  SessionRecord session;
  std::string session_token;  // the cookie value; shown once
  std::string csrf_token;     // sent back in X-CSRF-Token on every cookie mutation
};

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;  // seconds
};

class SignInService {
 public:
  explicit SignInService(IdentityContext& ctx) : ctx_(ctx) {}

  Result<bool> needs_setup();
  /// While setup is needed: a fresh one-time setup token (berthd prints it and writes it to
  /// <data-dir>/setup-token); nullopt once an account exists.
  Result<std::optional<std::string>> prepare_setup();
  /// Creates the first instance administrator and their team and signs them in. Only with
  /// the setup token, only while no account exists (then Error::conflict).
  Result<SignedIn> setup(std::string_view setup_token, const Credentials& account,
                         std::string_view display_name, const ClientInfo& client);
  /// Called once after a successful setup (berthd removes the setup-token file).
  void on_setup_complete(std::function<void()> callback) {
    on_setup_complete_ = std::move(callback);
  }

  Result<SignedIn> login(const Credentials& credentials, const ClientInfo& client);
  Result<TokenPair> issue_tokens(const Credentials& credentials, const ClientInfo& client);
  /// Rotates a refresh token. One presented a second time revokes its whole chain.
  Result<TokenPair> refresh(std::string_view refresh_token, const ClientInfo& client);

  Result<void> logout(const Principal& who, const ClientInfo& client);
  /// Recovery on berthd's host (`berthd reset-password`): sets the password of the account
  /// with `email` without knowing the old one, and revokes every session and refresh token of
  /// it. Audited as user.password_reset by "host". Error::not_found when no account has that
  /// email; Error::validation when the password is too weak.
  Result<void> reset_password_on_host(std::string_view email, std::string_view password);
  /// Changes the password and revokes every other session and token of the user.
  Result<void> change_password(const Principal& who, std::string_view current,
                               std::string_view next, const ClientInfo& client);
  Result<std::vector<SessionRecord>> list_sessions(const Principal& who);
  /// Error::not_found for a session that is not the caller's.
  Result<void> revoke_session(const Principal& who, std::string_view session_id,
                              const ClientInfo& client);

  using Me = std::pair<UserRecord, std::vector<TeamMembershipRow>>;
  /// The caller's account and team memberships — through an API key only the key's own team,
  /// at the key's effective role. An immutable snapshot; a user's is shared until the next
  /// identity change (IdentityContext::changed), since clients poll it, so callers may
  /// memoize what they derive from it for as long as they are handed the same one.
  Result<std::shared_ptr<const Me>> me(const Principal& who);

 private:
  /// The user's own snapshot (all memberships), cached per user.
  Result<std::shared_ptr<const Me>> cached_me(const Principal& who);
  Result<UserRecord> check_credentials(const Credentials& credentials, const ClientInfo& client);
  Result<void> record_failure(const std::optional<UserRecord>& user, const std::string& email,
                              const ClientInfo& client, std::string_view reason);
  Result<SignedIn> open_browser_session(Tx& tx, const UserRecord& user, const ClientInfo& client);
  Result<TokenPair> open_token_pair(Tx& tx, const UserRecord& user, const std::string& chain_id,
                                    const ClientInfo& client);

  IdentityContext& ctx_;
  std::mutex mutex_;  // guards the members below
  std::string setup_token_hash_;
  std::function<void()> on_setup_complete_;
  struct CachedMe {
    std::uint64_t generation = 0;
    TimePoint loaded_at{};
    std::shared_ptr<const Me> me;
  };
  std::unordered_map<std::string, CachedMe> me_cache_;
};

}  // namespace berth
