#include "api/auth_routes.hpp"

#include <memory>
#include <mutex>
#include <unordered_map>

#include "api/identity_views.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "domain/identity/access_checker.hpp"
#include "domain/identity/sign_in_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json credentials_schema() {
  return schema::object({{"email", schema::string(1, 254)},
                         {"password", schema::string(1, 1024)},
                         {"totp", schema::string(0, 32)}},
                        {"email", "password"});
}

json signed_in_schema() {
  return {{"type", "object"},
          {"properties",
           {{"user", user_schema()},
            {"memberships", schema::array_of(membership_schema())},
            {"csrf_token", schema::string()}}}};
}

json token_schema() {
  return {{"type", "object"},
          {"properties",
           {{"access_token", schema::string()},
            {"refresh_token", schema::string()},
            {"token_type", schema::string()},
            {"expires_in", schema::integer()}}}};
}

// `api_key` says what a key caller is acting with; null for sessions and access tokens.
json me_json(const SignInService::Me& me, const std::optional<Principal>& key) {
  json out = {{"user", user_json(me.first)},
              {"memberships", memberships_json(me.second)},
              {"api_key", nullptr}};
  if (key) {
    out["api_key"] = {{"id", key->credential_id},
                      {"team_id", key->key_team_id},
                      {"role", role_name(key->key_role)},
                      {"expires_at", optional_time(key->key_expires_at)}};
  }
  return out;
}

json me_schema() {
  return {{"type", "object"},
          {"properties",
           {{"user", user_schema()},
            {"memberships", schema::array_of(membership_schema())},
            {"api_key",
             {{"type", {"object", "null"}},
              {"properties",
               {{"id", schema::string()},
                {"team_id", schema::string()},
                {"role", role_schema()},
                {"expires_at", {{"type", {"string", "null"}}}}}}}}}}};
}

// Clients poll /me; its JSON is rendered once per snapshot the service hands out.
class RenderedMe {
 public:
  std::string body_for(const std::string& user_id,
                       const std::shared_ptr<const SignInService::Me>& me) {
    std::lock_guard lock(mutex_);
    if (bodies_.size() > 10000) {
      bodies_.clear();
    }
    auto& entry = bodies_[user_id];
    if (entry.first.lock() != me) {
      entry = {me, me_json(*me, std::nullopt).dump()};
    }
    return entry.second;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::pair<std::weak_ptr<const SignInService::Me>, std::string>>
      bodies_;
};

Credentials credentials_of(const Request& request) {
  return Credentials{.email = body_string(request, "email"),
                     .password = body_string(request, "password"),
                     .totp = body_string(request, "totp")};
}

Response signed_in_response(const SignedIn& in, unsigned status, const ApiContext& ctx) {
  Response response = Response::json(status, {{"user", user_json(in.user)},
                                              {"memberships", memberships_json(in.memberships)},
                                              {"csrf_token", in.csrf_token}});
  response.headers.emplace_back(
      "Set-Cookie", session_cookie(in.session_token, ctx.session_max_age, ctx.secure_cookies));
  return response;
}

json token_json(const TokenPair& pair) {
  return {{"access_token", pair.access_token},
          {"refresh_token", pair.refresh_token},
          {"token_type", "Bearer"},
          {"expires_in", pair.expires_in}};
}

}  // namespace

