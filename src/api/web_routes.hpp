#pragma once
/// The dashboard: GET / and every path no other route claims (its client-side routes and
/// files). Public, and it carries no team data: the page asks the API for everything.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

/// Registered last in register_routes; the router keeps /api/... from its catch-all.
void add_web_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
