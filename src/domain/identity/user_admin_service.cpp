#include "domain/identity/user_admin_service.hpp"

#include <optional>

#include "domain/identity/accounts.hpp"
#include "domain/identity/api_key_service.hpp"
#include "domain/kernel/audit.hpp"

namespace berth {

Result<void> require_instance_admin(Tx& tx, const Principal& who) {
  // API keys act for one team, never for the instance.
  if (who.credential == CredentialKind::api_key || !who.is_instance_admin) {
    return fail(insufficient_role_error(Role::instance_admin));
  }
  // The stored account decides, not the principal: it may have been demoted a moment ago.
  auto user = tx.get_user(who.user_id);
  if (!user) {
    return fail(std::move(user.error()));
  }
  if (!*user || !(*user)->is_active || !(*user)->is_instance_admin) {
    return fail(insufficient_role_error(Role::instance_admin));
  }
  return {};
}

Result<UserRecord> admin_target(Tx& tx, const Principal& who, std::string_view user_id) {
  if (auto admin = require_instance_admin(tx, who); !admin) {
    return fail(std::move(admin.error()));
  }
  return require_user(tx, user_id);
}

Result<Page<UserRecord>> UserAdminService::list_users(const Principal& who, std::string_view q,
                                                      const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ok = check_filter(q, "q"); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<UserRecord>>(ctx_.store(), [&](Tx& tx) -> Result<Page<UserRecord>> {
    if (auto admin = require_instance_admin(tx, who); !admin) {
      return fail(std::move(admin.error()));
    }
    return tx.list_users(q, page.page, page.per_page);
  });
}

Result<UserRecord> UserAdminService::get_user(const Principal& who, std::string_view user_id) {
  return read_value<UserRecord>(ctx_.store(),
                                [&](Tx& tx) { return admin_target(tx, who, user_id); });
}

Result<UserRecord> UserAdminService::update_user(const Principal& who, std::string_view user_id,
                                                 const UserChanges& changes,
                                                 const ClientInfo& client) {
  if (changes.display_name) {
    if (auto ok = check_display_name(*changes.display_name); !ok) {
      return fail(std::move(ok.error()));
    }
  }
  const bool deactivates = changes.is_active && !*changes.is_active;
  const bool demotes = changes.is_instance_admin && !*changes.is_instance_admin;
  if (user_id == who.user_id && (deactivates || demotes)) {
    // Otherwise the last administrator could lock the whole instance out of administration.
    return fail(Error::conflict(
        "you cannot deactivate or demote yourself; ask another instance administrator"));
  }
  const TimePoint now = ctx_.clock().now();
  const Actor actor{.user_id = who.user_id,
                    .request_id = client.request_id,
                    .source_address = client.source_address};
  std::optional<UserRecord> out;
  // Cached principals carry is_instance_admin, and a deactivated user's credentials must fail
  // on the very next request: drop every cached check once this commits.
  ChangeGuard changed(ctx_);
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto user = admin_target(tx, who, user_id);
    if (!user) {
      return fail(std::move(user.error()));
    }
    nlohmann::json details = {{"fields", nlohmann::json::array()}};
    bool deactivated = false;
    if (changes.is_active && *changes.is_active != user->is_active) {
      deactivated = !*changes.is_active;
      user->is_active = *changes.is_active;
      details["fields"].push_back("is_active");
      details["is_active"] = user->is_active;
    }
    if (changes.is_instance_admin && *changes.is_instance_admin != user->is_instance_admin) {
      user->is_instance_admin = *changes.is_instance_admin;
      details["fields"].push_back("is_instance_admin");
      details["is_instance_admin"] = user->is_instance_admin;
    }
    if (changes.display_name && *changes.display_name != user->display_name) {
      user->display_name = *changes.display_name;
      details["fields"].push_back("display_name");
    }
    if (details["fields"].empty()) {
      out = std::move(*user);
      return {};  // nothing changed: nothing to record
    }
    user->updated_at = now;
    if (auto saved = tx.update_user(*user); !saved) {
      return saved;
    }
    if (deactivated) {
      if (auto revoked = tx.revoke_user_sessions(user->id, "", now); !revoked) {
        return revoked;
      }
      if (auto revoked = tx.revoke_user_refresh_tokens(user->id, now); !revoked) {
        return revoked;
      }
    }
    if (auto logged =
            tx.append_audit(make_audit(ctx_, actor, "user.update", user->id, {}, details));
        !logged) {
      return logged;
    }
    out = std::move(*user);
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*out);
}

Result<Page<TeamRecord>> UserAdminService::list_teams(const Principal& who, std::string_view q,
                                                      const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ok = check_filter(q, "q"); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<TeamRecord>>(ctx_.store(), [&](Tx& tx) -> Result<Page<TeamRecord>> {
    if (auto admin = require_instance_admin(tx, who); !admin) {
      return fail(std::move(admin.error()));
    }
    return tx.list_teams(q, page.page, page.per_page);
  });
}

}  // namespace berth
