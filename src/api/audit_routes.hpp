#pragma once
/// The audit log: a team's (/audit-log) and the whole instance's (/admin/audit-log). Also the
/// paging helpers the identity list routes share (/api-keys, /admin/users, /admin/teams).

#include <cstdint>
#include <nlohmann/json.hpp>

#include "api/api_context.hpp"
#include "core/principal.hpp"
#include "domain/identity/audit_service.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_audit_routes(http::Router& router, const ApiContext& ctx);

/// `?page=` and `?per_page=` (defaults 1 and 20); Error::validation on the parameter when it
/// is not a whole number in range (page ≥ 1, per_page 1-100).
Result<PageRequest> page_request_of(const http::Request& request);

/// The list envelope of API.md: {"data", "page", "per_page", "total"}.
nlohmann::json page_json(nlohmann::json data, const PageRequest& page, std::int64_t total);

/// The schema of that envelope around items of `item`, for the OpenAPI document.
nlohmann::json page_schema(nlohmann::json item);

/// The team the router resolved for a team route (request.team); only valid on routes whose
/// role is a team role.
const TeamContext& request_team(const http::Request& request);

}  // namespace berth::api
