#include "domain/identity/api_key_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "core/time_format.hpp"
#include "domain/kernel/audit.hpp"

namespace berth {

namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kPreviewLength = 8;
constexpr std::size_t kMaxNameLength = 63;

Result<void> check_key_name(std::string_view name) {
  const auto length = static_cast<std::size_t>(std::count_if(name.begin(), name.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
  const bool blank = std::all_of(name.begin(), name.end(), [](char c) { return c == ' '; });
  if (length < 1 || length > kMaxNameLength || control || blank) {
    return fail(Error::validation(
        "name", "names must be 1-63 characters, not blank, without control characters"));
  }
  return {};
}

}  // namespace

Result<Page<ApiKeyRecord>> ApiKeyService::list(const Principal& who, std::string_view team_id,
                                               const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<ApiKeyRecord>>(ctx_.store(), [&](Tx& tx) -> Result<Page<ApiKeyRecord>> {
    if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
      return fail(std::move(role.error()));
    }
    auto keys = tx.list_api_keys(team_id);
    if (!keys) {
      return fail(std::move(keys.error()));
    }
    Page<ApiKeyRecord> out;
    out.total = static_cast<std::int64_t>(keys->size());
    // Written so that a huge page number cannot overflow.
    const std::int64_t skip =
        page.page - 1 > out.total / page.per_page
            ? out.total
            : std::clamp<std::int64_t>((page.page - 1) * page.per_page, 0, out.total);
    const std::int64_t last = std::min(out.total, skip + page.per_page);
    for (std::int64_t i = skip; i < last; ++i) {
      out.items.push_back(std::move((*keys)[static_cast<std::size_t>(i)]));
    }
    return out;
  });
}

Result<CreatedApiKey> ApiKeyService::create(const Principal& who, std::string_view team_id,
                                            const NewApiKey& key, const ClientInfo& client) {
  if (auto ok = check_key_name(key.name); !ok) {
    return fail(std::move(ok.error()));
  }
  if (!is_team_role(key.role)) {
    return fail(Error::validation("role", "role must be viewer, member, admin or owner"));
  }
  const TimePoint now = ctx_.clock().now();
  std::optional<TimePoint> expires_at = key.expires_at;
  if (expires_at && *expires_at <= now) {
    return fail(Error::validation("expires_at", "expires_at must be in the future"));
  }
  // A key never makes a key that outlives it, or a leaked short-lived key could mint a
  // permanent one.
  const std::optional<TimePoint> limit =
      who.credential == CredentialKind::api_key ? who.key_expires_at : std::optional<TimePoint>{};
  if (limit && expires_at && *expires_at > *limit) {
    return fail(Error::validation(
        "expires_at",
        fmt::format("a key may not outlive the key creating it (expires_at at most {})",
                    format_rfc3339(*limit))));
  }
  CreatedApiKey out{.key = {},
                    .raw_key = "bk_" + crypto::random_token(ctx_.random(), kKeyBytes),
                    .expiry_capped = limit && !expires_at};
  if (limit && !expires_at) {
    expires_at = limit;
  }
  out.key = ApiKeyRecord{.id = ctx_.ids().next("key"),
                         .team_id = std::string(team_id),
                         .name = key.name,
                         .role = key.role,
                         .token_hash = crypto::sha256_hex(out.raw_key),
                         .preview = out.raw_key.substr(out.raw_key.size() - kPreviewLength),
                         .created_by = who.user_id,
                         .created_at = now,
                         .expires_at = expires_at};
  // Never the key, its hash or its preview: the audit log is readable by every team admin.
  const nlohmann::json details = {
      {"name", key.name},
      {"role", role_name(key.role)},
      {"expires_at", expires_at ? nlohmann::json(format_rfc3339(*expires_at)) : nullptr}};
  ChangeGuard changed(ctx_);
  auto done = write_audited(ctx_.store(),
                            make_audit(ctx_, actor_of(who, client), "api_key.create", out.key.id,
                                       std::string(team_id), details),
                            [&](Tx& tx) -> Result<void> {
                              auto role = require_team_role(tx, who, team_id, Role::admin);
                              if (!role) {
                                return fail(std::move(role.error()));
                              }
                              // A key never carries more than the hand that made it.
                              if (!role_includes(*role, key.role)) {
                                return fail(insufficient_role_error(key.role));
                              }
                              return tx.create_api_key(out.key);
                            });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return out;
}

Result<void> ApiKeyService::revoke(const Principal& who, std::string_view team_id,
                                   std::string_view key_id, const ClientInfo& client) {
  // After commit the access checker's cache drops the key: the next request with it fails.
  ChangeGuard changed(ctx_);
  return write_audited(ctx_.store(),
                       make_audit(ctx_, actor_of(who, client), "api_key.revoke",
                                  std::string(key_id), std::string(team_id)),
                       [&](Tx& tx) -> Result<void> {
                         auto role = require_team_role(tx, who, team_id, Role::admin);
                         if (!role) {
                           return fail(std::move(role.error()));
                         }
                         auto found = tx.get_api_key(team_id, key_id);
                         if (!found) {
                           return fail(std::move(found.error()));
                         }
                         if (!*found || (*found)->revoked_at) {
                           return fail(Error::not_found("no such API key"));
                         }
                         return tx.revoke_api_key(key_id, ctx_.clock().now());
                       });
}

}  // namespace berth
