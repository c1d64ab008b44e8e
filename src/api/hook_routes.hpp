#pragma once
/// Triggers: the signed git webhook, deploy-hook URLs and their management; a server's proxy
/// settings.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_hook_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
