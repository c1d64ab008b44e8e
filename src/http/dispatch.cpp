#include "http/dispatch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <exception>

#include "core/json_limits.hpp"
#include "core/json_schema.hpp"
#include "core/log.hpp"
#include "http/error_response.hpp"

namespace berth::http {

namespace {

bool is_json_media_type(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  std::string lowered;
  for (char c : media) {
    if (c != ' ' && c != '\t') {
      lowered.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return lowered == "application/json";
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

Error method_not_allowed(const Match& match) {
  Error error{.kind = ErrorKind::method_not_allowed,
              .code = "method_not_allowed",
              .message = "this method is not allowed here",
              .details = nlohmann::json::object(),
              .internal_detail = {}};
  nlohmann::json allowed = nlohmann::json::array();
  for (Method m : match.allowed()) {
    allowed.push_back(method_name(m));
  }
  error.details["allowed"] = std::move(allowed);
  return error;
}

std::string allow_header(const Match& match) {
  std::string out;
  for (Method m : match.allowed()) {
    if (!out.empty()) {
      out += ", ";
    }
    out += method_name(m);
  }
  return out;
}

// The team a team route acts in: the path parameter the route names, else X-Team-ID, else
// the API key's own team, else the caller's personal team.
std::string requested_team(const RouteSpec& spec, const Request& request, const Principal& who) {
  if (!spec.team_param.empty()) {
    const auto it = request.params.find(spec.team_param);
    return it == request.params.end() ? std::string{} : it->second;
  }
  if (const auto header = request.header("x-team-id")) {
    return std::string(*header);
  }
  if (who.credential == CredentialKind::api_key) {
    return who.key_team_id;
  }
  return who.personal_team_id;
}

// The one authorization check: every route passes it before its handler runs, and what it
// demands comes from the route's own declaration.
Result<void> admit(AccessGate* gate, const Route& route, Request& request) {
  const RouteSpec& spec = route.spec;
  if (spec.execution == Execution::io_thread) {
    return {};  // health, version (public, as Router::add insists): never throttled or blocked
  }
  if (gate == nullptr) {
    return fail(Error::internal("route " + route.pattern + " needs an access gate; none is set"));
  }
  if (auto throttled = gate->throttle(route, request); !throttled) {
    return throttled;
  }
  const Role needed = spec.role.value;
  if (needed == Role::anyone) {
    return {};
  }
  auto who = gate->identify(request);
  if (!who) {
    return fail(std::move(who.error()));
  }
  request.principal = std::move(*who);
  const Principal& principal = *request.principal;
  if (needed == Role::user) {
    return {};
  }
  if (needed == Role::instance_admin) {
    // API keys act for a team, never for the instance.
    if (!principal.is_instance_admin || principal.credential == CredentialKind::api_key) {
      return fail(insufficient_role_error(needed));
    }
    return {};
  }
  const std::string team_id = requested_team(spec, request, principal);
  if (principal.credential == CredentialKind::api_key && team_id != principal.key_team_id) {
    return fail(Error::not_found("no such team"));
  }
  auto held = gate->team_role(principal, team_id);
  if (!held) {
    return fail(std::move(held.error()));
  }
  if (!*held) {
    return fail(Error::not_found("no such team"));
  }
  Role effective = **held;
  if (principal.credential == CredentialKind::api_key &&
      !role_includes(principal.key_role, effective)) {
    effective = principal.key_role;  // a key never acts above its own role
  }
  if (!role_includes(effective, needed)) {
    return fail(insufficient_role_error(needed));
  }
  request.team = TeamContext{.team_id = team_id, .role = effective};
  return {};
}

void log_internal(const Route& route, const Request& request, const Error& error) {
  if (error.kind == ErrorKind::internal) {
    log::error("http.internal_error", {{"request_id", request.request_id},
                                       {"route", route.pattern},
                                       {"detail", error.internal_detail}});
  }
}

// Admission, the body, the Idempotency-Key and the handler. `claimed` is set once the replay
// guard holds the key for this request, so its answer (whatever it is) must be handed back.
Response answer_request(const Match& match, const Route& route, Request& request, bool& claimed) {
  try {
    if (auto admitted = admit(match.gate, route, request); !admitted) {
      log_internal(route, request, admitted.error());
      return error_response(admitted.error());
    }
    if (auto body = read_json_body(route.spec, request); !body) {
      return error_response(body.error());
    }
    if (match.replay_guard != nullptr && honours_idempotency_key(route)) {
      auto decided = match.replay_guard->begin(route, request);
      if (!decided) {
        log_internal(route, request, decided.error());
        return error_response(decided.error());
      }
      if (decided->replay) {
        return std::move(*decided->replay);
      }
      claimed = decided->claimed;
    }
    auto result = route.handler(request);
    if (!result) {
      log_internal(route, request, result.error());
      return error_response(result.error());
    }
    return std::move(*result);
  } catch (const std::exception& e) {
    log::error("http.unhandled_exception", {{"request_id", request.request_id},
                                            {"route", route.pattern},
                                            {"detail", std::string_view(e.what())}});
  } catch (...) {
    log::error("http.unhandled_exception", {{"request_id", request.request_id},
                                            {"route", route.pattern},
                                            {"detail", std::string_view("unknown")}});
  }
  return error_response(Error::internal("unhandled exception"));
}

Response run_handler(const Match& match, Request& request) {
  const Route& route = *match.route;
  bool claimed = false;
  Response response = answer_request(match, route, request, claimed);
  if (claimed) {
    try {
      match.replay_guard->finish(route, request, response);
    } catch (const std::exception& e) {
      log::error("http.unhandled_exception", {{"request_id", request.request_id},
                                              {"route", route.pattern},
                                              {"detail", std::string_view(e.what())}});
    }
  }
  return response;
}

}  // namespace

Result<void> read_json_body(const RouteSpec& spec, Request& request) {
  if (request.method == Method::get || spec.raw_body) {
    return {};  // a GET's body has no meaning here; a raw body is the handler's to read
  }
  const bool declared = !spec.request_schema.is_null();
  if ((!declared || spec.body_optional) && is_blank(request.body)) {
    return {};
  }
  const auto content_type = request.header("content-type");
  if (!content_type || !is_json_media_type(*content_type)) {
    return fail(Error{.kind = ErrorKind::unsupported_media,
                      .code = "unsupported_media_type",
                      .message = "the request body must be application/json",
                      .details = nlohmann::json::object(),
                      .internal_detail = {}});
  }
  if (is_blank(request.body)) {
    return fail(Error::invalid("a JSON request body is required"));
  }
  auto parsed = parse_untrusted_json(request.body);
  if (!parsed) {
    return fail(parsed.error() == JsonRefusal::too_deep
                    ? Error::invalid(fmt::format("the request body nests deeper than {} levels",
                                                 kMaxJsonDepth),
                                     {{"max_depth", kMaxJsonDepth}})
                    : Error::invalid("the request body is not valid JSON"));
  }
  if (!declared) {
    if (parsed->is_object() && parsed->empty()) {
      return {};
    }
    return fail(Error::validation("body", "this endpoint takes no request body"));
  }
  if (auto valid = validate_json(spec.request_schema, *parsed); !valid) {
    return valid;
  }
  request.json = std::move(*parsed);
  return {};
}

Response dispatch(const Match& match, Request& request) {
  if (match.route == nullptr) {
    if (match.methods_at_path == nullptr) {
      return error_response(Error::not_found(fmt::format("no route for {}", request.path)));
    }
    Response response = error_response(method_not_allowed(match));
    response.headers.emplace_back("Allow", allow_header(match));
    return response;
  }
  if (match.malformed) {
    return error_response(Error::invalid("the path has a malformed percent-escape"));
  }
  request.params = match.params;
  request.declared_query = &match.route->spec.query;
  return run_handler(match, request);
}

}  // namespace berth::http
