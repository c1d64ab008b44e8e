#pragma once
/// berthd's own domain as a system route (issue 17, docs/install.md "The panel on HTTPS"): when
/// the public URL is https, the server whose agent runs on berthd's machine carries one more
/// entry in its route table — the URL's host, ACME TLS, upstream berthd's loopback address —
/// so its Caddy serves the dashboard, the API and the agents' WebSocket on HTTPS while berthd
/// listens on loopback. It is no app's and no domain row: the domains API cannot see, change or
/// remove it, every table applied to that server includes it (route_table.hpp), and no team
/// may take its hostname (hostname_claims.hpp).

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/fleet_records.hpp"
#include "store/store.hpp"

namespace berth {

struct PanelRoute {
  std::string host = {};       // the public URL's host, lower-case
  std::string upstream = {};   // "127.0.0.1:<berthd's port>"
  std::string server_id = {};  // the server whose Caddy carries it ("" = none yet)
};

/// The host berthd's public URL names, which no app may take; "" for an IP address or a URL
/// without a host name.
std::string panel_hostname(std::string_view public_url);

/// The panel route for berthd's public URL and the address it listens on, without a server:
/// nullopt, with the reason in `why`, when there is none to make — the URL is not https, its
/// host is an IP address, localhost or not a DNS name, or berthd does not listen on 127.0.0.1
/// (or a wildcard address, which includes it): Caddy's upstreams are 127.0.0.1 only.
std::optional<PanelRoute> make_panel_route(std::string_view public_url,
                                           std::string_view listen_address, std::uint16_t port,
                                           std::string* why = nullptr);

/// The route-table entry: {host, upstream, tls: "acme"}.
nlohmann::json panel_route_entry(const PanelRoute& route);

/// The server that carries the panel route among `servers`: `local_server_id` when it is one
/// of them (the agent berthd runs itself), else the earliest enrolled whose agent reports this
/// machine's host name (the packaged agent on the same machine); "" when none.
std::string panel_server_of(const std::vector<ServerRecord>& servers,
                            std::string_view local_server_id, std::string_view hostname);

/// Finds the panel's server among the connected ones and calls `place` with the route when the
/// server, or its agent's connection, is new since the last call: a reconnected agent gets the
/// table again (its Caddy may have lost it) and a newly enrolled one gets it at once. `tick` is
/// called by a Ticker; not thread-safe otherwise.
class PanelRouteWatch {
 public:
  PanelRouteWatch(Store& store, PanelRoute route, std::string hostname,
                  std::function<std::string()> local_server_id,
                  std::function<void(const PanelRoute&)> place)
      : store_(store),
        route_(std::move(route)),
        hostname_(std::move(hostname)),
        local_server_id_(std::move(local_server_id)),
        place_(std::move(place)) {}

  void tick();

 private:
  Store& store_;
  PanelRoute route_;
  std::string hostname_;
  std::function<std::string()> local_server_id_;
  std::function<void(const PanelRoute&)> place_;
  std::string placed_server_ = {};
  std::optional<TimePoint> placed_connection_ = {};
};

}  // namespace berth
