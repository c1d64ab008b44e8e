// Where an app answers: its default hostname and its url through the server's proxy.
#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include "domain/apps/app_service.hpp"
#include "domain/apps/app_spec.hpp"

namespace berth {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return text;
}

std::string base_domain(const ServerRecord& server,
                        const std::optional<ProxySettingsRecord>& proxy) {
  if (proxy && !proxy->base_domain.empty()) {
    return proxy->base_domain;
  }
  std::string address = lower(server.address);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  std::array<unsigned char, 16> buffer{};
  const bool v4 = inet_pton(AF_INET, address.c_str(), buffer.data()) == 1;
  const bool v6 = !v4 && inet_pton(AF_INET6, address.c_str(), buffer.data()) == 1;
  // A single-label name ("vm") resolves nowhere as <app>.vm: such a server is reached as
  // localhost until its proxy settings name a base domain.
  const bool single_label =
      !v4 && !v6 && address.find('.') == std::string::npos && is_valid_hostname(address);
  if (address.empty() || single_label || address == "::1" || address == "0.0.0.0" ||
      (v4 && buffer[0] == 127)) {
    return "localhost";
  }
  if (v6) {
    // sslip.io writes IPv6 addresses with '-' for ':'.
    std::replace(address.begin(), address.end(), ':', '-');
    return address + ".sslip.io";
  }
  return v4 ? address + ".sslip.io" : address;
}

}  // namespace

std::string default_hostname(const AppRecord& app, const ServerRecord& server,
                             const std::optional<ProxySettingsRecord>& proxy) {
  return app.name + "." + base_domain(server, proxy);
}

std::string app_url(const AppRecord& app, const ProxySettingsRecord& proxy) {
  if (proxy.tls != "off") {
    return "https://" + app.hostname +
           (proxy.https_port == 443 ? "" : ":" + std::to_string(proxy.https_port));
  }
  return "http://" + app.hostname +
         (proxy.http_port == 80 ? "" : ":" + std::to_string(proxy.http_port));
}

}  // namespace berth
