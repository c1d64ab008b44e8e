#pragma once
/// Berth's own request and response types. Handlers see only these, never Beast, so the
/// api/ and domain/ code compiles without Boost headers and can be tested without sockets.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/principal.hpp"

namespace berth::http {

/// `other` stands for any verb Berth has no route for (OPTIONS, TRACE, ...): it gets 405.
enum class Method { get, post, put, patch, delete_, other };

std::string_view method_name(Method method);
std::optional<Method> parse_method(std::string_view name);

/// Request header names are stored lower-case (values as received); response header names
/// are sent as written.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Method method = Method::get;
  std::string path;   // percent-decoding is per segment, by the router
  std::string query;  // raw text after '?', without it
  Headers headers;
  std::string body;
  std::string request_id;
  std::string remote_address;

  std::map<std::string, std::string> params;  // path parameters, filled by the router
  nlohmann::json json;                        // the validated body when the route declares one
  std::optional<Principal> principal;         // set before the handler on non-public routes
  std::optional<TeamContext> team;            // set before the handler on team routes

  /// The first header with this (lower-case) name.
  std::optional<std::string_view> header(std::string_view lower_name) const;
  /// The first query parameter with this name, percent-decoded.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;

  static Response json(unsigned status, const nlohmann::json& body);
  static Response no_content();
};

/// Decodes %XX escapes ('+' stays '+'); nullopt on a malformed escape or an encoded NUL.
std::optional<std::string> percent_decode(std::string_view text);

/// The client's X-Request-ID when it is sane (1-128 of [A-Za-z0-9._:-]), else nullopt.
std::optional<std::string> sane_request_id(std::string_view candidate);

}  // namespace berth::http
