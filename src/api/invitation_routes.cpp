#include "api/invitation_routes.hpp"

#include <functional>
#include <utility>

#include "api/identity_views.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "api/team_views.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/identity/team_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json invitation_view(const InvitationRecord& invitation) {
  return {{"id", invitation.id},
          {"team_id", invitation.team_id},
          {"email", invitation.email},
          {"role", role_name(invitation.role)},
          {"invited_by", invitation.invited_by},
          {"created_at", format_rfc3339(invitation.created_at)},
          {"expires_at", format_rfc3339(invitation.expires_at)}};
}

json invitation_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", schema::string()},
            {"team_id", schema::string()},
            {"email", schema::string()},
            {"role", role_schema()},
            {"invited_by", schema::string()},
            {"created_at", schema::string()},
            {"expires_at", schema::string()}}}};
}

json token_body_schema() { return schema::object({{"token", schema::string(1, 256)}}, {"token"}); }

// The link (and its token) is answered only when it was not emailed.
json issued_view(const IssuedInvitation& issued) {
  const bool link = !issued.emailed;
  return {{"invitation", invitation_view(issued.invitation)},
          {"delivered", link ? "link" : "email"},
          {"invite_url", link ? json(issued.invite_url) : json(nullptr)},
          {"token", link ? json(issued.token) : json(nullptr)}};
}

json registered_view(const RegisteredMember& registered) {
  return {{"user", user_json(registered.user)}, {"team", team_view(registered.membership)}};
}

void add_team_invitation_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/teams/{id}/invitations",
      {.summary = "Invite someone by email (emailed when mail is set up, else returned once)",
       .role = Role::admin,
       .team_param = "id",
       .request_schema =
           schema::object({{"email", schema::string(1, 254)}, {"role", grantable_role_schema()}},
                          {"email", "role"}),
       .response_schema =
           [] {
             return nlohmann::json{{"type", "object"},
                                   {"properties",
                                    {{"invitation", invitation_schema()},
                                     {"delivered", schema::one_of_strings({"email", "link"})},
                                     {"invite_url", {{"type", {"string", "null"}}}},
                                     {"token", {{"type", {"string", "null"}}}}}}};
           },
       .success_status = 201},
      [&ctx](Request& request) -> Result<Response> {
        auto id = team_id_of(request);
        if (!id) {
          return fail(std::move(id.error()));
        }
        auto role = body_role(request);
        if (!role) {
          return fail(std::move(role.error()));
        }
        return json_or(201,
                       ctx.teams->invite(caller(request), *id, body_string(request, "email"), *role,
                                         client_info(request)),
                       issued_view);
      });

  router.get("/api/v1/teams/{id}/invitations",
             {.summary = "A team's pending invitations",
              .role = Role::admin,
              .team_param = "id",
              .response_schema = [] { return page_schema(invitation_schema()); },
              .query = paging_query()},
             [&ctx](Request& request) -> Result<Response> {
               return team_list(request, std::bind_front(&TeamService::list_invitations, ctx.teams),
                                invitation_view);
             });

  router.del("/api/v1/teams/{id}/invitations/{invitation_id}",
             {.summary = "Revoke a pending invitation",
              .role = Role::admin,
              .team_param = "id",
              .success_status = 204},
             [&ctx](Request& request) -> Result<Response> {
               auto ids = team_and_path_id(request, "invitation_id", "inv");
               if (!ids) {
                 return fail(std::move(ids.error()));
               }
               const auto& [id, invitation_id] = *ids;
               return no_content_or(ctx.teams->revoke_invitation(caller(request), id, invitation_id,
                                                                 client_info(request)));
             });
}

void add_taking_up_routes(http::Router& router, const ApiContext& ctx) {
  router.post("/api/v1/invitations/accept",
              {.summary = "Accept an invitation with your signed-in account",
               .role = Role::user,
               .request_schema = token_body_schema(),
               .response_schema = team_view_schema,
               .rate_class = http::RateClass::sign_in},
              [&ctx](Request& request) -> Result<Response> {
                return json_or(
                    200,
                    ctx.teams->accept_invitation(caller(request), body_string(request, "token"),
                                                 client_info(request)),
                    team_view);
              });

  router.post("/api/v1/invitations/register",
              {.summary = "Create an account from an invitation and join its team; then sign in",
               .role = Role::anyone,
               .request_schema = schema::object({{"token", schema::string(1, 256)},
                                                 {"password", schema::string(1, 1024)},
                                                 {"display_name", schema::string(1, 100)}},
                                                {"token", "password", "display_name"}),
               .response_schema =
                   [] {
                     return nlohmann::json{
                         {"type", "object"},
                         {"properties", {{"user", user_schema()}, {"team", team_view_schema()}}}};
                   },
               .success_status = 201,
               .rate_class = http::RateClass::sign_in},
              [&ctx](Request& request) -> Result<Response> {
                return json_or(201,
                               ctx.teams->register_with_invitation(
                                   body_string(request, "token"), body_string(request, "password"),
                                   body_string(request, "display_name"), client_info(request)),
                               registered_view);
              });
}

}  // namespace

void add_invitation_routes(http::Router& router, const ApiContext& ctx) {
  add_team_invitation_routes(router, ctx);
  add_taking_up_routes(router, ctx);
}

}  // namespace berth::api
