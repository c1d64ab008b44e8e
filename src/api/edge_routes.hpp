#pragma once
/// An app's edge rules (docs/edge.md): read (viewer) and replace (member).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_edge_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
