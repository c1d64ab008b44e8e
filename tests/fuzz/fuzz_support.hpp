#pragma once
// The route table the fuzzers dispatch into: berthd's real routes plus one route with a
// declared body schema, so the JSON body path is reached too.

#include "api/routes.hpp"
#include "core/json_schema.hpp"
#include "core/log.hpp"
#include "http/router.hpp"

namespace berth::fuzz {

// Berthd's real table is matched in full, but only the fuzz route gets past the gate: the
// real handlers need services the fuzzer does not build. The fuzz route's caller is an owner,
// so its body path is always reached.
class FuzzGate final : public http::AccessGate {
 public:
  Result<void> throttle(const http::Route& route, const http::Request&) override {
    if (route.pattern.starts_with("/fuzz/")) {
      return {};
    }
    return fail(Error{.kind = ErrorKind::rate_limited,
                      .code = "rate_limited",
                      .message = "not served by the fuzzer",
                      .details = {{"retry_after_seconds", 1}},
                      .internal_detail = {}});
  }
  Result<Principal> identify(const http::Request&) override {
    return Principal{.user_id = "usr_fuzz", .personal_team_id = "team_fuzz"};
  }
  Result<std::optional<Role>> team_role(const Principal&, std::string_view) override {
    return std::optional<Role>(Role::owner);
  }
};

inline const http::Router& fuzz_router() {
  static const http::Router* router = [] {
    log::init_logging(
        {.format = log::Format::text, .level = log::Level::error, .file = "/dev/null"});
    auto* r = new http::Router();
    static const api::ApiContext context{.version = "fuzz"};
    static FuzzGate gate;
    api::register_routes(*r, context);
    r->set_access_gate(&gate);
    r->post("/fuzz/things/{id}",
            {.summary = "A body-taking route for the fuzzer",
             .role = Role::admin,
             .request_schema = schema::object(
                 {{"name", schema::string(1, 63)},
                  {"port", schema::integer(1, 65535)},
                  {"labels", {{"type", "object"}, {"additionalProperties", schema::string(0, 64)}}},
                  {"tags", schema::array_of(schema::string(1, 16))},
                  {"kind", schema::one_of_strings({"a", "b"})},
                  {"slug", {{"type", "string"}, {"pattern", "^[a-z0-9-]{1,20}$"}}}},
                 {"name"})},
            [](http::Request& request) -> Result<http::Response> {
              return http::Response::json(200, request.json);
            });
    return r;
  }();
  return *router;
}

}  // namespace berth::fuzz
