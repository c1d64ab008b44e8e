#pragma once
/// The one way an audit entry is made, whatever the area.

#include <nlohmann/json.hpp>
#include <string>

#include "domain/kernel/actor.hpp"
#include "domain/kernel/service_context.hpp"

namespace berth {

/// An audit entry stamped now, with a fresh id.
inline AuditEntry make_audit(const AreaContext& ctx, const Actor& actor, std::string action,
                             std::string target, std::string team_id = {},
                             nlohmann::json details = nlohmann::json::object(),
                             std::string outcome = "success") {
  return AuditEntry{.id = ctx.ids().next("aud"),
                    .at = ctx.clock().now(),
                    .actor = actor.user_id.empty() ? std::string("anonymous") : actor.user_id,
                    .action = std::move(action),
                    .target = std::move(target),
                    .team_id = std::move(team_id),
                    .request_id = actor.request_id,
                    .source_address = actor.source_address,
                    .details = std::move(details),
                    .outcome = std::move(outcome)};
}

}  // namespace berth
