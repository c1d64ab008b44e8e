#include "api/project_routes.hpp"

namespace berth::api {

void add_project_routes(http::Router& /*router*/, const ApiContext& /*context*/) {}

}  // namespace berth::api
