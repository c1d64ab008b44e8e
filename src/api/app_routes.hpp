#pragma once
/// Apps: create, read, change and delete; the app object with its url and out-of-date flag.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_app_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
