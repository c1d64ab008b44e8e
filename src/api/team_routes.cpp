#include "api/team_routes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>

#include "api/identity_views.hpp"
#include "api/request_helpers.hpp"
#include "core/ids.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/identity/team_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::int64_t kDefaultPerPage = 20;
constexpr std::int64_t kMaxPerPage = 100;

// ----- Views -----

json team_view(const TeamMembershipRow& row) {
  json out = team_json(row.team);
  out["role"] = role_name(row.role);
  return out;
}

json member_view(const MemberRow& row) {
  return {{"user_id", row.membership.user_id},
          {"email", row.email},
          {"display_name", row.display_name},
          {"role", role_name(row.membership.role)},
          {"joined_at", format_rfc3339(row.membership.created_at)}};
}

json invitation_view(const InvitationRecord& invitation) {
  return {{"id", invitation.id},
          {"team_id", invitation.team_id},
          {"email", invitation.email},
          {"role", role_name(invitation.role)},
          {"invited_by", invitation.invited_by},
          {"created_at", format_rfc3339(invitation.created_at)},
          {"expires_at", format_rfc3339(invitation.expires_at)}};
}

json role_schema() { return schema::one_of_strings({"viewer", "member", "admin", "owner"}); }

// What may be granted: ownership moves only by transfer.
json grantable_role_schema() { return schema::one_of_strings({"viewer", "member", "admin"}); }

json team_view_schema() {
  json out = team_schema();
  out["properties"]["role"] = role_schema();
  return out;
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

json list_schema(json item) {
  return {{"type", "object"},
          {"properties",
           {{"data", schema::array_of(std::move(item))},
            {"page", schema::integer()},
            {"per_page", schema::integer()},
            {"total", schema::integer()}}}};
}

json token_body_schema() { return schema::object({{"token", schema::string(1, 256)}}, {"token"}); }

// ----- Lists -----

struct Paging {
  std::int64_t page = 1;
  std::int64_t per_page = kDefaultPerPage;
};

Result<std::int64_t> query_number(const Request& request, std::string_view name,
                                  std::int64_t fallback, std::int64_t max, std::string_view rule) {
  const auto text = request.query_param(name);
  if (!text) {
    return fallback;
  }
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc{} || ptr != end || value < 1 || value > max) {
    return fail(Error::validation(std::string(name), fmt::format("{} must be {}", name, rule)));
  }
  return value;
}

Result<Paging> paging_of(const Request& request) {
  auto page = query_number(request, "page", 1, std::numeric_limits<std::int64_t>::max(),
                           "a whole number of at least 1");
  if (!page) {
    return fail(std::move(page.error()));
  }
  auto per_page = query_number(request, "per_page", kDefaultPerPage, kMaxPerPage,
                               "a whole number from 1 to 100");
  if (!per_page) {
    return fail(std::move(per_page.error()));
  }
  return Paging{.page = *page, .per_page = *per_page};
}

template <class T, class View>
Response page_response(const std::vector<T>& items, const Paging& paging, View view) {
  const auto total = static_cast<std::int64_t>(items.size());
  // Written so a huge page number cannot overflow.
  const std::int64_t skip =
      paging.page - 1 > total / paging.per_page ? total : (paging.page - 1) * paging.per_page;
  const std::int64_t last = std::min(total, skip + paging.per_page);
  json data = json::array();
  for (std::int64_t i = skip; i < last; ++i) {
    data.push_back(view(items[static_cast<std::size_t>(i)]));
  }
  return Response::json(200, {{"data", std::move(data)},
                              {"page", paging.page},
                              {"per_page", paging.per_page},
                              {"total", total}});
}

// ----- Handlers -----

Result<std::string> team_id_of(const Request& request) { return path_id(request, "id", "team"); }

// Roles in bodies are constrained by the route's schema; this turns the name into a Role.
Result<Role> body_role(const Request& request) {
  const auto role = parse_role(body_string(request, "role"));
  if (!role || !is_team_role(*role)) {
    return fail(Error::validation("role", "role must be viewer, member or admin"));
  }
  return *role;
}

Result<Response> no_content_or(Result<void> done) {
  if (!done) {
    return fail(std::move(done.error()));
  }
  return Response::no_content();
}

