#include "domain/apps/edge_service.hpp"

#include <map>

#include "core/bcrypt.hpp"
#include "domain/apps/apps_tx.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

namespace {

using nlohmann::json;

// A well-formed hash standing in for passwords while the rest of the document is checked, so
// that a document refused for another field costs no bcrypt round.
constexpr const char* kStandInHash = "$2b$04$abcdefghijklmnopqrstuu5Rr0JbGmIAhZpYqW3pnkmMhxmQeBKCm";

Result<EdgeView> stored_edge_view(Tx& tx, std::string_view app_id) {
  auto stored = tx.get_app_edge(app_id);
  if (!stored) {
    return fail(std::move(stored.error()));
  }
  if (!*stored) {
    return EdgeView{};
  }
  auto rules = edge::parse_edge_rules((*stored)->rules);
  if (!rules) {
    return fail(Error::internal("stored edge rules of " + std::string(app_id) +
                                " do not parse: " + rules.error().message));
  }
  return EdgeView{.rules = std::move(*rules), .updated_at = (*stored)->updated_at};
}

// What a user asked for one basic-auth user: a password to hash, or "" (a hash given, or the
// stored one kept).
struct UserInput {
  std::string password = {};
};

// Checks basic_auth.users and swaps each password for the stand-in hash; `users` gets the
// passwords to hash, by position.
Result<json> with_stand_ins(json document, std::vector<UserInput>& users) {
  if (!document.is_object() || !document.contains("basic_auth") ||
      !document["basic_auth"].is_object() || !document["basic_auth"].contains("users") ||
      !document["basic_auth"]["users"].is_array()) {
    return document;  // nothing to swap; parse_edge_rules names whatever is wrong
  }
  for (std::size_t i = 0; i < document["basic_auth"]["users"].size(); ++i) {
    json& user = document["basic_auth"]["users"][i];
    const std::string field = "basic_auth.users[" + std::to_string(i) + "]";
    if (!user.is_object()) {
      return document;
    }
    UserInput input;
    if (user.contains("password")) {
      const json& password = user["password"];
      if (user.contains("password_hash")) {
        return fail(Error::validation(field + ".password",
                                      field + ": give password or password_hash, not both"));
      }
      if (!password.is_string() || password.get<std::string>().empty() ||
          password.get<std::string>().size() > crypto::kMaxBcryptPassword ||
          password.get<std::string>().find('\0') != std::string::npos) {
        return fail(Error::validation(field + ".password",
                                      field + ".password must be 1-72 bytes without NUL"));
      }
      input.password = password.get<std::string>();
      user.erase("password");
      user["password_hash"] = kStandInHash;
    } else if (!user.contains("password_hash")) {
      user["password_hash"] = kStandInHash;  // kept: the stored hash replaces it
    }
    users.push_back(std::move(input));
  }
  return document;
}

// The hashes in place of the stand-ins: new passwords hashed, kept users given their stored
// hash (a user new to the app without a password is refused).
Result<void> settle_hashes(edge::EdgeRules& rules, const json& document,
                           const std::vector<UserInput>& inputs, const edge::EdgeRules& stored,
                           Random& random) {
  std::map<std::string, std::string, std::less<>> kept;
  for (const auto& user : stored.users) {
    kept[user.username] = user.password_hash;
  }
  for (std::size_t i = 0; i < rules.users.size() && i < inputs.size(); ++i) {
    auto& user = rules.users[i];
    const bool gave_hash = document["basic_auth"]["users"][i].contains("password_hash");
    if (!inputs[i].password.empty()) {
      auto hash = crypto::bcrypt_hash(inputs[i].password, random);
      if (!hash) {
        return fail(std::move(hash.error()));
      }
      user.password_hash = std::move(*hash);
    } else if (!gave_hash) {
      const auto found = kept.find(user.username);
      if (found == kept.end()) {
        const std::string field = "basic_auth.users[" + std::to_string(i) + "].password";
        return fail(Error::validation(field, field + " is required for a new user"));
      }
      user.password_hash = found->second;
    }
  }
  return {};
}

// The audit entry's details: what the rules hold, never a hash.
json audit_details(const edge::EdgeRules& rules) {
  json usernames = json::array();
  for (const auto& user : rules.users) {
    usernames.push_back(user.username);
  }
  json set_names = json::array();
  for (const auto& [name, value] : rules.headers.set) {
    set_names.push_back(name);
  }
  return {{"redirects", rules.redirects.size()},      {"headers_set", std::move(set_names)},
          {"headers_removed", rules.headers.remove},  {"allow_ips", rules.allow_ips},
          {"basic_auth_users", std::move(usernames)}, {"max_body_bytes", rules.max_body_bytes},
          {"maintenance", rules.maintenance.enabled}};
}

}  // namespace

Result<EdgeView> EdgeService::get(const Principal& who, std::string_view team_id,
                                  std::string_view app_id) {
  return read_value<EdgeView>(ctx_.store(), [&](Tx& tx) -> Result<EdgeView> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    if (auto app = apps_tx::app(tx, team_id, app_id); !app) {
      return fail(std::move(app.error()));
    }
    return stored_edge_view(tx, app_id);
  });
}

Result<EdgeView> EdgeService::put(const Principal& who, std::string_view team_id,
                                  std::string_view app_id, const json& document,
                                  const ClientInfo& client) {
  std::vector<UserInput> inputs;
  auto checked = with_stand_ins(document, inputs);
  if (!checked) {
    return fail(std::move(checked.error()));
  }
  auto rules = edge::parse_edge_rules(*checked);
  if (!rules) {
    return fail(std::move(rules.error()));
  }
  // The kept hashes are read before the write's transaction: bcrypt must not run inside it.
  // A concurrent change of the same app's users in between is the later writer's to win.
  auto before = get(who, team_id, app_id);
  if (!before) {
    return fail(std::move(before.error()));
  }
  if (auto settled = settle_hashes(*rules, document, inputs, before->rules, ctx_.random());
      !settled) {
    return fail(std::move(settled.error()));
  }
  const AppEdgeRecord record{.app_id = std::string(app_id),
                             .rules = edge::edge_rules_json(*rules),
                             .updated_at = ctx_.clock().now()};
  std::string server_id;
  bool serving = false;
  auto written =
      write_audited(ctx_.store(),
                    make_audit(ctx_, actor_of(who, client), "app.edge", std::string(app_id),
                               std::string(team_id), audit_details(*rules)),
                    [&](Tx& tx) -> Result<void> {
                      if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
                        return fail(std::move(role.error()));
                      }
                      auto app = apps_tx::app(tx, team_id, app_id);
                      if (!app) {
                        return fail(std::move(app.error()));
                      }
                      server_id = app->server_id;
                      serving = !app->current_deployment_id.empty();
                      return tx.put_app_edge(record);
                    });
  if (!written) {
    return fail(std::move(written.error()));
  }
  if (lifecycle_ != nullptr && serving) {
    lifecycle_->routes_changed(server_id);
  }
  return EdgeView{.rules = std::move(*rules), .updated_at = record.updated_at};
}

}  // namespace berth
