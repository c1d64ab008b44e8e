#pragma once
/// The routes agents use: register (spend an install token), connect (the WebSocket), and the
/// install script and binary behind the dashboard's one-line install command.

#include <nlohmann/json.hpp>
#include <string>

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_agent_routes(http::Router& router, const ApiContext& context);

/// What POST /api/v1/agent/register carries, once dispatch has validated the body.
struct AgentRegistration {
  std::string install_token;
  nlohmann::json facts;
};

/// Takes the install token and the facts out of a validated register body (the facts are
/// moved, not copied). Error::validation on `facts` over 16 KiB. Pure; any thread.
Result<AgentRegistration> read_registration(http::Request& request);

}  // namespace berth::api
