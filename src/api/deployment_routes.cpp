#include "api/deployment_routes.hpp"

namespace berth::api {

void add_deployment_routes(http::Router& /*router*/, const ApiContext& /*context*/) {}

}  // namespace berth::api
