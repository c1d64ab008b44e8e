#pragma once
/// Invitations: a team's (/teams/{id}/invitations) and taking one up (/invitations/*).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_invitation_routes(http::Router& router, const ApiContext& ctx);

}  // namespace berth::api
