#pragma once
/// An app's edge rules (protocol/edge_rules.hpp) as Caddy handlers, placed before the
/// reverse_proxy of the app's route. They run in this order, each able to end the request:
///   1. headers      response headers set/removed, deferred: they apply to every answer of
///                   the route, the app's and the ones below (403, 503, 401, redirects, 413)
///   2. allow_ips    a client address outside every CIDR gets 403
///   3. maintenance  503 with Retry-After and a short text body (before auth: nobody needs to
///                   sign in to learn the app is down)
///   4. basic_auth   401 with a challenge until a listed user's password is given
///   5. redirects    the first redirect whose path matches answers its status and Location
///                   (after auth, so a protected app's redirect map is not public)
///   6. body limit   413 when Content-Length is over max_body_bytes; a chunked body is cut
///                   off at the limit (Caddy answers 413 too)
/// Pure; thread-safe. The rules must have come through edge::parse_edge_rules: nothing here
/// checks values again.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/edge_rules.hpp"

namespace berth::agent::host {
struct ProxyTable;
struct FrontPlan;
}  // namespace berth::agent::host

namespace berth::agent::host {

/// The handlers for `rules`, in the order above; empty for rules that change nothing.
nlohmann::json edge_handlers(const edge::EdgeRules& rules);

/// The edge Caddy's whole config for `table` (edge_caddy.hpp): listening on 127.0.0.1:`port`
/// only, plain HTTP/1.1, no admin endpoint; a route per serving route with edge rules, matched
/// like the front's and in the same order, running the rules (allow_ips on the address the
/// front forwarded) and then proxying to the route's edge_upstream_name; a Host of
/// kEdgeProbeHost answers 204 (the agent's liveness probe). The routes of the `plan`'s pending
/// hosts (which the front's catch-all sends here) are in it too, whole, as the front would
/// render them: the http → https 308 (on the X-Forwarded-Proto the front set), HSTS, the rules,
/// then the upstream or the redirect. Any other host gets 404: a host the front still routes
/// here after the table dropped it, or one no app has. null when there are no rules and the
/// plan is empty.
nlohmann::json edge_caddy_config(const ProxyTable& table, int port, const std::string& dns_address,
                                 const FrontPlan& plan);
nlohmann::json edge_caddy_config(const ProxyTable& table, int port, const std::string& dns_address);

/// The Host header of the agent's probe of its edge Caddy.
inline constexpr const char* kEdgeProbeHost = "probe.edge.berth.internal";

/// An RE2 pattern matching the decimal numbers (leading zeros allowed) greater than `limit`:
/// how a Content-Length over the body limit is recognised before the body is read.
std::string greater_than_pattern(std::int64_t limit);

/// The body of the maintenance page when the rules give no message.
inline constexpr const char* kDefaultMaintenanceMessage =
    "This site is down for maintenance. Please try again later.";

}  // namespace berth::agent::host
