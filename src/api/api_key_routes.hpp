#pragma once
/// A team's API keys: /api-keys (admin and up; the team is the request's).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_api_key_routes(http::Router& router, const ApiContext& ctx);

}  // namespace berth::api
