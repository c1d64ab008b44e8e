#include "api/hook_routes.hpp"

namespace berth::api {

void add_hook_routes(http::Router& /*router*/, const ApiContext& /*context*/) {}

}  // namespace berth::api
