#pragma once
/// The one function that registers every route of the API. Reading it (and the
/// add_*_routes it calls) shows the whole API.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

/// Registers every route. `context` must outlive the router.
void register_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
