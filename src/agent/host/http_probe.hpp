#pragma once
/// The `http.probe` job kind: a new container's health check. GETs http://127.0.0.1:<port><path>
/// (never another host) until an answer of 2xx or 3xx, at most `retries` times `interval_ms`
/// apart after `start_period_ms`, each attempt bounded by `timeout_ms`. Blocks its executor
/// thread; a cancel is seen within about 50 ms.

#include <chrono>
#include <string>

#include "agent/job_types.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

struct ProbeArgs {
  int port = 0;
  std::string path = "/";
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{2000};
  int retries = 10;
  std::chrono::milliseconds start_period{0};
};

/// Refuses (code "invalid_args", naming the field) unknown fields, ports outside 1-65535 and
/// paths that do not start with '/' or hold anything but printable ASCII without spaces.
Result<ProbeArgs> parse_probe_args(const nlohmann::json& args);

/// Result {"attempts": n, "status": <HTTP status>}; failure "health_check_failed" with the last
/// attempt's error, "timeout" when the job's own timeout ends the waiting, or canceled. One
/// line per attempt goes to the job's output.
JobOutcome run_http_probe(JobContext& job);

}  // namespace berth::agent::host
