#pragma once
/// Health, version and the OpenAPI document: the routes that need no account.

#include "api/routes.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_system_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
