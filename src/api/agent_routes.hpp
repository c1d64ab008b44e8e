#pragma once
/// The routes agents use: register (spend an install token), connect (the WebSocket), and the
/// install script and binary behind the dashboard's one-line install command.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_agent_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
