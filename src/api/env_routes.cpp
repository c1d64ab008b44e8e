#include "api/env_routes.hpp"

namespace berth::api {

void add_env_routes(http::Router& /*router*/, const ApiContext& /*context*/) {}

}  // namespace berth::api
