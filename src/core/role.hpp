#pragma once
/// Who may call a route. Team roles each include the one below (API.md):
/// viewer < member < admin < owner. `anyone` marks the few public routes (health, login);
/// `instance_admin` the instance-wide administration routes.

#include <optional>
#include <string_view>

namespace berth {

enum class Role { anyone, viewer, member, admin, owner, instance_admin };

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

/// True when a holder of `held` may do what `needed` requires (team roles only).
bool role_includes(Role held, Role needed);

}  // namespace berth
