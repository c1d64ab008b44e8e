#pragma once
/// What the fleet's services share: the shared services (store, clock, randomness, ids, the
/// master key) and the fleet's own policy figures. Built once by the composition root.

#include <chrono>
#include <cstdint>
#include <string>

#include "domain/kernel/actor.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/service_context.hpp"

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
  /// The most text one job's stored output holds; past it one `system` chunk says so and the
  /// rest is acknowledged but not stored (an agent cannot fill berthd's disk through a job).
  std::int64_t max_job_output_bytes = 16 * 1024 * 1024;
  /// The most text all of one server's jobs' stored output holds. Past it the output of its
  /// oldest finished jobs is pruned (down to 90%, each keeping a one-line marker); when only
  /// running jobs hold it, new chunks are acknowledged but not stored.
  std::int64_t max_server_output_bytes = 512 * 1024 * 1024;
  /// Install tokens and SSH adoption over a plain http:// public URL to a non-loopback host
  /// (--allow-insecure-enrolment): tokens and agent credentials would cross the network in clear.
  bool allow_insecure_enrolment = false;
};

struct FleetContext : AreaContext {
  FleetPolicy policy;
};

}  // namespace berth
