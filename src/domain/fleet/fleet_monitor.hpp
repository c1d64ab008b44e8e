#pragma once
/// The fleet's background duties, on one thread: agent liveness and pings (every second),
/// writing buffered heartbeats (every few seconds), job deadlines, and retention of metrics
/// and events (hourly). tick() does one round and is what tests call.

#include <chrono>
#include <functional>
#include <vector>

#include "core/ticker.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/job_service.hpp"
#include "domain/fleet/metrics_recorder.hpp"

namespace berth {

class FleetMonitor {
 public:
  FleetMonitor(FleetContext& ctx, AgentHub& hub, JobService& jobs, MetricsRecorder& metrics);
  ~FleetMonitor();
  FleetMonitor(const FleetMonitor&) = delete;
  FleetMonitor& operator=(const FleetMonitor&) = delete;

  void start();
  /// Stops the thread and writes the last buffered heartbeats.
  void stop();
  /// One round of whatever is due at the clock's now.
  void tick();
  /// Adds work of another area run hourly with the retention (the first time on the first
  /// tick): it must not block for long, so it hands slow work to a thread of its own. Call
  /// before start().
  void add_hourly(std::function<void()> duty) { hourly_.push_back(std::move(duty)); }

 private:
  FleetContext& ctx_;
  AgentHub& hub_;
  JobService& jobs_;
  MetricsRecorder& metrics_;
  TimePoint last_flush_{};
  TimePoint last_expire_{};
  TimePoint last_prune_{};
  std::vector<std::function<void()>> hourly_;
  Ticker ticker_;
};

}  // namespace berth
