#pragma once
/// Which container publishes each routed host port, so that Caddy dials the container itself
/// instead of docker-proxy on the loopback port (issue 16: docker-proxy accepts at once and waits
/// out a dropped SYN to a busy app in its own dial, beyond Caddy's dial timeout). Asked of the
/// Docker Engine at every proxy.apply and when the agent restores its table.

#include <nlohmann/json.hpp>
#include <set>

#include "agent/host/docker_client.hpp"
#include "agent/host/upstream_dns.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

/// From the Engine's answers to GET /containers/json (running containers) and GET /networks:
/// for each of `ports` a running container publishes (tcp), its address on a bridge network
/// that is not `internal` (the host routes to those) and the container port. Ports no such
/// container publishes — a `network_mode: host` app publishes none — are left out.
DirectUpstreams direct_upstreams(const nlohmann::json& containers, const nlohmann::json& networks,
                                 const std::set<int>& ports);

/// Asks the Engine at `docker` (two calls, each bounded by `timeout`). Errors as DockerClient's,
/// and "docker_error" (kind unavailable) for an answer other than 200.
Result<DirectUpstreams> find_direct_upstreams(DockerClient& docker, const std::set<int>& ports,
                                              std::chrono::milliseconds timeout);

}  // namespace berth::agent::host
