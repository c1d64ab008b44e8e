#pragma once
/// A team's servers: install tokens, adoption over SSH, listing, reading, changing, cordoning
/// and draining, revoking the agent, metrics, the event stream and the deploy key.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_server_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
