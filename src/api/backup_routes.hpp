#pragma once
/// Backups of managed services and of apps' named volumes (docs/backups.md): run one now, list and
/// read them, restore one, and drill one (restore it into a scratch container to prove it
/// restores).

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_backup_routes(http::Router& router, const ApiContext& context);
/// Called by add_backup_routes: POST /backups/{id}/drill, GET /backups/{id}/drills,
/// GET /drills/{id}.
void add_backup_drill_routes(http::Router& router, const ApiContext& context);
/// Called by add_backup_routes: POST /apps/{id}/volumes/{volume}/backups, GET /apps/{id}/backups.
void add_volume_backup_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
