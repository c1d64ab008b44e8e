// ManagedServices: links. A link writes the service's URL and its parts as the app's secret
// env vars (sealed, masked in lists, part of the app's config like any env var) and remembers
// which keys it wrote, so unlinking removes exactly those. The app's next deployment joins the
// project's network (the pipeline reads the links).
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "domain/apps/apps_tx.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "domain/services/managed_services.hpp"
#include "domain/services/service_records_tx.hpp"

namespace berth {

namespace {

using nlohmann::json;

Result<void> bump_app(Tx& tx, AppRecord app, TimePoint now) {
  app.config_version += 1;
  app.updated_at = now;
  return tx.update_app(app);
}

// The link of the app to the service, nullopt when there is none.
Result<std::optional<ServiceLinkRecord>> existing_link(Tx& tx, const std::string& app_id,
                                                       std::string_view service_id) {
  auto links = tx.list_app_links(app_id);
  if (!links) {
    return fail(std::move(links.error()));
  }
  for (auto& link : *links) {
    if (link.service_id == service_id) {
      return std::optional(std::move(link));
    }
  }
  return std::optional<ServiceLinkRecord>();
}

Result<void> drop_keys(Tx& tx, const std::string& app_id, const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    if (auto dropped = tx.delete_env_var("app", app_id, key); !dropped) {
      return fail(std::move(dropped.error()));
    }
  }
  return {};
}

Error link_refused(std::string message) {
  return Error::validation("service_id", std::move(message));
}

}  // namespace

Result<std::vector<ServiceLinkView>> ManagedServices::links(const Principal& who,
                                                            std::string_view team_id,
                                                            std::string_view app_id) {
  using Views = std::vector<ServiceLinkView>;
  return read_value<Views>(ctx_.store(), [&](Tx& tx) -> Result<Views> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto app = apps_tx::app(tx, team_id, app_id);
    if (!app) {
      return fail(std::move(app.error()));
    }
    auto links = tx.list_app_links(app->id);
    if (!links) {
      return fail(std::move(links.error()));
    }
    Views out;
    for (auto& link : *links) {
      auto service = services_tx::service(tx, team_id, link.service_id);
      if (!service) {
        return fail(std::move(service.error()));
      }
      out.push_back(ServiceLinkView{.link = std::move(link),
                                    .app_name = app->name,
                                    .service_name = service->name,
                                    .service_engine = service->engine});
    }
    return out;
  });
}

Result<ServiceLinkView> ManagedServices::link(const Principal& who, std::string_view team_id,
                                              std::string_view app_id, std::string_view service_id,
                                              std::string_view env_prefix,
                                              const ClientInfo& client) {
  if (!is_valid_id("svc", service_id)) {
    return fail(Error::validation("service_id", "service_id is not a service id"));
  }
  const TimePoint now = ctx_.clock().now();
  return write_audited_value<ServiceLinkView>(
      ctx_.store(),
      make_audit(
          ctx_, actor_of(who, client), "app.link", std::string(app_id), std::string(team_id),
          {{"service_id", std::string(service_id)}, {"env_prefix", std::string(env_prefix)}}),
      [&](Tx& tx) -> Result<ServiceLinkView> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        auto app = apps_tx::app(tx, team_id, app_id);
        if (!app) {
          return fail(std::move(app.error()));
        }
        auto found = tx.get_service(team_id, service_id);
        if (!found) {
          return fail(std::move(found.error()));
        }
        if (!*found) {
          return fail(link_refused("no such service in the team"));
        }
        const ServiceRecord& service = **found;
        if (app->project_id != service.project_id) {
          return fail(link_refused(
              "the service is in another project: an app uses the services of its own project"));
        }
        if (app->server_id != service.server_id) {
          return fail(link_refused(
              "the service runs on another server: an app reaches services on its own server "
              "only (the project network is a bridge on one host)"));
        }
        if (app->settings.value("network_mode", "bridge") == "host") {
          return fail(
              link_refused("the app uses host networking and cannot join the project's network"));
        }
        auto credentials = services_tx::open_credentials(ctx_, service.credentials_sealed);
        if (!credentials) {
          return fail(std::move(credentials.error()));
        }
        json spec = service.spec;
        spec["engine"] = service.engine;
        auto env = link_env(spec, *credentials, service.name, env_prefix);
        if (!env) {
          return fail(std::move(env.error()));
        }
        auto before = existing_link(tx, app->id, service.id);
        auto vars = tx.list_env_vars("app", app->id);
        if (!before || !vars) {
          return fail(!before ? std::move(before.error()) : std::move(vars.error()));
        }
        const std::vector<std::string> ours =
            *before ? (**before).env_keys : std::vector<std::string>{};
        for (const auto& var : *vars) {
          const bool mine = std::find(ours.begin(), ours.end(), var.key) != ours.end();
          if (!mine && env->contains(var.key)) {
            return fail(with_code(
                Error::conflict("the app already has an env var " + var.key +
                                "; link with an env_prefix (e.g. MAIN_) to use other names"),
                "env_key_taken"));
          }
        }
        if (auto dropped = drop_keys(tx, app->id, ours); !dropped) {
          return fail(std::move(dropped.error()));
        }
        ServiceLinkRecord link{.app_id = app->id,
                               .service_id = service.id,
                               .env_prefix = std::string(env_prefix),
                               .env_keys = {},
                               .created_at = *before ? (**before).created_at : now};
        for (const auto& [key, value] : *env) {
          EnvVarRecord var{
              .scope = "app",
              .scope_id = app->id,
              .key = key,
              .secret = true,
              .value = {},
              .value_sealed = crypto::seal(ctx_.services.master_key, ctx_.random(), value),
              .updated_at = now};
          if (auto stored = tx.put_env_var(var); !stored) {
            return fail(std::move(stored.error()));
          }
          link.env_keys.push_back(key);
        }
        if (auto stored = tx.put_service_link(link); !stored) {
          return fail(std::move(stored.error()));
        }
        if (auto bumped = bump_app(tx, *app, now); !bumped) {
          return fail(std::move(bumped.error()));
        }
        return ServiceLinkView{.link = std::move(link),
                               .app_name = app->name,
                               .service_name = service.name,
                               .service_engine = service.engine};
      });
}

Result<void> ManagedServices::unlink(const Principal& who, std::string_view team_id,
                                     std::string_view app_id, std::string_view service_id,
                                     const ClientInfo& client) {
  return write_audited(ctx_.store(),
                       make_audit(ctx_, actor_of(who, client), "app.unlink", std::string(app_id),
                                  std::string(team_id), {{"service_id", std::string(service_id)}}),
                       [&](Tx& tx) -> Result<void> {
                         if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
                           return fail(std::move(role.error()));
                         }
                         auto app = apps_tx::app(tx, team_id, app_id);
                         if (!app) {
                           return fail(std::move(app.error()));
                         }
                         auto before = existing_link(tx, app->id, service_id);
                         if (!before) {
                           return fail(std::move(before.error()));
                         }
                         if (!*before) {
                           return fail(Error::not_found("the app is not linked to this service"));
                         }
                         if (auto dropped = drop_keys(tx, app->id, (**before).env_keys); !dropped) {
                           return dropped;
                         }
                         if (auto deleted = tx.delete_service_link(app->id, service_id); !deleted) {
                           return fail(std::move(deleted.error()));
                         }
                         return bump_app(tx, *app, ctx_.clock().now());
                       });
}

}  // namespace berth
