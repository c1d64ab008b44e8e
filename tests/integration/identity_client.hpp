#pragma once
// A client that behaves like the dashboard: keeps the session cookie from sign-in and sends
// the CSRF token with mutations. Also plain bearer-token calls.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "integration/http_client.hpp"

namespace berth::testing {

/// A password that passes the policy, for the accounts integration tests sign in with.
constexpr const char* kPassword = "correct horse battery";

class IdentityClient {
 public:
  explicit IdentityClient(std::uint16_t port) : port_(port) {}

  /// POST /api/v1/auth/setup; throws unless it succeeds.
  HttpResponse setup(const std::string& token, const std::string& email,
                     const std::string& password);
  /// POST /api/v1/auth/login; on success keeps the cookie and CSRF token.
  HttpResponse login(const std::string& email, const std::string& password,
                     const std::string& totp = "");

  HttpResponse get(const std::string& target,
                   const std::map<std::string, std::string>& headers = {});
  HttpResponse post(const std::string& target, const nlohmann::json& body, bool csrf = true,
                    const std::map<std::string, std::string>& headers = {});
  HttpResponse patch(const std::string& target, const nlohmann::json& body,
                     const std::map<std::string, std::string>& headers = {});
  HttpResponse del(const std::string& target,
                   const std::map<std::string, std::string>& headers = {});
  HttpResponse send(const std::string& method, const std::string& target, const std::string& body,
                    bool csrf, std::map<std::string, std::string> headers);

  HttpResponse get_with_bearer(const std::string& target, const std::string& token,
                               const std::map<std::string, std::string>& headers = {});

  const std::string& cookie() const { return cookie_; }

 private:
  void keep_session(const HttpResponse& response);

  std::uint16_t port_;
  std::string cookie_;  // "berth_session=…"
  std::string csrf_;
};

}  // namespace berth::testing
