#include "integration/identity_client.hpp"

#include <stdexcept>

namespace berth::testing {

void IdentityClient::keep_session(const HttpResponse& response) {
  const std::string set_cookie = response.header("set-cookie");
  if (response.status >= 300 || set_cookie.empty()) {
    return;
  }
  cookie_ = set_cookie.substr(0, set_cookie.find(';'));
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("csrf_token")) {
    csrf_ = body["csrf_token"].get<std::string>();
  }
}

HttpResponse IdentityClient::setup(const std::string& token, const std::string& email,
                                   const std::string& password) {
  const HttpResponse response = send("POST", "/api/v1/auth/setup",
                                     nlohmann::json{{"setup_token", token},
                                                    {"email", email},
                                                    {"password", password},
                                                    {"display_name", "Admin"}}
                                         .dump(),
                                     false, {});
  if (response.status != 201) {
    throw std::runtime_error("setup failed: " + response.body);
  }
  keep_session(response);
  return response;
}

HttpResponse IdentityClient::login(const std::string& email, const std::string& password,
                                   const std::string& totp) {
  nlohmann::json body = {{"email", email}, {"password", password}};
  if (!totp.empty()) {
    body["totp"] = totp;
  }
  const HttpResponse response = send("POST", "/api/v1/auth/login", body.dump(), false, {});
  keep_session(response);
  return response;
}

HttpResponse IdentityClient::get(const std::string& target,
                                 const std::map<std::string, std::string>& headers) {
  return send("GET", target, "", false, headers);
}

HttpResponse IdentityClient::post(const std::string& target, const nlohmann::json& body, bool csrf,
                                  const std::map<std::string, std::string>& headers) {
  return send("POST", target, body.dump(), csrf, headers);
}

HttpResponse IdentityClient::patch(const std::string& target, const nlohmann::json& body,
                                   const std::map<std::string, std::string>& headers) {
  return send("PATCH", target, body.dump(), true, headers);
}

HttpResponse IdentityClient::del(const std::string& target,
                                 const std::map<std::string, std::string>& headers) {
  return send("DELETE", target, "", true, headers);
}

HttpResponse IdentityClient::send(const std::string& method, const std::string& target,
                                  const std::string& body, bool csrf,
                                  std::map<std::string, std::string> headers) {
  if (!cookie_.empty()) {
    headers.emplace("Cookie", cookie_);
  }
  if (csrf && !csrf_.empty()) {
    headers.emplace("X-CSRF-Token", csrf_);
  }
  if (!body.empty()) {
    headers.emplace("Content-Type", "application/json");
  }
  return http_request(port_, method, target, body, headers);
}

HttpResponse IdentityClient::get_with_bearer(const std::string& target, const std::string& token,
                                             const std::map<std::string, std::string>& headers) {
  std::map<std::string, std::string> all = headers;
  all.emplace("Authorization", "Bearer " + token);
  return http_request(port_, "GET", target, "", all);
}

}  // namespace berth::testing
