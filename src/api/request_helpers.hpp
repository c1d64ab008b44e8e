#pragma once
/// Small helpers every handler file uses: who is asking, from where, with which credential,
/// and how to answer with a session cookie.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "domain/identity/access_checker.hpp"
#include "domain/kernel/actor.hpp"
#include "http/message.hpp"

namespace berth::api {

constexpr std::string_view kSessionCookie = "berth_session";

/// The value of one cookie from the Cookie header.
std::optional<std::string> cookie(const http::Request& request, std::string_view name);

/// Request id, client address and user agent, for the audit log and session records.
ClientInfo client_info(const http::Request& request);

/// The credentials a request carries (bearer token, session cookie, CSRF token, origin).
PresentedCredentials presented_credentials(const http::Request& request);

/// Set-Cookie value that stores a session token (HttpOnly, SameSite=Strict, Secure on https).
std::string session_cookie(std::string_view token, long long max_age, bool secure);
/// Set-Cookie value that removes the session cookie.
std::string expired_session_cookie(bool secure);

/// The signed-in caller; only valid on routes whose role is not `anyone`.
const Principal& caller(const http::Request& request);

/// The team the router resolved for a team route (request.team); only valid on routes whose
/// role is a team role.
const TeamContext& request_team(const http::Request& request);

/// The id of the team the request acts in (request_team(request).team_id).
inline const std::string& team_of(const http::Request& request) {
  return request_team(request).team_id;
}

/// The path parameter `name` when it is a well-formed id with `prefix` ("ses", "key", ...);
/// otherwise Error::not_found — a malformed id never reaches the store.
Result<std::string> path_id(const http::Request& request, std::string_view name,
                            std::string_view prefix);

/// A string member of the validated body, "" when absent.
std::string body_string(const http::Request& request, std::string_view name);

/// `done`'s error, or 204 No Content.
Result<http::Response> no_content_or(Result<void> done);

/// `result`'s error, or `status` with `view(*result)` as the JSON body.
template <class T, class View>
Result<http::Response> json_or(unsigned status, Result<T> result, View view) {
  if (!result) {
    return fail(std::move(result.error()));
  }
  return http::Response::json(status, view(*result));
}

}  // namespace berth::api
