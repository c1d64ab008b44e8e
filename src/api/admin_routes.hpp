#pragma once
/// Instance administration of accounts and teams: /admin/users, /admin/teams (instance
/// administrators only; API keys never pass).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_admin_routes(http::Router& router, const ApiContext& ctx);

}  // namespace berth::api
