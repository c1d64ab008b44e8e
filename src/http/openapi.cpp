#include "http/openapi.hpp"

#include <cctype>
#include <string>

#include "core/error.hpp"
#include "http/error_response.hpp"

namespace berth::http {

namespace {

using nlohmann::json;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

json error_schema() {
  return {{"type", "object"},
          {"required", {"error"}},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"required", {"code", "message", "details"}},
              {"properties",
               {{"code", {{"type", "string"}}},
                {"message", {{"type", "string"}}},
                {"details", {{"type", "object"}}}}}}}}}};
}

json error_response_ref(std::string_view description) {
  return {
      {"description", description},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

// The operation id is the method plus the path, e.g. "get_api_v1_servers_id_cordon".
std::string operation_id(const Route& route) {
  std::string out = lower(method_name(route.method));
  for (char c : route.pattern) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      out.push_back(c);
    } else if (c == '/' || c == '-' || c == '.') {
      out.push_back('_');
    }
  }
  return out;
}

json parameters_of(const Route& route) {
  json params = json::array();
  std::size_t pos = 0;
  while ((pos = route.pattern.find('{', pos)) != std::string::npos) {
    const std::size_t end = route.pattern.find('}', pos);
    params.push_back({{"name", route.pattern.substr(pos + 1, end - pos - 1)},
                      {"in", "path"},
                      {"required", true},
                      {"schema", {{"type", "string"}}}});
    pos = end;
  }
  if (honours_idempotency_key(route)) {
    params.push_back(
        {{"name", "Idempotency-Key"},
         {"in", "header"},
         {"required", false},
         {"description",
          "Makes a retry safe: the same key with the same request within 24 hours returns the "
          "first answer (marked Idempotency-Replayed: true) instead of acting twice. Keys are "
          "kept per caller."},
         {"schema", {{"type", "string"}, {"minLength", 1}, {"maxLength", 255}}}});
  }
  for (const auto& param : route.spec.query) {
    json entry = {
        {"name", param.name}, {"in", "query"}, {"required", false}, {"schema", param.schema}};
    if (!param.description.empty()) {
      entry["description"] = param.description;
    }
    params.push_back(std::move(entry));
  }
  return params;
}

json operation_of(const Route& route) {
  const RouteSpec& spec = route.spec;
  json op = {{"operationId", operation_id(route)},
             {"summary", spec.summary},
             {"x-required-role", role_name(spec.role.value)}};
  if (!spec.description.empty()) {
    op["description"] = spec.description;
  }
  if (const json params = parameters_of(route); !params.empty()) {
    op["parameters"] = params;
  }
  if (!spec.request_schema.is_null()) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", spec.request_schema}}}}}};
  }
  json success = {{"description", "Success"}};
  if (spec.response_schema.declared()) {
    success["content"] = {{spec.response_type, {{"schema", spec.response_schema.build()}}}};
  } else if (spec.response_type != "application/json") {
    const bool stream = spec.response_type == "text/event-stream";
    success["content"] = {
        {spec.response_type,
         {{"schema", stream ? json{{"type", "string"}, {"description", "Server-Sent Events"}}
                            : json{{"type", "string"}, {"format", "binary"}}}}}};
  }
  json responses = {{std::to_string(spec.success_status), success}};
  if (!spec.request_schema.is_null()) {
    responses["400"] = error_response_ref("Malformed or invalid body");
    responses["413"] = error_response_ref("Body over the size limit");
    responses["415"] = error_response_ref("Body is not application/json");
  }
  if (spec.role.value != Role::anyone) {
    responses["401"] = error_response_ref("Not signed in");
    responses["403"] = error_response_ref("Role too low");
  }
  if (route.pattern.find('{') != std::string::npos) {
    responses["404"] = error_response_ref("No such resource in this team");
  }
  if (honours_idempotency_key(route)) {
    responses["400"] = error_response_ref(spec.request_schema.is_null()
                                              ? "Malformed Idempotency-Key"
                                              : "Malformed or invalid body, or Idempotency-Key");
    responses.emplace("409", error_response_ref("A request with this Idempotency-Key still runs"));
    responses.emplace("422",
                      error_response_ref("This Idempotency-Key was used for another request"));
  }
  responses["500"] = error_response_ref("Internal error (logged with the request id)");
  op["responses"] = std::move(responses);
  if (spec.role.value != Role::anyone) {
    op["security"] = json::array({{{"bearer", json::array()}}, {{"session", json::array()}}});
  } else {
    op["security"] = json::array();
  }
  return op;
}

}  // namespace

json build_openapi(const Router& router, std::string_view version) {
  json paths = json::object();
  for (const auto& route : router.routes()) {
    if (!route->spec.in_openapi) {
      continue;
    }
    paths[route->pattern][lower(method_name(route->method))] = operation_of(*route);
  }
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "Berth API"},
            {"version", version},
            {"description",
             "The REST API of Berth, a self-hosted control plane for a team's own servers."}}},
          {"servers", json::array({{{"url", "/"}}})},
          {"paths", std::move(paths)},
          {"components",
           {{"schemas", {{"Error", error_schema()}}},
            {"securitySchemes",
             {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
              {"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "berth_session"}}}}}}}};
}

}  // namespace berth::http
