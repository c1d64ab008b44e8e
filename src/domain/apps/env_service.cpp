#include "domain/apps/env_service.hpp"

#include <fmt/format.h>

#include <set>

#include "domain/apps/app_spec.hpp"
#include "domain/apps/apps_tx.hpp"
#include "domain/apps/deploy_policy.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/service_context.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

namespace {

std::string_view scope_name(EnvScope scope) { return scope == EnvScope::app ? "app" : "project"; }

Result<void> check_inputs(const std::vector<EnvInput>& vars) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    const auto& var = vars[i];
    const std::string field = fmt::format("vars[{}]", i);
    if (!is_valid_env_key(var.key)) {
      return fail(
          Error::validation(field + ".key", "keys must match ^[A-Za-z_][A-Za-z0-9_]{0,127}$"));
    }
    if (!seen.insert(var.key).second) {
      return fail(Error::validation(field + ".key", "a key is given twice"));
    }
    if (var.value.size() > kMaxEnvValue || var.value.find('\0') != std::string::npos) {
      return fail(Error::validation(field + ".value",
                                    "values must be at most 64 KiB and must not contain NUL"));
    }
  }
  if (vars.size() > kMaxEnvVars) {
    return fail(Error::validation("vars", "at most 500 vars per app or project"));
  }
  return {};
}

// Checks that the target is the team's.
Result<void> target_exists(Tx& tx, std::string_view team_id, const EnvTarget& target) {
  if (target.scope == EnvScope::app) {
    auto app = apps_tx::app(tx, team_id, target.id);
    return app ? Result<void>{} : fail(std::move(app.error()));
  }
  auto project = apps_tx::project(tx, team_id, target.id);
  return project ? Result<void>{} : fail(std::move(project.error()));
}

EnvEntry entry_of(const EnvVarRecord& var, std::string inherited_from) {
  return EnvEntry{.key = var.key,
                  .value = var.secret ? std::string(kMaskedValue) : var.value,
                  .secret = var.secret,
                  .inherited_from = std::move(inherited_from),
                  .updated_at = var.updated_at};
}

Result<std::vector<EnvEntry>> merged_list(Tx& tx, std::string_view team_id,
                                          const EnvTarget& target) {
  std::string project_id;
  if (target.scope == EnvScope::app) {
    auto app = apps_tx::app(tx, team_id, target.id);
    if (!app) {
      return fail(std::move(app.error()));
    }
    project_id = app->project_id;
  } else if (auto project = apps_tx::project(tx, team_id, target.id); !project) {
    return fail(std::move(project.error()));
  }
  auto own = tx.list_env_vars(scope_name(target.scope), target.id);
  if (!own) {
    return fail(std::move(own.error()));
  }
  std::map<std::string, EnvEntry> merged;
  if (!project_id.empty()) {
    auto inherited = tx.list_env_vars("project", project_id);
    if (!inherited) {
      return fail(std::move(inherited.error()));
    }
    for (const auto& var : *inherited) {
      merged[var.key] = entry_of(var, "project");
    }
  }
  for (const auto& var : *own) {
    merged[var.key] = entry_of(var, "");
  }
  std::vector<EnvEntry> out;
  for (auto& [key, entry] : merged) {
    out.push_back(std::move(entry));
  }
  return out;
}

Result<void> bump(Tx& tx, std::string_view team_id, const EnvTarget& target, TimePoint now) {
  if (target.scope == EnvScope::project) {
    return apps_tx::bump_project_apps(tx, team_id, target.id, now);
  }
  auto app = apps_tx::app(tx, team_id, target.id);
  if (!app) {
    return fail(std::move(app.error()));
  }
  app->config_version += 1;
  app->updated_at = now;
  return tx.update_app(*app);
}

// Env vars decide what runs too (LD_PRELOAD, NODE_OPTIONS, PATH, ...): on a guarded app, and
// on a project holding one (its apps inherit them), only admins change them (deploy_policy.hpp).
Result<void> check_env_policy(Tx& tx, std::string_view team_id, const EnvTarget& target,
                              Role role) {
  if (role_includes(role, Role::admin)) {
    return {};
  }
  const auto refuse_guarded = [](const AppRecord& app) -> Result<void> {
    if (guard_of(RunSpec{app.source, app.settings, app.server_id})) {
      Error error = admin_required_error("env");
      error.details["app_id"] = app.id;
      return fail(std::move(error));
    }
    return {};
  };
  if (target.scope == EnvScope::app) {
    auto app = apps_tx::app(tx, team_id, target.id);
    return app ? refuse_guarded(*app) : fail(std::move(app.error()));
  }
  return apps_tx::for_each_project_app(tx, team_id, target.id, refuse_guarded);
}