void add_team_resource_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/teams",
             {.summary = "Your teams, with your role in each",
              .role = Role::user,
              .response_schema = list_schema(team_view_schema())},
             [&ctx](Request& request) -> Result<Response> {
               auto paging = paging_of(request);
               if (!paging) {
                 return fail(std::move(paging.error()));
               }
               auto teams = ctx.teams->list_teams(caller(request));
               if (!teams) {
                 return fail(std::move(teams.error()));
               }
               return page_response(*teams, *paging, team_view);
             });

  router.post("/api/v1/teams",
              {.summary = "Create a team; you become its owner",
               .role = Role::user,
               .request_schema = schema::object({{"name", schema::string(1, 63)}}, {"name"}),
               .response_schema = team_view_schema(),
               .success_status = 201},
              [&ctx](Request& request) -> Result<Response> {
                auto team = ctx.teams->create_team(caller(request), body_string(request, "name"),
                                                   client_info(request));
                if (!team) {
                  return fail(std::move(team.error()));
                }
                return Response::json(201, team_view(*team));
              });

  router.get("/api/v1/teams/{id}",
             {.summary = "A team and your role in it",
              .role = Role::viewer,
              .team_param = "id",
              .response_schema = team_view_schema()},
             [&ctx](Request& request) -> Result<Response> {
               auto id = team_id_of(request);
               if (!id) {
                 return fail(std::move(id.error()));
               }
               auto team = ctx.teams->get_team(caller(request), *id);
               if (!team) {
                 return fail(std::move(team.error()));
               }
               return Response::json(200, team_view(*team));
             });

  router.patch("/api/v1/teams/{id}",
               {.summary = "Rename a team",
                .role = Role::admin,
                .team_param = "id",
                .request_schema = schema::object({{"name", schema::string(1, 63)}}),
                .response_schema = team_view_schema()},
               [&ctx](Request& request) -> Result<Response> {
                 auto id = team_id_of(request);
                 if (!id) {
                   return fail(std::move(id.error()));
                 }
                 const Principal& who = caller(request);
                 auto team = request.json.contains("name")
                                 ? ctx.teams->rename_team(who, *id, body_string(request, "name"),
                                                          client_info(request))
                                 : ctx.teams->get_team(who, *id);
                 if (!team) {
                   return fail(std::move(team.error()));
                 }
                 return Response::json(200, team_view(*team));
               });

  router.del(
      "/api/v1/teams/{id}",
      {.summary = "Delete a team with its members, keys and invitations (not a personal "
                  "team)",
       .role = Role::owner,
       .team_param = "id",
       .success_status = 204},
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
              .response_schema = list_schema(member_schema())},
             [&ctx](Request& request) -> Result<Response> {
               auto id = team_id_of(request);
               if (!id) {
                 return fail(std::move(id.error()));
               }
               auto paging = paging_of(request);
               if (!paging) {
                 return fail(std::move(paging.error()));
               }
               auto members = ctx.teams->list_members(caller(request), *id);
               if (!members) {
                 return fail(std::move(members.error()));
               }
               return page_response(*members, *paging, member_view);
             });

  router.patch("/api/v1/teams/{id}/members/{user_id}",
               {.summary = "Change a member's role (admins: members and viewers; the owner: "
                           "admins too)",
                .role = Role::admin,
                .team_param = "id",
                .request_schema = schema::object({{"role", grantable_role_schema()}}, {"role"}),
                .response_schema = member_schema()},
               [&ctx](Request& request) -> Result<Response> {
                 auto id = team_id_of(request);
                 auto user_id = path_id(request, "user_id", "usr");
                 if (!id || !user_id) {
                   return fail(!id ? std::move(id.error()) : std::move(user_id.error()));
                 }
                 auto role = body_role(request);
                 if (!role) {
                   return fail(std::move(role.error()));
                 }
                 auto member = ctx.teams->set_member_role(caller(request), *id, *user_id, *role,
                                                          client_info(request));
                 if (!member) {
                   return fail(std::move(member.error()));
                 }
                 return Response::json(200, member_view(*member));
               });

  // Viewer, so anyone can leave; removing someone else is checked in the service (admin, or
  // the owner for an admin).
  router.del("/api/v1/teams/{id}/members/{user_id}",
             {.summary = "Remove a member, or leave the team yourself",
              .role = Role::viewer,
              .team_param = "id",
              .success_status = 204},
             [&ctx](Request& request) -> Result<Response> {
               auto id = team_id_of(request);
               auto user_id = path_id(request, "user_id", "usr");
               if (!id || !user_id) {
                 return fail(!id ? std::move(id.error()) : std::move(user_id.error()));
               }
               return no_content_or(
                   ctx.teams->remove_member(caller(request), *id, *user_id, client_info(request)));
             });
}

