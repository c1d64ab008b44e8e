#pragma once
/// Recovering a forgotten password: /auth/password-reset (a link by mail), its /confirm, and
/// /admin/users/{id}/password-reset (a link an instance administrator hands over).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_password_reset_routes(http::Router& router, const ApiContext& ctx);

}  // namespace berth::api