nlohmann::json keys_of(const EnvTarget& target, const std::vector<EnvInput>& vars) {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& var : vars) {
    keys.push_back(var.key);
  }
  return {{"scope", scope_name(target.scope)}, {"keys", keys}};
}

}  // namespace

Result<std::map<std::string, std::string>> resolve_app_env(Tx& tx, const crypto::Key& master_key,
                                                           const AppRecord& app) {
  std::vector<EnvVarRecord> vars;
  if (!app.project_id.empty()) {
    auto inherited = tx.list_env_vars("project", app.project_id);
    if (!inherited) {
      return fail(std::move(inherited.error()));
    }
    vars = std::move(*inherited);
  }
  auto own = tx.list_env_vars("app", app.id);
  if (!own) {
    return fail(std::move(own.error()));
  }
  vars.insert(vars.end(), own->begin(), own->end());
  std::map<std::string, std::string> env;
  for (const auto& var : vars) {
    if (!var.secret) {
      env[var.key] = var.value;
      continue;
    }
    auto opened = crypto::open_sealed(master_key, var.value_sealed);
    if (!opened) {
      return fail(Error::internal("cannot open the sealed env var " + var.key + " of " + app.id));
    }
    env[var.key] = std::move(*opened);
  }
  return env;
}

Result<std::vector<EnvEntry>> EnvService::list(const Principal& who, std::string_view team_id,
                                               const EnvTarget& target) {
  return read_value<std::vector<EnvEntry>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<EnvEntry>> {
        if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
          return fail(std::move(role.error()));
        }
        return merged_list(tx, team_id, target);
      });
}

Result<std::vector<EnvEntry>> EnvService::replace(const Principal& who, std::string_view team_id,
                                                  const EnvTarget& target,
                                                  const std::vector<EnvInput>& vars,
                                                  const ClientInfo& client) {
  return change(who, team_id, target, vars, true, client);
}

Result<std::vector<EnvEntry>> EnvService::set(const Principal& who, std::string_view team_id,
                                              const EnvTarget& target,
                                              const std::vector<EnvInput>& vars,
                                              const ClientInfo& client) {
  return change(who, team_id, target, vars, false, client);
}

Result<std::vector<EnvEntry>> EnvService::change(const Principal& who, std::string_view team_id,
                                                 const EnvTarget& target,
                                                 const std::vector<EnvInput>& vars,
                                                 bool replace_all, const ClientInfo& client) {
  if (auto ok = check_inputs(vars); !ok) {
    return fail(std::move(ok.error()));
  }
  const std::string scope(scope_name(target.scope));
  return apps_tx::write_value<std::vector<EnvEntry>>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), replace_all ? "env.replace" : "env.set", target.id,
                 std::string(team_id), keys_of(target, vars)),
      [&](Tx& tx) -> Result<std::vector<EnvEntry>> {
        auto role = require_team_role(tx, who, team_id, Role::member);
        if (!role) {
          return fail(std::move(role.error()));
        }
        if (auto ok = target_exists(tx, team_id, target); !ok) {
          return fail(std::move(ok.error()));
        }
        if (auto ok = check_env_policy(tx, team_id, target, *role); !ok) {
          return fail(std::move(ok.error()));
        }
        auto stored = tx.list_env_vars(scope, target.id);
        if (!stored) {
          return fail(std::move(stored.error()));
        }
        std::map<std::string, EnvVarRecord> existing;
        for (auto& var : *stored) {
          existing[var.key] = std::move(var);
        }
        const TimePoint now = ctx_.clock().now();
        std::map<std::string, EnvVarRecord> next = replace_all ? decltype(existing){} : existing;
        for (const auto& input : vars) {
          const auto old = existing.find(input.key);
          const bool was_secret = old != existing.end() && old->second.secret;
          EnvVarRecord var{.scope = scope,
                           .scope_id = target.id,
                           .key = input.key,
                           .secret = input.secret.value_or(was_secret),
                           .value = {},
                           .value_sealed = {},
                           .updated_at = now};
          if (var.secret && was_secret && input.value == kMaskedValue) {
            var.value_sealed = old->second.value_sealed;
            var.updated_at = old->second.updated_at;
          } else if (var.secret) {
            var.value_sealed = crypto::seal(ctx_.services.master_key, ctx_.random(), input.value);
          } else {
            var.value = input.value;
          }
          next[input.key] = std::move(var);
        }
        if (next.size() > kMaxEnvVars) {
          return fail(Error::validation("vars", "at most 500 vars per app or project"));
        }
        std::vector<EnvVarRecord> rows;
        for (auto& [key, var] : next) {
          rows.push_back(std::move(var));
        }
        if (auto ok = tx.replace_env_vars(scope, target.id, rows); !ok) {
          return fail(std::move(ok.error()));
        }
        if (auto ok = bump(tx, team_id, target, now); !ok) {
          return fail(std::move(ok.error()));
        }
        return merged_list(tx, team_id, target);
      });
}

