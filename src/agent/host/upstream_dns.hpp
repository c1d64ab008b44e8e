#pragma once
/// The agent's own DNS responder for Caddy's dynamic upstreams: a UDP server on one address of
/// this machine that answers, from an in-memory table, SRV queries for
/// `<host>.route.berth.internal` (the app container's bridge address and port, or for a
/// host-network app its loopback port) and A queries for the targets those name. Caddy looks the
/// SRV name up at most once a second, so switching a deployment is a table change here instead of a
/// Caddy reload (which would close idle client keep-alive connections).
///
/// Only what Caddy's Go resolver asks is answered: one question, class IN; names outside
/// berth.internal are refused, no recursion, no compression in answers.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "agent/host/udp_listener.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

/// The zone the responder is authoritative for.
inline constexpr std::string_view kUpstreamZone = "berth.internal";

/// The SRV records' target. Caddy 2.6.2 (Go 1.19) dials the target exactly as the SRV answer
/// gives it, trailing dot included: "127.0.0.1." is refused by Go's LookupSRV ("records which
/// contain invalid names": an all-numeric name is not a domain name), and "localhost." is not
/// found in /etc/hosts by Go 1.19 (it keys dot-less names without the dot) and goes to the
/// system's DNS, which does not know it. So the target is a name of our zone, and Caddy's
/// transport resolves it with this same responder (A 127.0.0.1), whatever /etc/hosts says.
inline constexpr std::string_view kUpstreamTarget = "upstream.berth.internal";

/// The SRV name Caddy asks for `host` (a lower-case DNS name of at most kMaxRoutedHost
/// characters, so that the whole name stays within DNS's 253).
std::string upstream_service_name(std::string_view host);
inline constexpr std::size_t kMaxRoutedHost = 232;

/// name (lower-case, without the final dot) → the port its SRV answer carries.
using UpstreamServices = std::map<std::string, int, std::less<>>;

/// Where the container publishing a host port can be dialled without docker-proxy: its IPv4
/// address on a bridge network the host routes to, and the container port.
struct DirectUpstream {
  std::string ip = {};
  int port = 0;
  bool operator==(const DirectUpstream&) const = default;
};
/// host port (an UpstreamServices value) → its container. Ports without an entry (host-network
/// apps, an edge Caddy, containers Docker did not report) keep the loopback answer.
using DirectUpstreams = std::map<int, DirectUpstream>;

/// The SRV target naming a container's address: "ip-172-17-0-5.upstream.berth.internal". The
/// responder answers its A query from the name alone, so an answer Caddy cached before a switch
/// still reaches the old container while it drains.
std::string direct_target(std::string_view ipv4);

/// The answer to one query packet; nullopt when it deserves none (shorter than a header, or
/// itself an answer). Malformed questions get FORMERR, opcodes other than QUERY NOTIMP, names
/// outside the zone or classes other than IN REFUSED, unknown names of the zone NXDOMAIN, and
/// known names asked for another type an empty answer. A service whose port has a `direct`
/// entry is answered with that container's direct_target() and port, any other with
/// kUpstreamTarget and the host port.
std::optional<std::string> dns_answer(std::string_view query, const UpstreamServices& services,
                                      const DirectUpstreams& direct = {});

/// The responder's socket and thread. Thread-safe: set_services() from any thread.
class UpstreamDns {
 public:
  /// Binds UDP `ip`:`port` (an IPv4 literal; port 0 = any free port) and starts answering.
  /// Errors: "invalid_args" (kind invalid), "dns_bind" (kind unavailable, the OS message).
  /// `inherited`: the socket of the binary this one replaced (UdpListener::start).
  static Result<std::unique_ptr<UpstreamDns>> start(const std::string& ip, int port,
                                                    int inherited = -1);
  UpstreamDns(const UpstreamDns&) = delete;
  UpstreamDns& operator=(const UpstreamDns&) = delete;

  int port() const { return listener_->port(); }
  /// "ip:port", as Caddy's resolver addresses take it after "udp/".
  std::string address() const { return listener_->address(); }
  int duplicate_for_exec() const { return listener_->duplicate_for_exec(); }

  void set_services(UpstreamServices services);
  UpstreamServices services() const;
  void set_direct(DirectUpstreams direct);
  DirectUpstreams direct() const;

 private:
  UpstreamDns() = default;

  mutable std::mutex mutex_;
  UpstreamServices services_;
  DirectUpstreams direct_ = {};
  std::unique_ptr<UdpListener> listener_;  // last: its thread stops before the table goes
};

}  // namespace berth::agent::host
