#include "api/routes.hpp"

#include "api/system_routes.hpp"

namespace berth::api {

void register_routes(http::Router& router, const ApiContext& context) {
  add_system_routes(router, context);
}

}  // namespace berth::api
