#pragma once
/// Sign-in and the signed-in user's own account: /auth/*, /me/*.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_auth_routes(http::Router& router, const ApiContext& ctx);
void add_me_routes(http::Router& router, const ApiContext& ctx);

}  // namespace berth::api
