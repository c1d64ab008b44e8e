#include "core/role.hpp"

#include <array>
#include <string>
#include <utility>

namespace berth {

namespace {
constexpr std::array<std::pair<Role, std::string_view>, 7> kNames = {{
    {Role::anyone, "anyone"},
    {Role::user, "user"},
    {Role::viewer, "viewer"},
    {Role::member, "member"},
    {Role::admin, "admin"},
    {Role::owner, "owner"},
    {Role::instance_admin, "instance_admin"},
}};
}  // namespace

std::string_view role_name(Role role) {
  for (const auto& [value, name] : kNames) {
    if (value == role) {
      return name;
    }
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) {
      return value;
    }
  }
  return std::nullopt;
}

Error insufficient_role_error(Role needed) {
  return Error{.kind = ErrorKind::forbidden,
               .code = "insufficient_role",
               .message = "this needs the " + std::string(role_name(needed)) + " role",
               .details = {{"required_role", role_name(needed)}},
               .internal_detail = {}};
}

bool is_team_role(Role role) {
  return role == Role::viewer || role == Role::member || role == Role::admin || role == Role::owner;
}

bool role_includes(Role held, Role needed) {
  if (needed == Role::anyone || needed == Role::user) {
    return true;
  }
  if (held == Role::instance_admin || needed == Role::instance_admin) {
    return held == needed;
  }
  return static_cast<int>(held) >= static_cast<int>(needed);
}

}  // namespace berth
