#pragma once
/// What the team and invitation routes share: a team as seen by one member, the roles that
/// may be granted, reading the team id and role out of a request, and a team's list handler.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/error.hpp"
#include "core/role.hpp"
#include "http/message.hpp"
#include "store/identity_records.hpp"

namespace berth::api {

/// A team with the caller's role in it.
nlohmann::json team_view(const TeamMembershipRow& row);
nlohmann::json team_view_schema();

/// The roles that may be granted (by a role change or an invitation): ownership moves only by
/// transfer.
nlohmann::json grantable_role_schema();

/// The team id in the path (`{id}`); Error::not_found when it is not a well-formed team id.
Result<std::string> team_id_of(const http::Request& request);

/// The team id and one more id from the path (`name`, with `prefix`), in that order;
/// Error::not_found when either is malformed.
Result<std::pair<std::string, std::string>> team_and_path_id(const http::Request& request,
                                                             std::string_view name,
                                                             std::string_view prefix);

/// A list handler for a team route: one page (see list_response) of `list(caller, team_id)`
/// for the team in the path; Error::not_found for a malformed team id.
template <class List, class View>
Result<http::Response> team_list(const http::Request& request, List list, View view) {
  auto id = team_id_of(request);
  if (!id) {
    return fail(std::move(id.error()));
  }
  return list_response(
      request, [&](const PageRequest&) { return list(caller(request), *id); }, view);
}

/// The body's "role" as a Role. The route's schema already limits it to the grantable roles;
/// Error::validation on "role" otherwise.
Result<Role> body_role(const http::Request& request);

}  // namespace berth::api
