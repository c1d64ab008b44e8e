#pragma once
/// Env vars and secrets of apps and projects; reveal (admin, audited).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_env_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
