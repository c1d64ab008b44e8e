#pragma once
/// A service's (or an app's named volume's) backup policy (docs/backups.md "Scheduled backups and
/// retention"): read, set and remove its schedule, zone, destination and retention.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_backup_policy_routes(http::Router& router, const ApiContext& context);
/// Called by add_backup_policy_routes: GET/PUT/DELETE /apps/{id}/volumes/{volume}/backup-policy.
void add_volume_backup_policy_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
