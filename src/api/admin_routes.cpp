#include "api/admin_routes.hpp"

#include <optional>
#include <string_view>

#include "api/identity_views.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "domain/identity/user_admin_service.hpp"
#include "domain/instance/doctor.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

std::optional<bool> body_bool(const Request& request, std::string_view name) {
  const auto it = request.json.find(name);
  if (it == request.json.end() || !it->is_boolean()) {
    return std::nullopt;
  }
  return it->get<bool>();
}

UserChanges changes_of(const Request& request) {
  UserChanges changes{.is_active = body_bool(request, "is_active"),
                      .is_instance_admin = body_bool(request, "is_instance_admin"),
                      .display_name = {}};
  if (request.json.contains("display_name")) {
    changes.display_name = body_string(request, "display_name");
  }
  return changes;
}

json doctor_schema() {
  const auto statuses = [] { return schema::one_of_strings({"ok", "warning", "error"}); };
  return schema::object(
      {{"status", statuses()},
       {"checks", schema::array_of(schema::object({{"name", schema::string()},
                                                   {"status", statuses()},
                                                   {"detail", schema::string()},
                                                   {"fix", schema::string()}},
                                                  {"name", "status", "detail", "fix"}))}},
      {"status", "checks"});
}

json doctor_json(const std::vector<DoctorCheck>& checks) {
  json list = json::array();
  for (const auto& check : checks) {
    list.push_back({{"name", check.name},
                    {"status", check_status_name(check.status)},
                    {"detail", check.detail},
                    {"fix", check.fix}});
  }
  return {{"status", check_status_name(worst_status(checks))}, {"checks", std::move(list)}};
}

}  // namespace

void add_admin_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/admin/doctor",
             {.summary = "Check this instance: DNS and TLS of the public URL, the listen port, "
                         "Docker beside berthd, agents' clocks and versions, disk, store, mail",
              .role = Role::instance_admin,
              .response_schema = doctor_schema,
              .description = "Each check is ok, warning or error, with the fix in one sentence "
                             "when it is not ok; `status` is the worst of them. Takes up to a "
                             "few seconds (DNS, TCP and TLS probes). `berthd doctor` runs the "
                             "same checks on berthd's machine."},
             [&ctx](Request& /*request*/) -> Result<Response> {
               return Response::json(200, doctor_json(ctx.doctor->run()));
             });

  router.get(
      "/api/v1/admin/users",
      {.summary = "List every account",
       .role = Role::instance_admin,
       .response_schema = [] { return page_schema(user_schema()); },
       .query = paging_query({search_param("email or display name")}),
       .description = "?q= filters by part of the email or display name; ?page=, ?per_page=."},
      [&ctx](Request& request) -> Result<Response> {
        return list_response(
            request,
            [&](const PageRequest& paging) {
              return ctx.users->list_users(caller(request), request.query_param("q").value_or(""),
                                           paging);
            },
            user_json);
      });

  router.get(
      "/api/v1/admin/users/{id}",
      {.summary = "One account", .role = Role::instance_admin, .response_schema = user_schema},
      [&ctx](Request& request) -> Result<Response> {
        auto id = path_id(request, "id", "usr");
        if (!id) {
          return fail(std::move(id.error()));
        }
        return json_or(200, ctx.users->get_user(caller(request), *id), user_json);
      });

  router.patch(
      "/api/v1/admin/users/{id}",
      {.summary = "Activate, deactivate, promote, demote or rename an account",
       .role = Role::instance_admin,
       .request_schema = schema::object({{"is_active", schema::boolean()},
                                         {"is_instance_admin", schema::boolean()},
                                         {"display_name", schema::string(1, 100)}}),
       .response_schema = user_schema,
       .description = "Deactivating signs the account out everywhere at once (its API keys stop "
                      "working too). You cannot deactivate or demote yourself."},
      [&ctx](Request& request) -> Result<Response> {
        auto id = path_id(request, "id", "usr");
        if (!id) {
          return fail(std::move(id.error()));
        }
        return json_or(
            200,
            ctx.users->update_user(caller(request), *id, changes_of(request), client_info(request)),
            user_json);
      });

  router.get("/api/v1/admin/teams",
             {.summary = "List every team",
              .role = Role::instance_admin,
              .response_schema = [] { return page_schema(team_schema()); },
              .query = paging_query({search_param("name")}),
              .description = "?q= filters by part of the name; ?page=, ?per_page=."},
             [&ctx](Request& request) -> Result<Response> {
               return list_response(
                   request,
                   [&](const PageRequest& paging) {
                     return ctx.users->list_teams(caller(request),
                                                  request.query_param("q").value_or(""), paging);
                   },
                   team_json);
             });
}

}  // namespace berth::api
