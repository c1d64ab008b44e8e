#pragma once
/// Deployments: start, list, read, cancel, the event stream; rollback, restart/stop/start and the
/// app's logs.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_deployment_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
