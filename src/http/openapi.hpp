#pragma once
/// Builds the OpenAPI 3.1 document from the route table, so the document cannot miss a route.
/// Routes marked `in_openapi = false` (the dashboard's files) are not API and are left out.

#include <nlohmann/json.hpp>
#include <string_view>

#include "http/router.hpp"

namespace berth::http {

nlohmann::json build_openapi(const Router& router, std::string_view version);

}  // namespace berth::http
