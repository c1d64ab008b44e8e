#pragma once
/// The shapes the project, app and env route files share: the request's team, and a handler
/// that first reads a well-formed id from the path (a malformed one is 404 before any store
/// access). Header-only.

#include <string>
#include <string_view>
#include <utility>

#include "api/request_helpers.hpp"
#include "http/router.hpp"

namespace berth::api {

inline const std::string& team_of_request(const http::Request& request) {
  return request_team(request).team_id;
}

/// A handler that calls `action(request, id)` with the path parameter "id" when it is an id
/// with `prefix` ("app", "prj").
template <class Action>
http::Handler with_path_id(std::string_view prefix, Action action) {
  return [prefix = std::string(prefix), action](http::Request& request) -> Result<http::Response> {
    auto id = path_id(request, "id", prefix);
    if (!id) {
      return fail(std::move(id.error()));
    }
    return action(request, *id);
  };
}

}  // namespace berth::api
