#pragma once
/// Two-factor sign-in for the signed-in user: /me/totp/*.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_totp_routes(http::Router& router, const ApiContext& ctx);

}  // namespace berth::api