Result<void> EnvService::remove(const Principal& who, std::string_view team_id,
                                const EnvTarget& target, std::string_view key,
                                const ClientInfo& client) {
  return write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "env.delete", target.id, std::string(team_id),
                 {{"scope", scope_name(target.scope)}, {"keys", {std::string(key)}}}),
      [&](Tx& tx) -> Result<void> {
        auto role = require_team_role(tx, who, team_id, Role::member);
        if (!role) {
          return fail(std::move(role.error()));
        }
        if (auto ok = target_exists(tx, team_id, target); !ok) {
          return ok;
        }
        if (auto ok = check_env_policy(tx, team_id, target, *role); !ok) {
          return ok;
        }
        auto deleted = tx.delete_env_var(scope_name(target.scope), target.id, key);
        if (!deleted) {
          return fail(std::move(deleted.error()));
        }
        if (!*deleted) {
          return fail(Error::not_found("no such env var"));
        }
        return bump(tx, team_id, target, ctx_.clock().now());
      });
}

Result<std::string> EnvService::reveal(const Principal& who, std::string_view team_id,
                                       const EnvTarget& target, std::string_view key,
                                       const ClientInfo& client) {
  // The attempt is recorded whatever its outcome, so this runs as one write that commits
  // the audit entry even when the answer is an error.
  Result<std::string> out = fail(Error::not_found("no such env var"));
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    out = [&]() -> Result<std::string> {
      if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
        return fail(std::move(role.error()));
      }
      if (auto ok = target_exists(tx, team_id, target); !ok) {
        return fail(std::move(ok.error()));
      }
      auto found = tx.list_env_vars(scope_name(target.scope), target.id);
      if (!found) {
        return fail(std::move(found.error()));
      }
      std::vector<EnvVarRecord> vars = std::move(*found);
      if (target.scope == EnvScope::app) {
        auto app = apps_tx::app(tx, team_id, target.id);
        if (app && !app->project_id.empty()) {
          auto inherited = tx.list_env_vars("project", app->project_id);
          if (!inherited) {
            return fail(std::move(inherited.error()));
          }
          vars.insert(vars.end(), inherited->begin(), inherited->end());
        }
      }
      for (const auto& var : vars) {
        if (var.key == key) {
          return var.secret ? crypto::open_sealed(ctx_.services.master_key, var.value_sealed)
                            : var.value;
        }
      }
      return fail(Error::not_found("no such env var"));
    }();
    const bool expected =
        out || out.error().kind == ErrorKind::not_found || out.error().kind == ErrorKind::forbidden;
    if (!expected) {
      return fail(out.error());
    }
    const std::string outcome =
        out ? "success" : (out.error().kind == ErrorKind::forbidden ? "denied" : "failure");
    return tx.append_audit(
        make_audit(ctx_, actor_of(who, client), "env.reveal", target.id, std::string(team_id),
                   {{"scope", scope_name(target.scope)}, {"key", std::string(key)}}, outcome));
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return out;
}

}  // namespace berth
