#pragma once
/// The team's live feed: one SSE stream with every server event and heartbeat sample of the
/// team's servers, so a list of a hundred servers stays live over one connection.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_team_event_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
