#pragma once
/// The one function that registers every route of the API. Reading it (and the
/// add_*_routes it calls) shows the whole API.

#include <string>

#include "http/router.hpp"

namespace berth::api {

/// What the route handlers need from the composition root.
struct ApiContext {
  std::string version;  // berthd's version, e.g. "0.1.0"
};

void register_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
