#pragma once
/// What the fleet's services share: the identity context (store, clock, randomness, ids, the
/// master key, audit helpers) and the fleet's own policy figures. Built once by berthd.

#include <chrono>
#include <cstdint>
#include <string>

#include "core/principal.hpp"
#include "domain/identity/identity_context.hpp"

namespace berth {

struct FleetPolicy {
  std::chrono::milliseconds heartbeat_interval{30'000};  // told to agents in `welcome`
  int missed_heartbeats = 3;  // a server silent this many intervals is offline
  std::chrono::seconds install_token_ttl{60 * 60};
  std::chrono::seconds queue_deadline{15 * 60};  // a queued job waits this long for its server
  std::chrono::milliseconds default_job_timeout{10 * 60 * 1000};
  std::chrono::milliseconds max_job_timeout{24 * 60 * 60 * 1000};
  /// A running job whose agent stays away this much past its timeout is marked lost.
  std::chrono::seconds lost_grace{5 * 60};
  std::string public_url = "http://127.0.0.1:8080";  // what agents and install commands dial
  /// Install tokens and SSH adoption over a plain http:// public URL to a non-loopback host
  /// (--allow-insecure-enrolment): tokens and agent credentials would cross the network in clear.
  bool allow_insecure_enrolment = false;
};

struct FleetContext {
  IdentityContext& identity;
  FleetPolicy policy;

  Store& store() const { return identity.store; }
  const Clock& clock() const { return identity.clock; }
  IdGenerator& ids() const { return identity.ids; }
};

/// The audit actor of a request.
inline Actor actor_of(const Principal& who, std::string_view request_id,
                      std::string_view source_address) {
  return Actor{.user_id = who.user_id,
               .request_id = std::string(request_id),
               .source_address = std::string(source_address)};
}

}  // namespace berth
