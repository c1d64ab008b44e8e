#include "api/system_routes.hpp"

#include <memory>
#include <mutex>

#include "core/json_schema.hpp"
#include "http/openapi.hpp"

namespace berth::api {

using http::Execution;
using http::Request;
using http::Response;
using http::Router;

namespace {

struct DocumentCache {
  std::once_flag once;
  std::string body;
};

// Load balancers poll this often; it must not touch the store or allocate much.
Result<Response> health(Request& /*request*/) {
  static const std::string kBody = R"({"status":"ok"})";
  return Response{.status = 200, .content_type = "application/json", .body = kBody, .headers = {}};
}

}  // namespace

void add_system_routes(Router& router, const ApiContext& context) {
  router.get("/api/v1/health",
             {.summary = "Liveness check for load balancers",
              .role = Role::anyone,
              .response_schema =
                  [] {
                    return schema::object({{"status", schema::one_of_strings({"ok"})}}, {"status"});
                  },
              .execution = Execution::io_thread},
             health);

  const nlohmann::json version_body = {{"version", context.version}, {"api", "v1"}};
  router.get(
      "/api/v1/version",
      {.summary = "The berthd version and API version",
       .role = Role::anyone,
       .response_schema =
           [] {
             return schema::object({{"version", schema::string()}, {"api", schema::string()}},
                                   {"version", "api"});
           },
       .execution = Execution::io_thread},
      [version_body](Request&) -> Result<Response> { return Response::json(200, version_body); });

  // The document is built from the table itself, so it cannot miss a route. Built on first use:
  // every route is registered by then.
  router.get(
      "/api/v1/openapi.json",
      {.summary = "The OpenAPI 3.1 document of every route",
       .role = Role::anyone,
       .response_schema =
           [] {
             return nlohmann::json{{"type", "object"}};
           }},
      [&router, version = context.version,
       cache = std::make_shared<DocumentCache>()](Request&) -> Result<Response> {
        std::call_once(cache->once,
                       [&] { cache->body = http::build_openapi(router, version).dump(2); });
        return Response{
            .status = 200, .content_type = "application/json", .body = cache->body, .headers = {}};
      });
}

}  // namespace berth::api
