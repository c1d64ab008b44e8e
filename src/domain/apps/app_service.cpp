#include "domain/apps/app_service.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "core/ids.hpp"
#include "domain/apps/app_spec.hpp"
#include "domain/apps/apps_tx.hpp"
#include "domain/apps/deploy_policy.hpp"
#include "domain/domains/hostname_claims.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "domain/routing/panel_route.hpp"

namespace berth {

namespace {

using nlohmann::json;

bool movable(const AppRecord& app) {
  return app.status == "new" || app.status == "stopped" || app.status == "failed";
}

Error no_such(std::string field, std::string what) {
  return Error::validation(std::move(field), "no such " + what + " in the team");
}

// Inside the write: checks the references, hostname and policy of `app` as it would be
// stored. `before` is the stored app (nullopt on create).
class Placement {
 public:
  Placement(Tx& tx, std::string_view team_id, Role role) : tx_(tx), team_(team_id), role_(role) {}

  Result<ServerRecord> server(const std::string& id) {
    if (!is_valid_id("srv", id)) {
      return fail(no_such("server_id", "server"));
    }
    auto found = tx_.get_server(team_, id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(no_such("server_id", "server"));
    }
    return std::move(**found);
  }

  Result<void> project(const std::string& id) {
    if (id.empty()) {
      return {};
    }
    if (!is_valid_id("prj", id)) {
      return fail(no_such("project_id", "project"));
    }
    auto found = tx_.get_project(team_, id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    return *found ? Result<void>{} : fail(no_such("project_id", "project"));
  }

  // The deploy policy for a caller below admin (deploy_policy.hpp); named volumes a member
  // adds go into the team's namespace first. `before` is null on create.
  Result<void> policy(AppRecord& app, const AppRecord* before) {
    if (role_includes(role_, Role::admin)) {
      return {};
    }
    if (auto named =
            namespace_member_volumes(app.settings, before ? before->settings : json(), team_);
        !named) {
      return named;
    }
    std::optional<RunSpec> old;
    if (before != nullptr) {
      old.emplace(RunSpec{before->source, before->settings, before->server_id});
    }
    if (auto field = admin_only_change(old, RunSpec{app.source, app.settings, app.server_id})) {
      return fail(admin_required_error(*field));
    }
    return {};
  }

  Result<void> hostname_free(const AppRecord& app) {
    if (!is_valid_app_hostname(app.hostname)) {
      return fail(Error::validation(
          "hostname",
          "hostname must be a lower-case DNS name of two labels or more, not an IP address or a "
          "bare name like localhost (set one: the server's address gives no usable default)"));
    }
    auto apps = tx_.list_server_apps(app.server_id);
    if (!apps) {
      return fail(std::move(apps.error()));
    }
    for (const auto& other : *apps) {
      if (other.id != app.id && other.hostname == app.hostname) {
        return fail(
            with_code(Error::conflict("another app on this server answers to this hostname"),
                      "hostname_taken"));
      }
    }
    return {};
  }

 private:
  Tx& tx_;
  std::string team_;
  Role role_;
};

Result<void> app_name_checked(Result<void> written) {
  if (!written && written.error().kind == ErrorKind::conflict) {
    return fail(
        with_code(Error::conflict("an app with this name exists in the team"), "app_name_taken"));
  }
  return written;
}

Result<json> merged_source(const json& stored, const json& patch) {
  if (patch.is_object() && patch.contains("type") && patch["type"] != stored.value("type", "")) {
    return normalize_source(patch);
  }
  json out = stored;
  out.merge_patch(patch);
  return normalize_source(out);
}

Result<AppView> view_of(Tx& tx, AppRecord app) {
  auto proxy = apps_tx::proxy_or_default(tx, app.server_id);
  if (!proxy) {
    return fail(std::move(proxy.error()));
  }
  return AppView{.app = std::move(app), .proxy = std::move(*proxy)};
}

// A volume's backup policy belongs to its mount (by target): once the app no longer mounts a
// named volume there, the policy goes with the mount (it could not be reached through the
// volume's name any more, and every run would fail).
Result<void> drop_unmounted_volume_policies(Tx& tx, const AppRecord& app) {
  auto policies = tx.list_volume_backup_policies(app.team_id, app.id);
  if (!policies) {
    return fail(std::move(policies.error()));
  }
  const json volumes = app.settings.value("volumes", json::array());
  for (const auto& policy : *policies) {
    const bool mounted = std::any_of(volumes.begin(), volumes.end(), [&](const json& mount) {
      const std::string source = mount.value("source", "");
      return mount.value("target", "") == policy.mount_target && !source.empty() &&
             !source.starts_with('/');
    });
    if (mounted) {
      continue;
    }
    if (auto dropped = tx.delete_volume_backup_policy(app.id, policy.mount_target); !dropped) {
      return fail(std::move(dropped.error()));
    }
  }
  return {};
}

}  // namespace

Result<Page<AppView>> AppService::list(const Principal& who, std::string_view team_id,
                                       const AppFilter& filter, const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ok = check_filter(filter.q, "q"); !ok) {
    return fail(std::move(ok.error()));
  }
  if (!filter.project_id.empty() && !is_valid_id("prj", filter.project_id)) {
    return fail(Error::validation("project_id", "project_id is not a project id"));
  }
  if (!filter.server_id.empty() && !is_valid_id("srv", filter.server_id)) {
    return fail(Error::validation("server_id", "server_id is not a server id"));
  }
  return read_value<Page<AppView>>(ctx_.store(), [&](Tx& tx) -> Result<Page<AppView>> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto apps = tx.list_apps(AppQuery{.team_id = std::string(team_id),
                                      .project_id = filter.project_id,
                                      .server_id = filter.server_id,
                                      .q = filter.q,
                                      .page = page.page,
                                      .per_page = page.per_page});
    if (!apps) {
      return fail(std::move(apps.error()));
    }
    Page<AppView> out{.items = {}, .total = apps->total};
    std::map<std::string, ProxySettingsRecord> proxies;
    for (auto& app : apps->items) {
      if (!proxies.contains(app.server_id)) {
        auto proxy = apps_tx::proxy_or_default(tx, app.server_id);
        if (!proxy) {
          return fail(std::move(proxy.error()));
        }
        proxies[app.server_id] = std::move(*proxy);
      }
      ProxySettingsRecord proxy = proxies[app.server_id];
      out.items.push_back(AppView{.app = std::move(app), .proxy = std::move(proxy)});
    }
    return out;
  });
}

