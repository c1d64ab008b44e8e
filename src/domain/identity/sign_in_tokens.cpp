#include <fmt/format.h>

#include "domain/identity/accounts.hpp"
#include "domain/identity/sign_in_service.hpp"
#include "domain/kernel/audit.hpp"

// Programs' tokens: access tokens with refresh-token rotation. A refresh token is used once;
// presenting it again revokes everything its sign-in led to.

namespace berth {

Result<TokenPair> SignInService::open_token_pair(Tx& tx, const UserRecord& user,
                                                 const std::string& chain_id,
                                                 const ClientInfo& client) {
  const TimePoint now = ctx_.clock().now();
  TokenPair pair{.access_token = "bat_" + crypto::random_token(ctx_.random(), kTokenBytes),
                 .refresh_token = "brt_" + crypto::random_token(ctx_.random(), kTokenBytes),
                 .expires_in = ctx_.policy.access_token_ttl.count()};
  const SessionRecord access{.id = ctx_.ids().next("ses"),
                             .token_hash = token_hash(ctx_, pair.access_token),
                             .user_id = user.id,
                             .kind = SessionKind::access_token,
                             .refresh_chain_id = chain_id,
                             .created_at = now,
                             .last_seen_at = now,
                             .expires_at = now + ctx_.policy.access_token_ttl,
                             .user_agent = client.user_agent.substr(0, 256),
                             .source_address = client.source_address};
  if (auto created = tx.create_session(access); !created) {
    return fail(std::move(created.error()));
  }
  const RefreshTokenRecord refresh{.id = ctx_.ids().next("rtk"),
                                   .token_hash = token_hash(ctx_, pair.refresh_token),
                                   .user_id = user.id,
                                   .chain_id = chain_id,
                                   .created_at = now,
                                   .expires_at = now + ctx_.policy.refresh_token_ttl};
  if (auto created = tx.create_refresh_token(refresh); !created) {
    return fail(std::move(created.error()));
  }
  return pair;
}

Result<TokenPair> SignInService::issue_tokens(const Credentials& credentials,
                                              const ClientInfo& client) {
  auto user = check_credentials(credentials, client);
  if (!user) {
    return fail(std::move(user.error()));
  }
  std::optional<TokenPair> pair;
  const std::string chain_id = ctx_.ids().next("chn");
  const Actor actor{.user_id = user->id,
                    .request_id = client.request_id,
                    .source_address = client.source_address};
  auto done = write_audited(ctx_.store(), make_audit(ctx_, actor, "auth.token", user->id),
                            [&](Tx& tx) -> Result<void> {
                              auto issued = open_token_pair(tx, *user, chain_id, client);
                              if (!issued) {
                                return fail(std::move(issued.error()));
                              }
                              pair = std::move(*issued);
                              return {};
                            });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*pair);
}

Result<TokenPair> SignInService::refresh(std::string_view refresh_token, const ClientInfo& client) {
  const TimePoint now = ctx_.clock().now();
  std::optional<TokenPair> pair;
  bool reused = false;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.find_refresh_token_by_hash(token_hash(ctx_, refresh_token));
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found || (*found)->revoked_at || (*found)->expires_at <= now) {
      return {};
    }
    const RefreshTokenRecord& token = **found;
    const Actor actor{.user_id = token.user_id,
                      .request_id = client.request_id,
                      .source_address = client.source_address};
    if (token.used_at) {
      // A used token presented again means it was copied: end everything it led to.
      reused = true;
      if (auto revoked = tx.revoke_refresh_chain(token.chain_id, now); !revoked) {
        return revoked;
      }
      if (auto revoked = tx.revoke_chain_sessions(token.chain_id, now); !revoked) {
        return revoked;
      }
      return tx.append_audit(make_audit(ctx_, actor, "auth.refresh_reused", token.user_id, {},
                                        {{"chain_id", token.chain_id}}, "denied"));
    }
    auto user = require_user(tx, token.user_id);
    if (!user) {
      return fail(std::move(user.error()));
    }
    if (!user->is_active) {
      return {};
    }
    if (auto used = tx.mark_refresh_token_used(token.id, now); !used) {
      return used;
    }
    auto issued = open_token_pair(tx, *user, token.chain_id, client);
    if (!issued) {
      return fail(std::move(issued.error()));
    }
    pair = std::move(*issued);
    return tx.append_audit(make_audit(ctx_, actor, "auth.refresh", token.user_id));
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  if (reused) {
    ctx_.changed();
  }
  if (!pair) {
    Error error = invalid_credentials();
    error.code = reused ? "refresh_token_reused" : "invalid_refresh_token";
    error.message = reused ? "this refresh token was already used; its chain is revoked"
                           : "the refresh token is not valid";
    return fail(std::move(error));
  }
  return std::move(*pair);
}

}  // namespace berth