void add_invitation_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/teams/{id}/invitations",
      {.summary = "Invite someone by email (emailed when mail is set up, else returned once)",
       .role = Role::admin,
       .team_param = "id",
       .request_schema =
           schema::object({{"email", schema::string(1, 254)}, {"role", grantable_role_schema()}},
                          {"email", "role"}),
       .response_schema = {{"type", "object"},
                           {"properties",
                            {{"invitation", invitation_schema()},
                             {"delivered", schema::one_of_strings({"email", "link"})},
                             {"invite_url", {{"type", {"string", "null"}}}},
                             {"token", {{"type", {"string", "null"}}}}}}},
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
        auto issued = ctx.teams->invite(caller(request), *id, body_string(request, "email"), *role,
                                        client_info(request));
        if (!issued) {
          return fail(std::move(issued.error()));
        }
        const bool link = !issued->emailed;
        return Response::json(201, {{"invitation", invitation_view(issued->invitation)},
                                    {"delivered", link ? "link" : "email"},
                                    {"invite_url", link ? json(issued->invite_url) : json(nullptr)},
                                    {"token", link ? json(issued->token) : json(nullptr)}});
      });

  router.get("/api/v1/teams/{id}/invitations",
             {.summary = "A team's pending invitations",
              .role = Role::admin,
              .team_param = "id",
              .response_schema = list_schema(invitation_schema())},
             [&ctx](Request& request) -> Result<Response> {
               auto id = team_id_of(request);
               if (!id) {
                 return fail(std::move(id.error()));
               }
               auto paging = paging_of(request);
               if (!paging) {
                 return fail(std::move(paging.error()));
               }
               auto invitations = ctx.teams->list_invitations(caller(request), *id);
               if (!invitations) {
                 return fail(std::move(invitations.error()));
               }
               return page_response(*invitations, *paging, invitation_view);
             });

  router.del("/api/v1/teams/{id}/invitations/{invitation_id}",
             {.summary = "Revoke a pending invitation",
              .role = Role::admin,
              .team_param = "id",
              .success_status = 204},
             [&ctx](Request& request) -> Result<Response> {
               auto id = team_id_of(request);
               auto invitation_id = path_id(request, "invitation_id", "inv");
               if (!id || !invitation_id) {
                 return fail(!id ? std::move(id.error()) : std::move(invitation_id.error()));
               }
               return no_content_or(ctx.teams->revoke_invitation(
                   caller(request), *id, *invitation_id, client_info(request)));
             });

  router.post("/api/v1/invitations/accept",
              {.summary = "Accept an invitation with your signed-in account",
               .role = Role::user,
               .request_schema = token_body_schema(),
               .response_schema = team_view_schema(),
               .rate_class = http::RateClass::sign_in},
              [&ctx](Request& request) -> Result<Response> {
                auto team = ctx.teams->accept_invitation(
                    caller(request), body_string(request, "token"), client_info(request));
                if (!team) {
                  return fail(std::move(team.error()));
                }
                return Response::json(200, team_view(*team));
              });

  router.post(
      "/api/v1/invitations/register",
      {.summary = "Create an account from an invitation and join its team; then sign in",
       .role = Role::anyone,
       .request_schema = schema::object({{"token", schema::string(1, 256)},
                                         {"password", schema::string(1, 1024)},
                                         {"display_name", schema::string(1, 100)}},
                                        {"token", "password", "display_name"}),
       .response_schema = {{"type", "object"},
                           {"properties", {{"user", user_schema()}, {"team", team_view_schema()}}}},
       .success_status = 201,
       .rate_class = http::RateClass::sign_in},
      [&ctx](Request& request) -> Result<Response> {
        auto registered = ctx.teams->register_with_invitation(
            body_string(request, "token"), body_string(request, "password"),
            body_string(request, "display_name"), client_info(request));
        if (!registered) {
          return fail(std::move(registered.error()));
        }
        return Response::json(201, {{"user", user_json(registered->user)},
                                    {"team", team_view(registered->membership)}});
      });
}

}  // namespace

void add_team_routes(http::Router& router, const ApiContext& ctx) {
  add_team_resource_routes(router, ctx);
  add_member_routes(router, ctx);
  add_invitation_routes(router, ctx);
}

}  // namespace berth::api
