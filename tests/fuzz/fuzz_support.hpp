#pragma once
// The route table the fuzzers dispatch into: berthd's real routes plus one route with a
// declared body schema, so the JSON body path is reached too.

#include "api/routes.hpp"
#include "core/json_schema.hpp"
#include "core/log.hpp"
#include "http/router.hpp"

namespace berth::fuzz {

inline const http::Router& fuzz_router() {
  static const http::Router* router = [] {
    log::init_logging(
        {.format = log::Format::text, .level = log::Level::error, .file = "/dev/null"});
    auto* r = new http::Router();
    static const api::ApiContext context{.version = "fuzz"};
    api::register_routes(*r, context);
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
