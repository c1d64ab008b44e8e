// A server's proxy settings: the base domain its apps' default hostnames use, the ports Caddy
// listens on, the TLS mode and the ACME CA.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>

#include "domain/apps/app_spec.hpp"
#include "domain/deploy/deployment_service.hpp"
#include "domain/fleet/server_book.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "protocol/acme_settings.hpp"

namespace berth {

namespace {

Result<void> check_settings(ProxySettingsRecord& settings) {
  if (!settings.base_domain.empty() && !is_valid_hostname(settings.base_domain)) {
    return fail(Error::validation("base_domain", "base_domain must be a lower-case DNS name"));
  }
  for (const auto& [field, port] :
       {std::pair{"http_port", settings.http_port}, std::pair{"https_port", settings.https_port}}) {
    if (port < 1 || port > 65535) {
      return fail(Error::validation(field, std::string(field) + " must be 1-65535"));
    }
  }
  if (settings.http_port == settings.https_port) {
    return fail(Error::validation("https_port", "https_port must differ from http_port"));
  }
  if (settings.tls != "off" && settings.tls != "internal" && settings.tls != "acme") {
    return fail(Error::validation("tls", "tls must be off, internal or acme"));
  }
  if (settings.public_addresses.size() > 16) {
    return fail(Error::validation("public_addresses", "public_addresses holds at most 16"));
  }
  for (auto& address : settings.public_addresses) {
    std::array<unsigned char, 16> bytes{};
    std::array<char, INET6_ADDRSTRLEN> text{};
    const int family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
    if (inet_pton(family, address.c_str(), bytes.data()) != 1 ||
        inet_ntop(family, bytes.data(), text.data(), text.size()) == nullptr) {
      return fail(
          Error::validation("public_addresses", "public_addresses must be IPv4 or IPv6 addresses"));
    }
    address = text.data();  // canonical, so equal addresses compare equal
  }
  return acme::check_acme_settings(
      {.ca = settings.acme_ca, .ca_root = settings.acme_ca_root, .email = settings.acme_email},
      "acme_");
}

}  // namespace

Result<ProxySettingsRecord> DeploymentService::proxy_settings(const Principal& who,
                                                              std::string_view team_id,
                                                              std::string_view server_id) {
  return read_value<ProxySettingsRecord>(ctx_.store(), [&](Tx& tx) -> Result<ProxySettingsRecord> {
    if (auto server = team_server(tx, who, team_id, server_id, Role::viewer); !server) {
      return fail(std::move(server.error()));
    }
    return proxy_settings_of(tx, server_id);
  });
}

Result<ProxySettingsRecord> DeploymentService::set_proxy_settings(const Principal& who,
                                                                  std::string_view team_id,
                                                                  ProxySettingsRecord settings,
                                                                  const ClientInfo& client) {
  if (auto ok = check_settings(settings); !ok) {
    return fail(std::move(ok.error()));
  }
  settings.updated_at = ctx_.clock().now();
  auto done = write_audited(ctx_.store(),
                            make_audit(ctx_, actor_of(who, client), "server.proxy_settings",
                                       settings.server_id, std::string(team_id),
                                       {{"base_domain", settings.base_domain},
                                        {"http_port", settings.http_port},
                                        {"https_port", settings.https_port},
                                        {"tls", settings.tls},
                                        {"public_addresses", settings.public_addresses},
                                        {"acme_ca", settings.acme_ca},
                                        {"acme_ca_root_set", !settings.acme_ca_root.empty()},
                                        {"acme_email", settings.acme_email}}),
                            [&](Tx& tx) -> Result<void> {
                              if (auto server = admin_server(tx, who, team_id, settings.server_id);
                                  !server) {
                                return fail(std::move(server.error()));
                              }
                              return tx.put_proxy_settings(settings);
                            });
  if (!done) {
    return fail(std::move(done.error()));
  }
  routes_changed(settings.server_id);
  return settings;
}

}  // namespace berth
