#include "api/request_helpers.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "core/ids.hpp"

namespace berth::api {

std::optional<std::string> cookie(const http::Request& request, std::string_view name) {
  const auto header = request.header("cookie");
  if (!header) {
    return std::nullopt;
  }
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') {
      pair.remove_prefix(1);
    }
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

ClientInfo client_info(const http::Request& request) {
  return ClientInfo{.request_id = request.request_id,
                    .source_address = request.remote_address,
                    .user_agent = std::string(request.header("user-agent").value_or(""))};
}

PresentedCredentials presented_credentials(const http::Request& request) {
  PresentedCredentials out;
  if (const auto authorization = request.header("authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization->size() > kBearer.size() &&
        std::equal(kBearer.begin(), kBearer.end(), authorization->begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      out.bearer = std::string(authorization->substr(kBearer.size()));
    } else {
      out.bearer = std::string();  // present but not a bearer token: refused, not ignored
    }
  }
  out.session_cookie = cookie(request, kSessionCookie);
  out.mutation = request.method != http::Method::get;
  if (const auto csrf = request.header("x-csrf-token")) {
    out.csrf_token = std::string(*csrf);
  }
  if (const auto origin = request.header("origin")) {
    out.origin = std::string(*origin);
  }
  out.host = std::string(request.header("host").value_or(""));
  return out;
}

std::string session_cookie(std::string_view token, long long max_age, bool secure) {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     token, max_age, secure ? "; Secure" : "");
}

std::string expired_session_cookie(bool secure) {
  return fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     secure ? "; Secure" : "");
}

const Principal& caller(const http::Request& request) {
  if (!request.principal) {
    throw std::logic_error("caller() on a route without a principal");
  }
  return *request.principal;
}

const TeamContext& request_team(const http::Request& request) {
  if (!request.team) {
    throw std::logic_error("request_team() on a route without a team role");
  }
  return *request.team;
}

Result<std::string> path_id(const http::Request& request, std::string_view name,
                            std::string_view prefix) {
  const auto it = request.params.find(std::string(name));
  if (it == request.params.end() || !is_valid_id(prefix, it->second)) {
    return fail(Error::not_found("no such resource"));
  }
  return it->second;
}

std::string body_string(const http::Request& request, std::string_view name) {
  const auto it = request.json.find(name);
  return it != request.json.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

Result<http::Response> no_content_or(Result<void> done) {
  if (!done) {
    return fail(std::move(done.error()));
  }
  return http::Response::no_content();
}

}  // namespace berth::api