void add_auth_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/auth/state",
             {.summary = "Whether the instance needs setup and who is signed in",
              .role = Role::anyone,
              .response_schema =
                  [] {
                    return nlohmann::json{{"type", "object"},
                                          {"properties",
                                           {{"needs_setup", schema::boolean()},
                                            {"authenticated", schema::boolean()},
                                            {"user", {{"type", {"object", "null"}}}}}}};
                  }},
             [&ctx](Request& request) -> Result<Response> {
               auto needed = ctx.sign_in->needs_setup();
               if (!needed) {
                 return fail(std::move(needed.error()));
               }
               json body = {{"needs_setup", *needed}, {"authenticated", false}, {"user", nullptr}};
               PresentedCredentials presented = presented_credentials(request);
               presented.mutation = false;
               if (auto who = ctx.access->authenticate(presented)) {
                 auto me = ctx.sign_in->me(*who);
                 if (!me) {
                   return fail(std::move(me.error()));
                 }
                 body["authenticated"] = true;
                 body["user"] = user_json((*me)->first);
               }
               return Response::json(200, body);
             });

  router.post(
      "/api/v1/auth/setup",
      {.summary = "Create the first instance administrator (needs the setup token)",
       .role = Role::anyone,
       .request_schema = schema::object({{"setup_token", schema::string(1, 256)},
                                         {"email", schema::string(1, 254)},
                                         {"password", schema::string(1, 1024)},
                                         {"display_name", schema::string(1, 100)}},
                                        {"setup_token", "email", "password", "display_name"}),
       .response_schema = signed_in_schema,
       .success_status = 201,
       .rate_class = http::RateClass::sign_in},
      [&ctx](Request& request) -> Result<Response> {
        auto in = ctx.sign_in->setup(body_string(request, "setup_token"), credentials_of(request),
                                     body_string(request, "display_name"), client_info(request));
        if (!in) {
          return fail(std::move(in.error()));
        }
        return signed_in_response(*in, 201, ctx);
      });

  router.post(
      "/api/v1/auth/login",
      {.summary = "Sign in with email and password (and a TOTP code); sets the session cookie",
       .role = Role::anyone,
       .request_schema = credentials_schema(),
       .response_schema = signed_in_schema,
       .rate_class = http::RateClass::sign_in},
      [&ctx](Request& request) -> Result<Response> {
        auto in = ctx.sign_in->login(credentials_of(request), client_info(request));
        if (!in) {
          return fail(std::move(in.error()));
        }
        return signed_in_response(*in, 200, ctx);
      });

  router.post("/api/v1/auth/logout",
              {.summary = "End the current session or access token", .role = Role::user},
              [&ctx](Request& request) -> Result<Response> {
                if (auto done = ctx.sign_in->logout(caller(request), client_info(request)); !done) {
                  return fail(std::move(done.error()));
                }
                Response response = Response::no_content();
                response.headers.emplace_back("Set-Cookie",
                                              expired_session_cookie(ctx.secure_cookies));
                return response;
              });

  router.post("/api/v1/auth/token",
              {.summary = "Get an access token and a refresh token for a program",
               .role = Role::anyone,
               .request_schema = credentials_schema(),
               .response_schema = token_schema,
               .rate_class = http::RateClass::sign_in},
              [&ctx](Request& request) -> Result<Response> {
                auto pair =
                    ctx.sign_in->issue_tokens(credentials_of(request), client_info(request));
                if (!pair) {
                  return fail(std::move(pair.error()));
                }
                return Response::json(200, token_json(*pair));
              });

  router.post("/api/v1/auth/refresh",
              {.summary = "Rotate a refresh token; a reused one revokes its whole chain",
               .role = Role::anyone,
               .request_schema =
                   schema::object({{"refresh_token", schema::string(1, 256)}}, {"refresh_token"}),
               .response_schema = token_schema,
               .rate_class = http::RateClass::sign_in},
              [&ctx](Request& request) -> Result<Response> {
                auto pair = ctx.sign_in->refresh(body_string(request, "refresh_token"),
                                                 client_info(request));
                if (!pair) {
                  return fail(std::move(pair.error()));
                }
                return Response::json(200, token_json(*pair));
              });
}

void add_me_routes(http::Router& router, const ApiContext& ctx) {
  router.get(
      "/api/v1/me",
      {.summary = "The signed-in user and their team memberships",
       .role = Role::user,
       .response_schema = me_schema,
       .description = "Called with an API key: only the key's own team, and `api_key` names the "
                      "key (id, team_id, role, expires_at); otherwise `api_key` is null."},
      [&ctx, rendered = std::make_shared<RenderedMe>()](Request& request) -> Result<Response> {
        const Principal& who = caller(request);
        auto me = ctx.sign_in->me(who);
        if (!me) {
          return fail(std::move(me.error()));
        }
        if (who.credential == CredentialKind::api_key) {
          return Response::json(200, me_json(**me, who));
        }
        return Response{.status = 200,
                        .content_type = "application/json",
                        .body = rendered->body_for(who.user_id, *me),
                        .headers = {}};
      });

  router.post("/api/v1/me/password",
              {.summary = "Change your password; every other session is signed out",
               .role = Role::user,
               .request_schema = schema::object(
                   {{"current", schema::string(1, 1024)}, {"next", schema::string(1, 1024)}},
                   {"current", "next"}),
               .success_status = 204},
              [&ctx](Request& request) -> Result<Response> {
                if (auto done = ctx.sign_in->change_password(
                        caller(request), body_string(request, "current"),
                        body_string(request, "next"), client_info(request));
                    !done) {
                  return fail(std::move(done.error()));
                }
                return Response::no_content();
              });

  router.get(
      "/api/v1/me/sessions",
      {.summary = "Your signed-in browser sessions",
       .role = Role::user,
       .response_schema = [] { return page_schema(session_schema()); },
       .query = paging_query(),
       .description = "Newest first; `current` marks the session of this request; "
                      "?page=, ?per_page=."},
      [&ctx](Request& request) -> Result<Response> {
        const std::string current = caller(request).credential_id;
        return list_response(
            request,
            [&](const PageRequest&) { return ctx.sign_in->list_sessions(caller(request)); },
            [&current](const SessionRecord& session) { return session_json(session, current); });
      });

  router.del(
      "/api/v1/me/sessions/{id}",
      {.summary = "Sign out one of your sessions", .role = Role::user, .success_status = 204},
      [&ctx](Request& request) -> Result<Response> {
        auto id = path_id(request, "id", "ses");
        if (!id) {
          return fail(std::move(id.error()));
        }
        if (auto done = ctx.sign_in->revoke_session(caller(request), *id, client_info(request));
            !done) {
          return fail(std::move(done.error()));
        }
        return Response::no_content();
      });
}

}  // namespace berth::api
