#pragma once
/// Backups of managed services (docs/backups.md): run one now, list and read them.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_backup_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
