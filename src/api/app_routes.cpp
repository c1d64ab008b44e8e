#include "api/app_routes.hpp"

#include "api/app_views.hpp"
#include "api/apps_handlers.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "domain/apps/app_service.hpp"
#include "domain/apps/app_spec.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json nullable(json schema_of) {
  schema_of["type"] = {schema_of.at("type"), "null"};
  return schema_of;
}

json app_body_schema(bool create) {
  json source = source_schema();
  if (!create) {
    source.erase("required");  // a patch of the same type may give only what changes
  }
  return schema::object({{"name", schema::string(1, 63)},
                         {"project_id", nullable(schema::string(0, 64))},
                         {"server_id", schema::string(1, 64)},
                         {"source", source},
                         {"settings", settings_schema()},
                         {"hostname", nullable(schema::string(0, 253))}},
                        create ? std::vector<std::string>{"name", "server_id", "source"}
                               : std::vector<std::string>{});
}

// A string member that may be null ("" then).
std::string nullable_string(const Request& request, const char* name) {
  const auto found = request.json.find(name);
  return found != request.json.end() && found->is_string() ? found->get<std::string>()
                                                           : std::string{};
}

AppPatch patch_of(const Request& request) {
  AppPatch patch;
  const json& body = request.json;
  if (body.contains("name")) {
    patch.name = body_string(request, "name");
  }
  if (body.contains("project_id")) {
    patch.project_id = nullable_string(request, "project_id");
  }
  if (body.contains("server_id")) {
    patch.server_id = body_string(request, "server_id");
  }
  if (body.contains("source")) {
    patch.source = body["source"];
  }
  if (body.contains("settings")) {
    patch.settings = body["settings"];
  }
  if (body.contains("hostname")) {
    patch.hostname = nullable_string(request, "hostname");
  }
  return patch;
}

}  // namespace

void add_app_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/apps",
             {.summary = "List the team's apps",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(app_schema()); },
              .query = paging_query({filter_param("project_id", "project"),
                                     filter_param("server_id", "server"), search_param("name")}),
              .description = "Ordered by name; ?project_id=, ?server_id=, ?q= (a substring of "
                             "the name), ?page=, ?per_page=."},
             [&ctx](Request& request) -> Result<Response> {
               const AppFilter filter{.project_id = request.query_param("project_id").value_or(""),
                                      .server_id = request.query_param("server_id").value_or(""),
                                      .q = request.query_param("q").value_or("")};
               return list_response(
                   request,
                   [&](const PageRequest& paging) {
                     return ctx.apps->list(caller(request), team_of_request(request), filter,
                                           paging);
                   },
                   [](const AppView& view) { return app_json(view); });
             });

  router.post(
      "/api/v1/apps",
      {.summary = "Create an app from an image, a git repository or a workflow",
       .role = Role::member,
       .request_schema = app_body_schema(true),
       .response_schema = app_schema,
       .success_status = 201,
       .description =
           "The app is created (status new), not deployed. settings.port is required for image "
           "and git sources. hostname defaults to <name>.<the server's base domain>. Only team "
           "admins may set settings.privileged, network_mode host, host bind mounts or the "
           "Docker socket (403 admin_required). 409 app_name_taken / hostname_taken."},
      [&ctx](Request& request) -> Result<Response> {
        AppInput input{.name = body_string(request, "name"),
                       .project_id = nullable_string(request, "project_id"),
                       .server_id = body_string(request, "server_id"),
                       .source = request.json["source"],
                       .settings = request.json.value("settings", json::object()),
                       .hostname = nullable_string(request, "hostname")};
        return json_or(201,
                       ctx.apps->create(caller(request), team_of_request(request), input,
                                        client_info(request)),
                       [](const AppView& view) { return app_json(view); });
      });

  router.get("/api/v1/apps/{id}",
             {.summary = "Read an app", .role = Role::viewer, .response_schema = app_schema},
             with_path_id("app", [&ctx](Request& request, const std::string& id) {
               return json_or(200, ctx.apps->show(caller(request), team_of_request(request), id),
                              [](const AppView& view) { return app_json(view); });
             }));

  router.patch(
      "/api/v1/apps/{id}",
      {.summary = "Change an app",
       .role = Role::member,
       .request_schema = app_body_schema(false),
       .response_schema = app_schema,
       .description =
           "settings are merged into the stored ones (RFC 7396: a null removes, e.g. "
           "\"command\": null); source is merged too unless its type changes. Changes to "
           "source, settings or server bump config_version: the app is out of date until the "
           "next deployment. server_id changes only while the app is new, stopped or failed "
           "(409 app_running). hostname null or \"\" goes back to the default."},
      with_path_id("app", [&ctx](Request& request, const std::string& id) {
        return json_or(200,
                       ctx.apps->update(caller(request), team_of_request(request), id,
                                        patch_of(request), client_info(request)),
                       [](const AppView& view) { return app_json(view); });
      }));

  router.del("/api/v1/apps/{id}",
             {.summary = "Delete an app with its env vars, deployments and hooks",
              .role = Role::member,
              .success_status = 204,
              .description = "Its containers are stopped and removed and its proxy route "
                             "dropped in the background."},
             with_path_id("app", [&ctx](Request& request, const std::string& id) {
               return no_content_or(ctx.apps->remove(caller(request), team_of_request(request), id,
                                                     client_info(request)));
             }));
}

}  // namespace berth::api
