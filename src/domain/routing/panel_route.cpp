#include "domain/routing/panel_route.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/url_host.hpp"
#include "domain/domains/domain_rules.hpp"

namespace berth {

std::string panel_hostname(std::string_view public_url) {
  // An IP address, a one-label name (localhost) or anything no DNS name is: nothing to reserve.
  auto host = domains::normalize_hostname(url_host(public_url), "public_url");
  return host && !domains::is_wildcard(*host) ? *host : "";
}

std::optional<PanelRoute> make_panel_route(std::string_view public_url,
                                           std::string_view listen_address, std::uint16_t port,
                                           std::string* why) {
  const auto refuse = [&](std::string reason) {
    if (why != nullptr) {
      *why = std::move(reason);
    }
    return std::optional<PanelRoute>();
  };
  if (!public_url.starts_with("https://")) {
    return refuse("the public URL is not https");
  }
  const std::string host = panel_hostname(public_url);
  if (host.empty()) {
    return refuse("the public URL's host is not a DNS name a certificate can be issued for");
  }
  if (listen_address != "127.0.0.1" && listen_address != "0.0.0.0" && listen_address != "::") {
    return refuse("berthd does not listen on 127.0.0.1, the only upstream address the proxy uses");
  }
  return PanelRoute{.host = host, .upstream = "127.0.0.1:" + std::to_string(port), .server_id = {}};
}

nlohmann::json panel_route_entry(const PanelRoute& route) {
  return {{"host", route.host}, {"upstream", route.upstream}, {"tls", "acme"}};
}

std::string panel_server_of(const std::vector<ServerRecord>& servers,
                            std::string_view local_server_id, std::string_view hostname) {
  const ServerRecord* chosen = nullptr;
  for (const auto& server : servers) {
    if (!local_server_id.empty() && server.id == local_server_id) {
      return server.id;
    }
    const bool here = !hostname.empty() && server.facts.is_object() &&
                      server.facts.value("hostname", "") == hostname;
    // The earliest enrolled wins, so a second agent on the same machine (or one that merely
    // reports the same name) never takes the panel's route from the first.
    if (here && (chosen == nullptr || std::pair(server.created_at, server.id) <
                                          std::pair(chosen->created_at, chosen->id))) {
      chosen = &server;
    }
  }
  return chosen == nullptr ? "" : chosen->id;
}

void PanelRouteWatch::tick() {
  auto servers = read_value<std::vector<ServerRecord>>(store_, [](Tx& tx) {
    return tx.list_servers_with_status({"online", "degraded"});
  });
  if (!servers) {
    log::warn("panel_route.servers_failed", {{"error", servers.error().message}});
    return;
  }
  const std::string server_id = panel_server_of(*servers, local_server_id_(), hostname_);
  if (server_id.empty()) {
    return;  // not connected yet; the route stays where it was placed
  }
  const auto server = std::find_if(servers->begin(), servers->end(),
                                   [&](const ServerRecord& s) { return s.id == server_id; });
  if (server_id == placed_server_ && server->connected_at == placed_connection_) {
    return;
  }
  log::info("panel_route.placed",
            {{"server_id", server_id}, {"host", route_.host}, {"upstream", route_.upstream}});
  placed_server_ = server_id;
  placed_connection_ = server->connected_at;
  route_.server_id = server_id;
  place_(route_);
}

}  // namespace berth
