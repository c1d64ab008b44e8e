#pragma once
/// Who may call a route. Team roles each include the one below (API.md):
/// viewer < member < admin < owner. `anyone` marks the few public routes (health, login);
/// `user` routes need a signed-in user but no team (/me, creating a team); `instance_admin`
/// marks the instance-wide administration routes.

#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace berth {

enum class Role { anyone, user, viewer, member, admin, owner, instance_admin };

/// True for the four roles a team membership (or an API key) can hold.
bool is_team_role(Role role);

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

/// True when a holder of team role `held` may do what `needed` requires.
bool role_includes(Role held, Role needed);

/// Error::forbidden `insufficient_role` whose details name the role needed — the one shape
/// of this refusal, from the router and from services alike.
Error insufficient_role_error(Role needed);

}  // namespace berth
