#include "api/web_routes.hpp"

#include "http/static_site.hpp"

namespace berth::api {

using http::Request;
using http::Response;

void add_web_routes(http::Router& router, const ApiContext& context) {
  const http::SiteSource* site = context.web;
  // Compiled-in files never block, so they skip the worker pool (and, like health, the rate
  // limiter: a page load fetches a dozen of them). Files read from --web-dir go to the pool.
  const auto execution =
      site != nullptr && site->in_memory() ? http::Execution::io_thread : http::Execution::worker;
  router.get(
      "/",
      {.summary = "The dashboard",
       .role = Role::anyone,
       .response_type = "text/html",
       .execution = execution,
       .in_openapi = false},
      [site](Request& request) -> Result<Response> { return http::serve_site(site, "", request); });
  router.get("/{path...}",
             {.summary = "The dashboard's files and client-side routes",
              .role = Role::anyone,
              .response_type = "text/html",
              .execution = execution,
              .in_openapi = false},
             [site](Request& request) -> Result<Response> {
               return http::serve_site(site, request.params.at("path"), request);
             });
}

}  // namespace berth::api
