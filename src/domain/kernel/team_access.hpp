#pragma once
/// A caller's role in a team, checked again inside a service's own transaction (the router
/// checked it before the handler; a demotion in between must not slip through).

#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "store/store.hpp"

namespace berth {

/// The caller's effective role in the team: their membership's role, for an API key capped by
/// the key's own role. Error::not_found when they are not a member or a key acts outside its
/// own team.
Result<Role> acting_team_role(Tx& tx, const Principal& who, std::string_view team_id);

/// The memberships a caller may see and act through: all of a user's; for an API key only
/// its own team's, at the key's effective role.
std::vector<TeamMembershipRow> visible_memberships(const Principal& who,
                                                   std::vector<TeamMembershipRow> rows);

/// acting_team_role, then insufficient_role_error unless it includes `needed`.
Result<Role> require_team_role(Tx& tx, const Principal& who, std::string_view team_id, Role needed);

}  // namespace berth