Result<AppRecord> AppService::get(const Principal& who, std::string_view team_id,
                                  std::string_view app_id) {
  return read_value<AppRecord>(ctx_.store(), [&](Tx& tx) -> Result<AppRecord> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    return apps_tx::app(tx, team_id, app_id);
  });
}

Result<AppView> AppService::show(const Principal& who, std::string_view team_id,
                                 std::string_view app_id) {
  return read_value<AppView>(ctx_.store(), [&](Tx& tx) -> Result<AppView> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto app = apps_tx::app(tx, team_id, app_id);
    if (!app) {
      return fail(std::move(app.error()));
    }
    return view_of(tx, std::move(*app));
  });
}

Result<AppView> AppService::create(const Principal& who, std::string_view team_id,
                                   const AppInput& input, const ClientInfo& client) {
  if (auto ok = check_app_name(input.name); !ok) {
    return fail(std::move(ok.error()));
  }
  auto source = normalize_source(input.source);
  if (!source) {
    return fail(std::move(source.error()));
  }
  auto settings = normalize_settings(input.settings, (*source)["type"].get<std::string>());
  if (!settings) {
    return fail(std::move(settings.error()));
  }
  const TimePoint now = ctx_.clock().now();
  AppRecord app{.id = ctx_.ids().next("app"),
                .team_id = std::string(team_id),
                .project_id = input.project_id,
                .name = input.name,
                .server_id = input.server_id,
                .source = std::move(*source),
                .settings = std::move(*settings),
                .hostname = input.hostname,
                .created_at = now,
                .updated_at = now};
  return apps_tx::write_value<AppView>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "app.create", app.id, std::string(team_id),
                 {{"name", app.name},
                  {"server_id", app.server_id},
                  {"project_id", app.project_id},
                  {"source_type", app.source["type"]}}),
      [&](Tx& tx) -> Result<AppView> {
        auto role = require_team_role(tx, who, team_id, Role::member);
        if (!role) {
          return fail(std::move(role.error()));
        }
        Placement place(tx, team_id, *role);
        auto server = place.server(app.server_id);
        if (!server) {
          return fail(std::move(server.error()));
        }
        auto proxy = tx.get_proxy_settings(app.server_id);
        if (!proxy) {
          return fail(std::move(proxy.error()));
        }
        if (app.hostname.empty()) {
          auto free = first_free_hostname(tx, app, default_hostname(app, *server, *proxy),
                                          panel_hostname(ctx_.services.public_url));
          if (!free) {
            return fail(std::move(free.error()));
          }
          app.hostname = std::move(*free);
        }
        for (auto step : {place.project(app.project_id), place.policy(app, nullptr),
                          place.hostname_free(app)}) {
          if (!step) {
            return fail(std::move(step.error()));
          }
        }
        if (auto created = app_name_checked(tx.create_app(app)); !created) {
          return fail(std::move(created.error()));
        }
        if (auto primary = sync_primary_domain(tx, app, ctx_.ids(), now,
                                               panel_hostname(ctx_.services.public_url));
            !primary) {
          return fail(std::move(primary.error()));
        }
        return view_of(tx, app);
      });
}

