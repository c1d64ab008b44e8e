#include "api/edge_routes.hpp"

#include "api/apps_handlers.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/apps/edge_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json limited(json array, std::size_t max) {
  array["maxItems"] = max;
  return array;
}

// Header name → value; the count (edge::kMaxHeaders) is checked by edge::parse_edge_rules.
json string_map(std::size_t max_length) {
  return {{"type", "object"}, {"additionalProperties", schema::string(0, max_length)}};
}

json redirect_schema() {
  return schema::object({{"path", schema::string(1, edge::kMaxPath)},
                         {"to", schema::string(1, edge::kMaxUrl)},
                         {"status", {{"type", "integer"}, {"enum", {301, 302, 307, 308}}}}},
                        {"path", "to"});
}

// `user_fields`: what a user is made of in this direction (a password in, has_password out).
json edge_schema(json user_fields, bool with_updated_at) {
  json properties = {
      {"redirects", limited(schema::array_of(redirect_schema()), edge::kMaxRedirects)},
      {"headers",
       schema::object({{"set", string_map(edge::kMaxHeaderValue)},
                       {"remove", limited(schema::array_of(schema::string(1, edge::kMaxHeaderName)),
                                          edge::kMaxHeaders)}})},
      {"allow_ips", limited(schema::array_of(schema::string(1, 64)), edge::kMaxAllowIps)},
      {"basic_auth", schema::object({{"users", limited(schema::array_of(schema::object(
                                                           std::move(user_fields), {"username"})),
                                                       edge::kMaxUsers)}})},
      {"max_body_bytes", schema::integer(0, edge::kMaxBodyBytes)},
      {"maintenance",
       schema::object({{"enabled", schema::boolean()},
                       {"retry_after_seconds", schema::integer(1, edge::kMaxRetryAfter)},
                       {"message", schema::string(0, edge::kMaxMessage)}})}};
  if (with_updated_at) {
    properties["updated_at"] = {{"type", {"string", "null"}}};
  }
  return schema::object(std::move(properties));
}

// What GET answers may come back as it is: has_password and updated_at are read-only and
// ignored.
json request_schema() {
  return edge_schema({{"username", schema::string(1, edge::kMaxUsername)},
                      {"password", schema::string(1, 72)},
                      {"password_hash", schema::string(60, 60)},
                      {"has_password", schema::boolean()}},
                     true);
}

json response_schema() {
  return edge_schema({{"username", schema::string()}, {"has_password", schema::boolean()}}, true);
}

// The stored shape, users without their hashes.
json edge_view_json(const EdgeView& view) {
  json out = edge::edge_rules_json(view.rules);
  for (auto& user : out["basic_auth"]["users"]) {
    user.erase("password_hash");
    user["has_password"] = true;
  }
  out["updated_at"] =
      view.updated_at == TimePoint{} ? json(nullptr) : json(format_rfc3339(view.updated_at));
  return out;
}

}  // namespace

void add_edge_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/apps/{id}/edge",
             {.summary = "Read an app's edge rules",
              .role = Role::viewer,
              .response_schema = response_schema,
              .description = "Redirects, response headers, IP allow-list, basic-auth users "
                             "(names only, never a password or hash), body limit and "
                             "maintenance switch; every field present (empty when unset). "
                             "updated_at is null for an app that never had rules. See "
                             "docs/edge.md."},
             with_path_id("app", [&ctx](Request& request, const std::string& id) {
               return json_or(200, ctx.edge->get(caller(request), team_of_request(request), id),
                              edge_view_json);
             }));

  router.put(
      "/api/v1/apps/{id}/edge",
      {.summary = "Replace an app's edge rules",
       .role = Role::member,
       .request_schema = request_schema(),
       .response_schema = response_schema,
       .description =
           "The whole document (what GET answered may be sent back: has_password and "
           "updated_at are ignored); a field left out is cleared. Each basic-auth user gives "
           "`password` (1-72 bytes, stored only as a bcrypt hash), `password_hash` (a bcrypt "
           "hash), or neither to keep its current password. Header names are RFC 7230 tokens "
           "(hop-by-hop and proxy-owned ones refused); values, paths, URLs and the maintenance "
           "message must not hold '{', '}', CR, LF, NUL or other control characters; each "
           "refusal is 400 validation_failed naming the field. The server's proxy is given the "
           "new rules in the background (a few seconds) when the app is deployed. Audited "
           "(app.edge). See docs/edge.md."},
      with_path_id("app", [&ctx](Request& request, const std::string& id) {
        json document = request.json;
        document.erase("updated_at");
        if (document.contains("basic_auth") && document["basic_auth"].is_object() &&
            document["basic_auth"].contains("users") &&
            document["basic_auth"]["users"].is_array()) {
          for (auto& user : document["basic_auth"]["users"]) {
            if (user.is_object()) {
              user.erase("has_password");
            }
          }
        }
        return json_or(200,
                       ctx.edge->put(caller(request), team_of_request(request), id, document,
                                     client_info(request)),
                       edge_view_json);
      }));
}

}  // namespace berth::api
