#pragma once
/// Projects: a team's grouping of apps, with env vars its apps inherit.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_project_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
