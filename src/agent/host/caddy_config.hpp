#pragma once
/// `proxy.apply`'s arguments and the Caddy JSON config they become. Pure: no I/O.
///
/// Caddy's routes do not name the upstream ports: each host's reverse_proxy looks its upstream
/// up as an SRV record of the agent's own DNS responder (upstream_dns.hpp). So the config
/// depends on the set of hosts, the listen ports and the TLS mode only, and switching an app
/// to a new port changes the agent's DNS table, never Caddy's config.

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/host/upstream_dns.hpp"
#include "core/error.hpp"
#include "protocol/acme_settings.hpp"
#include "protocol/edge_rules.hpp"

namespace berth::agent::host {

/// A custom certificate for one host: PEM text as berthd sent it.
struct RouteCertificate {
  std::string chain = {};
  std::string key = {};
  bool operator==(const RouteCertificate&) const = default;
};

/// One domain: a host (and path prefix) served by an upstream, or redirected (308).
struct ProxyRoute {
  std::string host = {};         // lower-case DNS name, or "*.<name>"
  std::string upstream = {};     // "127.0.0.1:<port>"; "" for a redirect
  std::string path_prefix = {};  // "" = the whole host; else "/a/b" (no trailing '/')
  std::string tls = {};          // "" = the table's; acme | internal | off | custom
  std::optional<RouteCertificate> certificate = {};  // tls custom only
  std::string redirect_to = {};  // "http(s)://host[:port]": 308 there, path and query kept
  bool https_redirect = true;    // http → https 308 where the route's TLS is on
  bool hsts = false;             // Strict-Transport-Security on its answers
  edge::EdgeRules edge = {};     // the app's edge rules (caddy_edge.hpp), checked again here
};

struct ProxyTable {
  int http_port = 80;
  int https_port = 443;
  std::string tls = "off";  // off | internal | acme
  std::vector<ProxyRoute> routes = {};
  acme::AcmeSettings acme = {};  // the server's ACME CA; all "" = Caddy's defaults
};

/// Refuses (code "invalid_args", naming the field) unknown fields, hosts that are not
/// lower-case DNS names (or "*." wildcards of one) of at most 232 characters (the SRV name adds
/// 21), upstreams other than 127.0.0.1:<port>, a route with both or neither of upstream and
/// redirect_to, redirect targets other than http(s)://<dns name>[:port], path prefixes with
/// characters outside A-Z a-z 0-9 - . _ ~ / or with empty, "." or ".." segments, unknown TLS
/// modes, a wildcard with acme, a certificate without tls custom (or the other way round) or
/// holding anything but PEM text, and a (host, path prefix) given twice. What reaches Caddy
/// is built only from values that passed these checks; edge rules are checked with
/// edge::parse_edge_rules, `acme` ({ca, ca_root, email}) with acme::parse_acme_settings.
Result<ProxyTable> parse_proxy_args(const nlohmann::json& args);

/// The table as proxy.apply's arguments again (what the state dir keeps).
nlohmann::json proxy_args_json(const ProxyTable& table);

/// What the front Caddy, still running the config of the table it was last loaded with, lacks
/// to serve a newer table without a reload (plan_without_reload): the hosts new to it, which
/// its catch-all route sends to the edge Caddy, and the SRV names of its routes for hosts the
/// newer table dropped, which the agent's DNS points at the edge Caddy (it answers 404 there).
/// Hosts the front knows whose routes changed in a way its config shows (a path prefix added
/// or removed, a route turned into a redirect) are `rerouted`: the edge Caddy holds their routes
/// whole, and the SRV names of the front's routes for them point at it. Hosts whose changed
/// routes the front answers itself (a redirect dropped or changed, its http → https redirect or
/// HSTS turned on or off) are `handed` over: a marker file in the agent's handover directory
/// makes the front's first route send all of the host's requests to the edge Caddy, which holds
/// its routes whole (or answers 404 for a dropped one).
struct FrontPlan {
  std::set<std::string> pending_hosts = {};
  std::vector<std::string> gone_services = {};
  std::set<std::string> rerouted_hosts = {};
  std::set<std::string> handed_hosts = {};
  bool empty() const {
    return pending_hosts.empty() && gone_services.empty() && rerouted_hosts.empty() &&
           handed_hosts.empty();
  }
  /// Whether the edge Caddy holds `host`'s routes whole.
  bool edge_holds(const std::string& host) const {
    return pending_hosts.contains(host) || rerouted_hosts.contains(host) ||
           handed_hosts.contains(host);
  }
  bool operator==(const FrontPlan&) const = default;
};

/// How a front Caddy running caddy_config(`front`, ..., ask) can serve `table` unchanged;
/// nullopt when it cannot and must be loaded with `table`'s config. It can when: the table-wide
/// settings (ports, TLS mode, ACME settings) are the same; every route of a host the front
/// knows renders the same front routes and TLS as before (its upstream and edge rules may
/// differ: they are in the DNS table and the edge Caddy), or else is rerouted to the edge Caddy
/// (an exact name whose front routes all proxy, with the same TLS mode and no custom
/// certificate before and after); a host the table dropped was served
/// (a redirect route would keep answering 308); and every new host is an exact name no
/// wildcard of the front covers, with TLS off, or acme on a front that listens for HTTPS (its
/// certificate comes on demand, after the agent's ask); and at most kMaxPendingHosts hosts are
/// new or rerouted. With `hand_over` (the front runs a config with a handover directory), a
/// host whose changed routes cannot be rerouted, or a dropped redirect host, is handed over
/// when it is an exact name whose TLS mode stays and that has no custom certificate.
std::optional<FrontPlan> plan_without_reload(const ProxyTable& front, const ProxyTable& table,
                                             bool hand_over = false);

/// Whether the front Caddy's config for `a` and for `b` can differ: the table-wide settings or
/// any route's host, path prefix, TLS, certificate, redirect or https_redirect/hsts (not the
/// upstreams and edge rules, which live in the DNS table and the edge Caddy). Cheaper than
/// rendering both.
bool front_routes_differ(const ProxyTable& a, const ProxyTable& b);

/// The marker file (under the agent's handover directory) whose presence hands `host` over.
std::string handover_marker(const std::string& host);

/// The hosts of the table's routes.
std::set<std::string> route_hosts(const ProxyTable& table);

/// More new hosts than this at once (a first table, a restore, a bulk import) load the front
/// instead: each goes through the edge Caddy, whose start takes longer the more routes it has,
/// and takes the extra hop until the front's next load.
inline constexpr std::size_t kMaxPendingHosts = 16;

/// The agent DNS table of the routes: each serving route's SRV name (route_service_name) → its
/// upstream port, and its edge_upstream_name too. With an `edge_port` (> 0), the SRV name of a
/// route with edge rules is answered with the edge Caddy's port instead (edge_caddy.hpp), and so
/// are kEdgeCatchAllName and the `plan`'s gone_services.
UpstreamServices upstream_services(const ProxyTable& table, int edge_port = 0,
                                   const FrontPlan& plan = {});

/// The exact hosts whose certificate the agent lets Caddy get on demand (its ask says yes):
/// the table's hosts with acme TLS.
std::set<std::string> tls_ask_names(const ProxyTable& table);

/// Whether the route serves an upstream through edge rules (a redirect route has none).
bool has_edge_rules(const ProxyRoute& route);
/// Whether any route of the table does.
bool has_any_edge_rules(const ProxyTable& table);

/// The SRV name by which the edge Caddy finds a route's upstream:
/// "u<hash>.edge.berth.internal".
std::string edge_upstream_name(const ProxyRoute& route);

/// The table's routes in the order Caddy must try them: exact hosts before wildcards, then by
/// host, longer path prefixes first.
std::vector<const ProxyRoute*> routes_in_match_order(const ProxyTable& table);

/// A handler taking out the `Server: Caddy` header Caddy puts on every answer, first in each
/// route: behind two Caddies it would be there twice, and a rule removing `Server` must be
/// able to remove it. An app's own Server header passes.
nlohmann::json caddy_no_server_header();

/// The route's Caddy matcher: its host, and its path prefix (the prefix itself and below).
nlohmann::json caddy_route_match(const ProxyRoute& route);

/// A reverse_proxy handler whose upstream is the SRV record `service_name` of the agent's DNS
/// responder at `dns_address`; a dial that finds nothing, or no answer within
/// kUpstreamDialTimeout, is retried every kUpstreamTryInterval for `try_duration`.
nlohmann::json caddy_reverse_proxy(const std::string& service_name, const std::string& dns_address,
                                   const char* try_duration = "5s");

/// A handler answering 308 with Location `location`.
nlohmann::json caddy_redirect_308(const std::string& location);

/// Where the http → https redirect of `route` sends a request: "https://<host>[:port]{uri}".
std::string https_location(const ProxyTable& table, const ProxyRoute& route);

/// The route's TLS mode: its own, else the table's.
std::string route_tls(const ProxyTable& table, const ProxyRoute& route);

/// The SRV name of a serving route: upstream_service_name(host) for a plain host; for a
/// wildcard or a path prefix (which a DNS label cannot hold) "r<hash>.route.berth.internal".
std::string route_service_name(const ProxyRoute& route);

/// The whole Caddy config: admin.listen = `admin_address`, apps.http.servers.berth with, per
/// route (most specific first: exact hosts before wildcards, longer path prefixes first): an
/// http → https 308 where its TLS is on and https_redirect holds, then a terminal route that
/// answers 308 to redirect_to (path and query kept) or reverse-proxies to the upstream found
/// by SRV lookups at `dns_address` ("ip:port" of the agent's responder), with an HSTS header
/// when asked. Edge rules are not in it: they run in the edge Caddy (edge_caddy.hpp), which
/// the route's SRV answer points at, so a rule change never reloads this config. TLS: hosts with
/// tls off are skipped by automatic HTTPS (served on http only), internal hosts get an automation
/// policy with Caddy's internal issuer, custom ones a load_pem certificate and a connection policy
/// selecting it by SNI; acme hosts use Caddy's default issuers unless the table has ACME settings:
/// then they get a policy whose acme issuer has the table's `ca` (with kPrivateCaTimeout as
/// acme_timeout), `email` and, when there is a `ca_root`, trusted_roots_pem_files =
/// [`acme_root_file`] (the caller writes the PEM there); with an email but no CA the issuers stay
/// Caddy's defaults, acme (Let's Encrypt) and zerossl, both given the email. Caddy's own http →
/// https redirects are off: the routes above do it.
///
/// With an `ask_address` (the agent's TlsAskListener, "127.0.0.1:port") the config also takes
/// hosts it does not name, so that adding or removing a domain need not reload it
/// (plan_without_reload): after every host's routes, a catch-all route proxies to the edge Caddy
/// (SRV kEdgeCatchAllName, looked up every kCatchAllRefresh, retried for kCatchAllTry); and where
/// the server listens for HTTPS, the acme hosts get a policy naming them (certificates obtained and
/// renewed as before) and every other name a catch-all on-demand policy with the same issuers,
/// whose certificates Caddy obtains at the first handshake once GET
/// http://`ask_address`kTlsAskPath?domain=<name> answered 2xx.
///
/// With a `handover_dir` too, the first route sends a host to the edge Caddy as soon as
/// handover_marker(host) exists in that directory (FrontPlan::handed_hosts); Caddy's user must
/// be able to read the directory.
nlohmann::json caddy_config(const ProxyTable& table, const std::string& admin_address,
                            const std::string& dns_address, const std::string& acme_root_file = {},
                            const std::string& ask_address = {},
                            const std::string& handover_dir = {});

/// The SRV name of the front's catch-all route: the edge Caddy's port while one runs.
inline constexpr const char* kEdgeCatchAllName = "all.edge.berth.internal";

/// How often the catch-all looks kEdgeCatchAllName up again, and retries while it finds nothing.
inline constexpr const char* kCatchAllRefresh = "100ms";

/// How long the catch-all retries while no edge Caddy answers: a host no app has gets 503 after
/// it (the edge Caddy, when one runs, answers 404 for such a host at once). As long as a host
/// route's: the hosts it carries (new since the front's last load, handed over) must outlast an
/// agent's restart, during which nothing answers the lookups (1 s let a 502 through in
/// UpgradeServingTest).
inline constexpr const char* kCatchAllTry = "5s";

/// The path of the agent's on-demand TLS ask (caddy_tls_ask.hpp).
inline constexpr const char* kTlsAskPath = "/berth/tls-ask";

/// The file name the agent keeps a table's ACME root in: "acme_ca_root-<16 hex digits of a hash
/// of the PEM>.pem", so that a changed root changes Caddy's config (Caddy reads the file only
/// when a config is loaded).
std::string acme_root_file_name(const acme::AcmeSettings& settings);

/// How long Caddy polls a private CA's authorization before it gives up and reports why: a
/// step-ca (Caddy's acme_server too) leaves a failed challenge pending rather than invalid, and
/// Caddy's default of 5 minutes per attempt would hide "the name points elsewhere" that long.
/// A CA on the server's own network validates within seconds.
inline constexpr const char* kPrivateCaTimeout = "30s";

/// How often Caddy asks for a host's SRV record again: the longest a switch takes to reach
/// new requests, so the old upstream must keep answering at least this long.
inline constexpr const char* kUpstreamRefresh = "250ms";
/// How long Caddy waits for an app to accept a connection before it dials again, and how soon
/// it dials again (within the handler's try_duration). See caddy_reverse_proxy().
inline constexpr const char* kUpstreamDialTimeout = "100ms";
inline constexpr const char* kUpstreamTryInterval = "10ms";

/// The name of the server berth owns in Caddy's config.
inline constexpr const char* kCaddyServer = "berth";

}  // namespace berth::agent::host
