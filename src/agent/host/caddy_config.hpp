#pragma once
/// `proxy.apply`'s arguments and the Caddy JSON config they become. Pure: no I/O.
///
/// Caddy's routes do not name the upstream ports: each host's reverse_proxy looks its upstream
/// up as an SRV record of the agent's own DNS responder (upstream_dns.hpp). So the config
/// depends on the set of hosts, the listen ports and the TLS mode only, and switching an app
/// to a new port changes the agent's DNS table, never Caddy's config.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/host/upstream_dns.hpp"
#include "core/error.hpp"
#include "protocol/edge_rules.hpp"

namespace berth::agent::host {

struct ProxyRoute {
  std::string host = {};      // lower-case DNS name
  std::string upstream = {};  // "127.0.0.1:<port>"
  edge::EdgeRules edge = {};  // the app's edge rules (caddy_edge.hpp), checked again here
};

struct ProxyTable {
  int http_port = 80;
  int https_port = 443;
  std::string tls = "off";  // off | internal | acme
  std::vector<ProxyRoute> routes = {};
};

/// Refuses (code "invalid_args", naming the field) unknown fields, hosts that are not
/// lower-case DNS names of at most 232 characters (the SRV name adds 21), upstreams other than
/// 127.0.0.1:<port>, a host given twice, and edge rules edge::parse_edge_rules refuses.
Result<ProxyTable> parse_proxy_args(const nlohmann::json& args);

/// The table as proxy.apply's arguments again (what the state dir keeps).
nlohmann::json proxy_args_json(const ProxyTable& table);

/// The agent DNS table of the routes: each host's SRV name → its upstream port.
UpstreamServices upstream_services(const ProxyTable& table);

/// The whole Caddy config: admin.listen = `admin_address`, apps.http.servers.berth with one
/// terminal reverse_proxy route per host whose upstreams come from SRV lookups at
/// `dns_address` ("ip:port" of the agent's responder), and for tls "internal" a tls automation
/// policy with Caddy's internal issuer for every host.
nlohmann::json caddy_config(const ProxyTable& table, const std::string& admin_address,
                            const std::string& dns_address);

/// How often Caddy asks for a host's SRV record again: the longest a switch takes to reach
/// new requests, so the old upstream must keep answering at least this long.
inline constexpr const char* kUpstreamRefresh = "250ms";

/// The name of the server berth owns in Caddy's config.
inline constexpr const char* kCaddyServer = "berth";

}  // namespace berth::agent::host