Result<AppView> AppService::update(const Principal& who, std::string_view team_id,
                                   std::string_view app_id, const AppPatch& patch,
                                   const ClientInfo& client) {
  if (patch.name) {
    if (auto ok = check_app_name(*patch.name); !ok) {
      return fail(std::move(ok.error()));
    }
  }
  json details = json::object();
  for (const auto& [field, given] : std::initializer_list<std::pair<const char*, bool>>{
           {"name", patch.name.has_value()},
           {"project_id", patch.project_id.has_value()},
           {"server_id", patch.server_id.has_value()},
           {"source", patch.source.has_value()},
           {"settings", patch.settings.has_value()},
           {"hostname", patch.hostname.has_value()}}) {
    if (given) {
      details["changed"].push_back(field);
    }
  }
  std::optional<AppRecord> before;
  auto updated = apps_tx::write_value<AppView>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "app.update", std::string(app_id),
                 std::string(team_id), details),
      [&](Tx& tx) -> Result<AppView> {
        auto role = require_team_role(tx, who, team_id, Role::member);
        if (!role) {
          return fail(std::move(role.error()));
        }
        auto found = apps_tx::app(tx, team_id, app_id);
        if (!found) {
          return fail(std::move(found.error()));
        }
        before = *found;
        AppRecord app = std::move(*found);
        Placement place(tx, team_id, *role);
        auto old_server = place.server(app.server_id);
        if (!old_server) {
          return fail(std::move(old_server.error()));
        }
        auto old_proxy = tx.get_proxy_settings(app.server_id);
        if (!old_proxy) {
          return fail(std::move(old_proxy.error()));
        }
        const bool had_default = app.hostname == default_hostname(app, *old_server, *old_proxy);
        app.name = patch.name.value_or(app.name);
        const bool leaves_project = patch.project_id && *patch.project_id != app.project_id;
        const bool leaves_server = patch.server_id && *patch.server_id != app.server_id;
        if (leaves_project || leaves_server) {
          // A link holds only within one project on one server (the project network).
          auto links = tx.list_app_links(app.id);
          if (!links) {
            return fail(std::move(links.error()));
          }
          if (!links->empty()) {
            return fail(with_code(Error::conflict("the app is linked to services of its project "
                                                  "on its server; unlink them before moving it"),
                                  "app_linked"));
          }
        }
        if (patch.project_id) {
          if (auto ok = place.project(*patch.project_id); !ok) {
            return fail(std::move(ok.error()));
          }
          app.project_id = *patch.project_id;
        }
        ServerRecord server = *old_server;
        if (patch.server_id && *patch.server_id != app.server_id) {
          auto moved = place.server(*patch.server_id);
          if (!moved) {
            return fail(std::move(moved.error()));
          }
          if (!movable(app)) {
            return fail(with_code(
                Error::conflict("stop the app before moving it to another server"), "app_running"));
          }
          server = std::move(*moved);
          app.server_id = server.id;
        }
        if (patch.source) {
          auto source = merged_source(app.source, *patch.source);
          if (!source) {
            return fail(std::move(source.error()));
          }
          app.source = std::move(*source);
        }
        json settings = app.settings;
        settings.merge_patch(patch.settings.value_or(json::object()));
        auto normalized = normalize_settings(settings, app.source["type"].get<std::string>());
        if (!normalized) {
          return fail(std::move(normalized.error()));
        }
        app.settings = std::move(*normalized);
        if (auto ok = place.policy(app, &*before); !ok) {
          return fail(std::move(ok.error()));
        }
        auto proxy = tx.get_proxy_settings(app.server_id);
        if (!proxy) {
          return fail(std::move(proxy.error()));
        }
        if (patch.hostname && !patch.hostname->empty()) {
          app.hostname = *patch.hostname;
        } else if (patch.hostname || had_default) {
          auto free = first_free_hostname(tx, app, default_hostname(app, server, *proxy),
                                          panel_hostname(ctx_.services.public_url));
          if (!free) {
            return fail(std::move(free.error()));
          }
          app.hostname = std::move(*free);
        }
        if (auto ok = place.hostname_free(app); !ok) {
          return fail(std::move(ok.error()));
        }
        if (app.source != before->source || app.settings != before->settings ||
            app.server_id != before->server_id) {
          app.config_version += 1;
        }
        app.updated_at = ctx_.clock().now();
        if (auto written = app_name_checked(tx.update_app(app)); !written) {
          return fail(std::move(written.error()));
        }
        if (auto dropped = drop_unmounted_volume_policies(tx, app); !dropped) {
          return fail(std::move(dropped.error()));
        }
        if (auto primary = sync_primary_domain(tx, app, ctx_.ids(), app.updated_at,
                                               panel_hostname(ctx_.services.public_url));
            !primary) {
          return fail(std::move(primary.error()));
        }
        return view_of(tx, app);
      });
  if (!updated) {
    return updated;
  }
  const AppRecord& app = updated->app;
  if (lifecycle_ != nullptr && !app.current_deployment_id.empty()) {
    if (app.server_id != before->server_id) {
      lifecycle_->routes_changed(before->server_id);
      lifecycle_->routes_changed(app.server_id);
    } else if (app.hostname != before->hostname) {
      lifecycle_->routes_changed(app.server_id);
    }
  }
  return updated;
}

Result<void> AppService::remove(const Principal& who, std::string_view team_id,
                                std::string_view app_id, const ClientInfo& client) {
  std::optional<AppRecord> removed;
  auto done =
      write_audited(ctx_.store(),
                    make_audit(ctx_, actor_of(who, client), "app.delete", std::string(app_id),
                               std::string(team_id)),
                    [&](Tx& tx) -> Result<void> {
                      if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
                        return fail(std::move(role.error()));
                      }
                      auto app = apps_tx::app(tx, team_id, app_id);
                      if (!app) {
                        return fail(std::move(app.error()));
                      }
                      removed = std::move(*app);
                      return tx.delete_app(app_id);
                    });
  if (!done) {
    return done;
  }
  if (lifecycle_ != nullptr) {
    lifecycle_->app_removed(*removed);
  }
  return {};
}

}  // namespace berth
