#pragma once
/// Managed services (databases and caches) and the links that give apps their credentials
/// (docs/services.md).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_service_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
