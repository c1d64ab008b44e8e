#pragma once
/// `proxy.apply`'s arguments and the Caddy JSON config they become. Pure: no I/O.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace berth::agent::host {

struct ProxyRoute {
  std::string host = {};      // lower-case DNS name
  std::string upstream = {};  // "127.0.0.1:<port>"
};

struct ProxyTable {
  int http_port = 80;
  int https_port = 443;
  std::string tls = "off";  // off | internal | acme
  std::vector<ProxyRoute> routes = {};
};

/// Refuses (code "invalid_args", naming the field) unknown fields, hosts that are not
/// lower-case DNS names, upstreams other than 127.0.0.1:<port>, and a host given twice.
Result<ProxyTable> parse_proxy_args(const nlohmann::json& args);

/// The table as proxy.apply's arguments again (what the state dir keeps).
nlohmann::json proxy_args_json(const ProxyTable& table);

/// The whole Caddy config: admin.listen = `admin_address`, apps.http.servers.berth with one
/// terminal reverse_proxy route per host, and for tls "internal" a tls automation policy with
/// Caddy's internal issuer for every host.
nlohmann::json caddy_config(const ProxyTable& table, const std::string& admin_address);

/// The name of the server berth owns in Caddy's config.
inline constexpr const char* kCaddyServer = "berth";

}  // namespace berth::agent::host
