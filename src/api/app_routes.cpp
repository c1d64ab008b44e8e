#include "api/app_routes.hpp"

namespace berth::api {

void add_app_routes(http::Router& /*router*/, const ApiContext& /*context*/) {}

}  // namespace berth::api
