#pragma once
/// The audit log: a team's (/audit-log) and the whole instance's (/admin/audit-log).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_audit_routes(http::Router& router, const ApiContext& ctx);

}  // namespace berth::api
