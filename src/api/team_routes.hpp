#pragma once
/// Teams, members and ownership: /teams/*, apart from invitations (invitation_routes.hpp).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_team_routes(http::Router& router, const ApiContext& ctx);

}  // namespace berth::api
