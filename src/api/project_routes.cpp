#include "api/project_routes.hpp"

#include "api/app_views.hpp"
#include "api/apps_handlers.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "domain/apps/project_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json project_body_schema(std::vector<std::string> required) {
  return schema::object({{"name", schema::string(1, 63)}, {"description", schema::string(0, 1000)}},
                        std::move(required));
}

}  // namespace

void add_project_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/projects",
             {.summary = "List the team's projects",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(project_schema()); },
              .query = paging_query(),
              .description = "Ordered by name; ?page=, ?per_page=."},
             [&ctx](Request& request) -> Result<Response> {
               return list_response(
                   request,
                   [&](const PageRequest& paging) {
                     return ctx.projects->list(caller(request), team_of_request(request), paging);
                   },
                   project_json);
             });

  router.post("/api/v1/projects",
              {.summary = "Create a project (a grouping of apps that share env vars)",
               .role = Role::member,
               .request_schema = project_body_schema({"name"}),
               .response_schema = project_schema,
               .success_status = 201,
               .description = "name: ^[a-z0-9][a-z0-9-]{0,62}$, unique in the team (409 "
                              "project_name_taken)."},
              [&ctx](Request& request) -> Result<Response> {
                ProjectInput input{.name = body_string(request, "name"),
                                   .description = body_string(request, "description")};
                return json_or(201,
                               ctx.projects->create(caller(request), team_of_request(request),
                                                    input, client_info(request)),
                               project_json);
              });

  router.get("/api/v1/projects/{id}",
             {.summary = "Read a project", .role = Role::viewer, .response_schema = project_schema},
             with_path_id("prj", [&ctx](Request& request, const std::string& id) {
               return json_or(200, ctx.projects->get(caller(request), team_of_request(request), id),
                              project_json);
             }));

  router.patch("/api/v1/projects/{id}",
               {.summary = "Rename a project or change its description",
                .role = Role::member,
                .request_schema = project_body_schema({}),
                .response_schema = project_schema},
               with_path_id("prj", [&ctx](Request& request, const std::string& id) {
                 ProjectPatch patch;
                 if (request.json.contains("name")) {
                   patch.name = body_string(request, "name");
                 }
                 if (request.json.contains("description")) {
                   patch.description = body_string(request, "description");
                 }
                 return json_or(200,
                                ctx.projects->update(caller(request), team_of_request(request), id,
                                                     patch, client_info(request)),
                                project_json);
               }));

  router.del("/api/v1/projects/{id}",
             {.summary = "Delete a project with its env vars",
              .role = Role::member,
              .success_status = 204,
              .description = "Refused (409 project_not_empty) while the project has apps."},
             with_path_id("prj", [&ctx](Request& request, const std::string& id) {
               return no_content_or(ctx.projects->remove(caller(request), team_of_request(request),
                                                         id, client_info(request)));
             }));
}

}  // namespace berth::api
