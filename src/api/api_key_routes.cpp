#include "api/api_key_routes.hpp"

#include "api/identity_views.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/identity/api_key_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

// Never the hash: only the last characters, so people can tell their keys apart.
json api_key_json(const ApiKeyRecord& key) {
  return {{"id", key.id},
          {"name", key.name},
          {"role", role_name(key.role)},
          {"preview", key.preview},
          {"created_at", format_rfc3339(key.created_at)},
          {"expires_at", optional_time(key.expires_at)},
          {"last_used_at", optional_time(key.last_used_at)},
          {"created_by", key.created_by}};
}

json api_key_schema() {
  const json optional_string = {{"type", {"string", "null"}}};
  return {{"type", "object"},
          {"properties",
           {{"id", schema::string()},
            {"name", schema::string()},
            {"role", role_schema()},
            {"preview", schema::string()},
            {"created_at", schema::string()},
            {"expires_at", optional_string},
            {"last_used_at", optional_string},
            {"created_by", schema::string()}}}};
}

Result<NewApiKey> new_key_of(const Request& request) {
  const auto role = parse_role(body_string(request, "role"));
  if (!role || !is_team_role(*role)) {
    return fail(Error::validation("role", "role must be viewer, member, admin or owner"));
  }
  NewApiKey key{.name = body_string(request, "name"), .role = *role, .expires_at = {}};
  if (request.json.contains("expires_at")) {
    key.expires_at = parse_rfc3339(body_string(request, "expires_at"));
    if (!key.expires_at) {
      return fail(Error::validation(
          "expires_at", "expires_at must be an RFC 3339 time such as 2026-11-22T10:15:01.123Z"));
    }
  }
  return key;
}

}  // namespace

void add_api_key_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/api-keys",
             {.summary = "List the team's API keys",
              .role = Role::admin,
              .response_schema = [] { return page_schema(api_key_schema()); },
              .query = paging_query(),
              .description = "Keys that are not revoked, newest first; ?page=, ?per_page=."},
             [&ctx](Request& request) -> Result<Response> {
               return list_response(
                   request,
                   [&](const PageRequest& paging) {
                     return ctx.api_keys->list(caller(request), request_team(request).team_id,
                                               paging);
                   },
                   api_key_json);
             });

  router.post(
      "/api/v1/api-keys",
      {.summary = "Create an API key for the team; the raw key is shown only in this answer",
       .role = Role::admin,
       .request_schema = schema::object({{"name", schema::string(1, 63)},
                                         {"role", role_schema()},
                                         {"expires_at", schema::string(1, 64)}},
                                        {"name", "role"}),
       .response_schema =
           [] {
             return nlohmann::json{{"type", "object"},
                                   {"properties",
                                    {{"api_key", api_key_schema()},
                                     {"raw_key", schema::string()},
                                     {"expiry_capped", schema::boolean()}}}};
           },
       .success_status = 201,
       .description =
           "The key's role may not exceed the caller's own role in the team. Created with an "
           "API key that expires, the new key may not expire later (400 on `expires_at`); "
           "without `expires_at` it gets the creating key's expiry and `expiry_capped` is "
           "true."},
      [&ctx](Request& request) -> Result<Response> {
        auto key = new_key_of(request);
        if (!key) {
          return fail(std::move(key.error()));
        }
        auto created = ctx.api_keys->create(caller(request), request_team(request).team_id, *key,
                                            client_info(request));
        if (!created) {
          return fail(std::move(created.error()));
        }
        return Response::json(201, {{"api_key", api_key_json(created->key)},
                                    {"raw_key", created->raw_key},
                                    {"expiry_capped", created->expiry_capped}});
      });

  router.del("/api/v1/api-keys/{id}",
             {.summary = "Revoke an API key; it stops working at once",
              .role = Role::admin,
              .success_status = 204},
             [&ctx](Request& request) -> Result<Response> {
               auto id = path_id(request, "id", "key");
               if (!id) {
                 return fail(std::move(id.error()));
               }
               return no_content_or(ctx.api_keys->revoke(
                   caller(request), request_team(request).team_id, *id, client_info(request)));
             });
}

}  // namespace berth::api
