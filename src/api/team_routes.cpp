#include "api/team_routes.hpp"

#include <functional>
#include <string>
#include <utility>

#include "api/identity_views.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "api/team_views.hpp"
#include "core/ids.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/identity/team_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json member_view(const MemberRow& row) {
  return {{"user_id", row.membership.user_id},
          {"email", row.email},
          {"display_name", row.display_name},
          {"role", role_name(row.membership.role)},
          {"joined_at", format_rfc3339(row.membership.created_at)}};
}

json member_schema() {
  return {{"type", "object"},
          {"properties",
           {{"user_id", schema::string()},
            {"email", schema::string()},
            {"display_name", schema::string()},
            {"role", role_schema()},
            {"joined_at", schema::string()}}}};
}

void add_team_resource_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/teams",
             {.summary = "Your teams, with your role in each",
              .role = Role::user,
              .response_schema = [] { return page_schema(team_view_schema()); },
              .query = paging_query()},
             [&ctx](Request& request) -> Result<Response> {
               return list_response(
                   request,
                   [&](const PageRequest&) { return ctx.teams->list_teams(caller(request)); },
                   team_view);
             });

  router.post("/api/v1/teams",
              {.summary = "Create a team; you become its owner",
               .role = Role::user,
               .request_schema = schema::object({{"name", schema::string(1, 63)}}, {"name"}),
               .response_schema = team_view_schema,
               .success_status = 201},
              [&ctx](Request& request) -> Result<Response> {
                return json_or(201,
                               ctx.teams->create_team(caller(request), body_string(request, "name"),
                                                      client_info(request)),
                               team_view);
              });

  router.get("/api/v1/teams/{id}",
             {.summary = "A team and your role in it",
              .role = Role::viewer,
              .team_param = "id",
              .response_schema = team_view_schema},
             [&ctx](Request& request) -> Result<Response> {
               auto id = team_id_of(request);
               if (!id) {
                 return fail(std::move(id.error()));
               }
               return json_or(200, ctx.teams->get_team(caller(request), *id), team_view);
             });

  router.patch("/api/v1/teams/{id}",
               {.summary = "Rename a team",
                .role = Role::admin,
                .team_param = "id",
                .request_schema = schema::object({{"name", schema::string(1, 63)}}),
                .response_schema = team_view_schema},
               [&ctx](Request& request) -> Result<Response> {
                 auto id = team_id_of(request);
                 if (!id) {
                   return fail(std::move(id.error()));
                 }
                 const Principal& who = caller(request);
                 return json_or(200,
                                request.json.contains("name")
                                    ? ctx.teams->rename_team(who, *id, body_string(request, "name"),
                                                             client_info(request))
                                    : ctx.teams->get_team(who, *id),
                                team_view);
               });

  router.del(
      "/api/v1/teams/{id}",
      {.summary = "Delete a team with its members, keys, invitations and servers (not a "
                  "personal team)",
       .role = Role::owner,
       .team_param = "id",
       .success_status = 204,
       .description = "The servers' agents are disconnected and their tokens stop working. "
                      "409 team_has_apps (details: the apps) while the team still has apps: "
                      "delete them first, which stops their containers and removes their "
                      "routes."},
      [&ctx](Request& request) -> Result<Response> {
        auto id = team_id_of(request);
        if (!id) {
          return fail(std::move(id.error()));
        }
        return no_content_or(ctx.teams->delete_team(caller(request), *id, client_info(request)));
      });

  router.post("/api/v1/teams/{id}/transfer",
              {.summary = "Make another member the owner; you become an admin",
               .role = Role::owner,
               .team_param = "id",
               .request_schema = schema::object({{"user_id", schema::string(1, 64)}}, {"user_id"}),
               .success_status = 204},
              [&ctx](Request& request) -> Result<Response> {
                auto id = team_id_of(request);
                if (!id) {
                  return fail(std::move(id.error()));
                }
                const std::string user_id = body_string(request, "user_id");
                if (!is_valid_id("usr", user_id)) {
                  return fail(Error::validation("user_id", "user_id must be a user id"));
                }
                return no_content_or(ctx.teams->transfer_ownership(caller(request), *id, user_id,
                                                                   client_info(request)));
              });
}

void add_member_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/teams/{id}/members",
             {.summary = "A team's members and their roles",
              .role = Role::viewer,
              .team_param = "id",
              .response_schema = [] { return page_schema(member_schema()); },
              .query = paging_query()},
             [&ctx](Request& request) -> Result<Response> {
               return team_list(request, std::bind_front(&TeamService::list_members, ctx.teams),
                                member_view);
             });

  router.patch("/api/v1/teams/{id}/members/{user_id}",
               {.summary = "Change a member's role (admins: members and viewers; the owner: "
                           "admins too)",
                .role = Role::admin,
                .team_param = "id",
                .request_schema = schema::object({{"role", grantable_role_schema()}}, {"role"}),
                .response_schema = member_schema},
               [&ctx](Request& request) -> Result<Response> {
                 auto ids = team_and_path_id(request, "user_id", "usr");
                 if (!ids) {
                   return fail(std::move(ids.error()));
                 }
                 auto role = body_role(request);
                 if (!role) {
                   return fail(std::move(role.error()));
                 }
                 const auto& [id, user_id] = *ids;
                 return json_or(200,
                                ctx.teams->set_member_role(caller(request), id, user_id, *role,
                                                           client_info(request)),
                                member_view);
               });

  // Viewer, so anyone can leave; removing someone else is checked in the service (admin, or
  // the owner for an admin).
  router.del("/api/v1/teams/{id}/members/{user_id}",
             {.summary = "Remove a member, or leave the team yourself",
              .role = Role::viewer,
              .team_param = "id",
              .success_status = 204},
             [&ctx](Request& request) -> Result<Response> {
               auto ids = team_and_path_id(request, "user_id", "usr");
               if (!ids) {
                 return fail(std::move(ids.error()));
               }
               const auto& [id, user_id] = *ids;
               return no_content_or(
                   ctx.teams->remove_member(caller(request), id, user_id, client_info(request)));
             });
}

}  // namespace

void add_team_routes(http::Router& router, const ApiContext& ctx) {
  add_team_resource_routes(router, ctx);
  add_member_routes(router, ctx);
}

}  // namespace berth::api
