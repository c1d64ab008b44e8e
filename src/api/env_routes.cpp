#include "api/env_routes.hpp"

#include "api/app_views.hpp"
#include "api/apps_handlers.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "domain/apps/app_spec.hpp"
#include "domain/apps/env_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json vars_schema() {
  json vars = schema::array_of(schema::object({{"key", schema::string(1, 128)},
                                               {"value", schema::string(0, kMaxEnvValue)},
                                               {"secret", schema::boolean()}},
                                              {"key", "value"}));
  vars["maxItems"] = kMaxEnvVars;
  return schema::object({{"vars", vars}}, {"vars"});
}

std::vector<EnvInput> vars_of(const Request& request) {
  std::vector<EnvInput> out;
  for (const auto& var : request.json["vars"]) {
    EnvInput input{.key = var["key"].get<std::string>(),
                   .value = var["value"].get<std::string>(),
                   .secret = {}};
    if (var.contains("secret")) {
      input.secret = var["secret"].get<bool>();
    }
    out.push_back(std::move(input));
  }
  return out;
}

// One scope's routes: /api/v1/apps/{id}/env… or /api/v1/projects/{id}/env….
struct ScopeRoutes {
  std::string base;    // "/api/v1/apps/{id}/env"
  std::string prefix;  // id prefix: "app" | "prj"
  EnvScope scope = EnvScope::app;
  std::string noun;  // "an app" | "a project"
};

template <class Action>
http::Handler on_target(const ScopeRoutes& routes, Action action) {
  return with_path_id(routes.prefix,
                      [scope = routes.scope, action](Request& request, const std::string& id) {
                        return action(request, EnvTarget{.scope = scope, .id = id});
                      });
}

// The {key} path parameter; a malformed key is as absent as an unknown one.
Result<std::string> key_of(const Request& request) {
  const auto it = request.params.find("key");
  if (it == request.params.end() || !is_valid_env_key(it->second)) {
    return fail(Error::not_found("no such env var"));
  }
  return it->second;
}

template <class Call>
Result<Response> env_list(Request& request, Call call) {
  return list_response(
      request, [&](const PageRequest&) { return call(); }, env_entry_json);
}

void add_scope_routes(http::Router& router, const ApiContext& ctx, const ScopeRoutes& routes) {
  const std::string listed =
      routes.scope == EnvScope::app
          ? " Its project's vars are listed too, inherited_from \"project\", unless the app "
            "overrides them."
          : " Its apps inherit them unless they override them.";
  router.get(routes.base,
             {.summary = "List the env vars of " + routes.noun,
              .role = Role::viewer,
              .response_schema = [] { return page_schema(env_entry_schema()); },
              .query = paging_query(),
              .description = "Ordered by key; secret values are shown as ********." + listed},
             on_target(routes, [&ctx](Request& request, const EnvTarget& target) {
               return env_list(request, [&] {
                 return ctx.env->list(caller(request), team_of_request(request), target);
               });
             }));

  const std::string applies =
      " Takes effect at the next deployment (the apps show out_of_date until then). A secret's "
      "value is sealed at rest; sending ******** for a key that is already secret keeps its "
      "value. secret omitted: as the existing var, else false.";
  router.put(routes.base,
             {.summary = "Replace all env vars of " + routes.noun,
              .role = Role::member,
              .request_schema = vars_schema(),
              .response_schema = [] { return page_schema(env_entry_schema()); },
              .query = paging_query(),
              .description = "Keys ^[A-Za-z_][A-Za-z0-9_]{0,127}$, values up to 64 KiB, at most "
                             "500 vars." +
                             applies},
             on_target(routes, [&ctx](Request& request, const EnvTarget& target) {
               return env_list(request, [&] {
                 return ctx.env->replace(caller(request), team_of_request(request), target,
                                         vars_of(request), client_info(request));
               });
             }));

  router.patch(routes.base,
               {.summary = "Set some env vars of " + routes.noun,
                .role = Role::member,
                .request_schema = vars_schema(),
                .response_schema = [] { return page_schema(env_entry_schema()); },
                .query = paging_query(),
                .description = "The vars given are set; the others are kept." + applies},
               on_target(routes, [&ctx](Request& request, const EnvTarget& target) {
                 return env_list(request, [&] {
                   return ctx.env->set(caller(request), team_of_request(request), target,
                                       vars_of(request), client_info(request));
                 });
               }));

  router.del(routes.base + "/{key}",
             {.summary = "Delete an env var of " + routes.noun,
              .role = Role::member,
              .success_status = 204,
              .description = "404 when it has no such var of its own."},
             on_target(routes, [&ctx](Request& request, const EnvTarget& target) {
               auto key = key_of(request);
               if (!key) {
                 return Result<Response>(fail(std::move(key.error())));
               }
               return no_content_or(ctx.env->remove(caller(request), team_of_request(request),
                                                    target, *key, client_info(request)));
             }));

  router.post(routes.base + "/{key}/reveal",
              {.summary = "Reveal the value of an env var of " + routes.noun,
               .role = Role::admin,
               .response_schema =
                   [] {
                     return nlohmann::json{
                         {"type", "object"},
                         {"properties", {{"key", schema::string()}, {"value", schema::string()}}}};
                   },
               .description = "Admins only; every attempt is audited (env.reveal, with its "
                              "outcome; never the value)."},
              on_target(routes, [&ctx](Request& request, const EnvTarget& target) {
                auto key = key_of(request);
                if (!key) {
                  return Result<Response>(fail(std::move(key.error())));
                }
                return json_or(200,
                               ctx.env->reveal(caller(request), team_of_request(request), target,
                                               *key, client_info(request)),
                               [&](const std::string& value) {
                                 return json{{"key", *key}, {"value", value}};
                               });
              }));
}

}  // namespace

void add_env_routes(http::Router& router, const ApiContext& ctx) {
  add_scope_routes(
      router, ctx,
      {.base = "/api/v1/apps/{id}/env", .prefix = "app", .scope = EnvScope::app, .noun = "an app"});
  add_scope_routes(router, ctx,
                   {.base = "/api/v1/projects/{id}/env",
                    .prefix = "prj",
                    .scope = EnvScope::project,
                    .noun = "a project"});
}

}  // namespace berth::api
