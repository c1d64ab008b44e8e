#include "api/password_reset_routes.hpp"

#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/identity/password_reset_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

// The one answer to every accepted request, whether or not the address has an account.
constexpr std::string_view kRequestedMessage =
    "if an account has this address, a link to choose a new password is on its way";

json reset_link_view(const IssuedResetLink& link) {
  return {{"url", link.url}, {"expires_at", format_rfc3339(link.expires_at)}};
}

}  // namespace

void add_password_reset_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/auth/password-reset",
      {.summary = "Ask for a password reset link by mail",
       .role = Role::anyone,
       .request_schema = schema::object({{"email", schema::string(1, 254)}}, {"email"}),
       .response_schema =
           [] {
             return schema::object({{"message", schema::string()}}, {"message"});
           },
       .success_status = 202,
       .rate_class = http::RateClass::sign_in,
       .description =
           "Always 202 with the same body, whether or not an account has the address; the mail "
           "(a link to <public_url>/reset-password?token=..., valid 30 minutes) is sent in the "
           "background, at most 3 an hour per address. 422 `mail_not_configured` when the "
           "instance has no SMTP server: an instance administrator can make a link instead."},
      [&ctx](Request& request) -> Result<Response> {
        if (auto done = ctx.password_resets->request_by_email(body_string(request, "email"),
                                                              client_info(request));
            !done) {
          return fail(std::move(done.error()));
        }
        return Response::json(202, {{"message", kRequestedMessage}});
      });

  router.post(
      "/api/v1/auth/password-reset/confirm",
      {.summary = "Set a new password with a reset token; signs the account out everywhere",
       .role = Role::anyone,
       .request_schema = schema::object(
           {{"token", schema::string(1, 256)}, {"password", schema::string(1, 1024)}},
           {"token", "password"}),
       .success_status = 204,
       .rate_class = http::RateClass::sign_in,
       .description = "400 `invalid_token` for an unknown, expired, used or superseded token "
                      "alike. Every session and refresh token of the account is revoked and its "
                      "sign-in lockouts lifted; two-factor sign-in stays as it was."},
      [&ctx](Request& request) -> Result<Response> {
        return no_content_or(ctx.password_resets->confirm(
            body_string(request, "token"), body_string(request, "password"), client_info(request)));
      });

  router.post(
      "/api/v1/admin/users/{id}/password-reset",
      {.summary = "Make a password reset link for an account (shown once)",
       .role = Role::instance_admin,
       .response_schema =
           [] {
             return schema::object({{"url", schema::string()}, {"expires_at", schema::string()}},
                                   {"url", "expires_at"});
           },
       .success_status = 201,
       .description = "For when mail is not set up, or does not arrive: pass the link on to its "
                      "owner. Valid 24 hours and once; it replaces any earlier link of the "
                      "account. 409 `account_disabled` for a deactivated account."},
      [&ctx](Request& request) -> Result<Response> {
        auto id = path_id(request, "id", "usr");
        if (!id) {
          return fail(std::move(id.error()));
        }
        return json_or(201,
                       ctx.password_resets->issue_link(caller(request), *id, client_info(request)),
                       reset_link_view);
      });
}

}  // namespace berth::api
