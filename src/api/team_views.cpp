#include "api/team_views.hpp"

#include "api/identity_views.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"

namespace berth::api {

using nlohmann::json;

json team_view(const TeamMembershipRow& row) {
  json out = team_json(row.team);
  out["role"] = role_name(row.role);
  return out;
}

json team_view_schema() {
  json out = team_schema();
  out["properties"]["role"] = role_schema();
  return out;
}

json grantable_role_schema() { return schema::one_of_strings({"viewer", "member", "admin"}); }

Result<std::string> team_id_of(const http::Request& request) {
  return path_id(request, "id", "team");
}

Result<std::pair<std::string, std::string>> team_and_path_id(const http::Request& request,
                                                             std::string_view name,
                                                             std::string_view prefix) {
  auto id = team_id_of(request);
  auto other = path_id(request, name, prefix);
  if (!id || !other) {
    return fail(!id ? std::move(id.error()) : std::move(other.error()));
  }
  return std::pair{std::move(*id), std::move(*other)};
}

Result<Role> body_role(const http::Request& request) {
  const auto role = parse_role(body_string(request, "role"));
  if (!role || !is_team_role(*role)) {
    return fail(Error::validation("role", "role must be viewer, member or admin"));
  }
  return *role;
}

}  // namespace berth::api
