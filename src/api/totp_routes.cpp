#include "api/totp_routes.hpp"

#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "domain/identity/totp_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json code_schema() { return schema::string(1, 32); }

json recovery_codes_schema() {
  return {{"type", "object"},
          {"properties", {{"recovery_codes", schema::array_of(schema::string())}}}};
}

Response recovery_codes_response(const std::vector<std::string>& codes) {
  return Response::json(200, {{"recovery_codes", codes}});
}

}  // namespace

void add_totp_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/me/totp",
      {.summary = "Start two-factor sign-in: a new TOTP secret to put in an app",
       .role = Role::user,
       .response_schema =
           [] {
             return nlohmann::json{
                 {"type", "object"},
                 {"properties", {{"secret", schema::string()}, {"otpauth_uri", schema::string()}}}};
           },
       .success_status = 201,
       .description = "Not required at sign-in until confirmed with a code. Enrolling "
                      "again before that replaces the secret."},
      [&ctx](Request& request) -> Result<Response> {
        auto enrolment = ctx.totp->enrol(caller(request), client_info(request));
        if (!enrolment) {
          return fail(std::move(enrolment.error()));
        }
        return Response::json(
            201, {{"secret", enrolment->secret}, {"otpauth_uri", enrolment->otpauth_uri}});
      });

  router.post("/api/v1/me/totp/confirm",
              {.summary = "Turn two-factor sign-in on with a first code; returns recovery codes",
               .role = Role::user,
               .request_schema = schema::object({{"code", code_schema()}}, {"code"}),
               .response_schema = recovery_codes_schema},
              [&ctx](Request& request) -> Result<Response> {
                auto codes = ctx.totp->confirm(caller(request), body_string(request, "code"),
                                               client_info(request));
                if (!codes) {
                  return fail(std::move(codes.error()));
                }
                return recovery_codes_response(*codes);
              });

  router.post(
      "/api/v1/me/totp/disable",
      {.summary = "Turn two-factor sign-in off (needs the password and a code)",
       .role = Role::user,
       .request_schema = schema::object(
           {{"password", schema::string(1, 1024)}, {"code", code_schema()}}, {"password", "code"}),
       .success_status = 204,
       .rate_class = http::RateClass::sign_in,  // guards the password and the codes
       .description = "The code may be a current TOTP code or an unused recovery code."},
      [&ctx](Request& request) -> Result<Response> {
        if (auto done = ctx.totp->disable(caller(request), body_string(request, "password"),
                                          body_string(request, "code"), client_info(request));
            !done) {
          return fail(std::move(done.error()));
        }
        return Response::no_content();
      });

  router.post("/api/v1/me/totp/recovery-codes",
              {.summary = "Replace your recovery codes with ten new ones (needs a code)",
               .role = Role::user,
               .request_schema = schema::object({{"code", code_schema()}}, {"code"}),
               .response_schema = recovery_codes_schema,
               .rate_class = http::RateClass::sign_in},
              [&ctx](Request& request) -> Result<Response> {
                auto codes = ctx.totp->replace_recovery_codes(
                    caller(request), body_string(request, "code"), client_info(request));
                if (!codes) {
                  return fail(std::move(codes.error()));
                }
                return recovery_codes_response(*codes);
              });
}

}  // namespace berth::api
