#pragma once
/// Heartbeats into time series. A heartbeat only updates memory (cheap: 10,000 agents send
/// ~330 a second); flush() writes what arrived since the last flush in one transaction — the
/// latest snapshot onto each server's row and one sample into each resolution's bucket.
/// Buckets are running means, so the series stays bounded however long a server lives:
///   1-minute buckets kept 26 hours, 15-minute buckets 8 days, 1-hour buckets 400 days.
/// Thread-safe; flush/prune/series block on the store (worker or monitor thread).

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/kernel/event_hub.hpp"

namespace berth {

struct MetricsResolution {
  std::int64_t seconds;
  std::chrono::seconds keep;
};

/// The resolutions every sample is folded into.
const std::vector<MetricsResolution>& metrics_resolutions();

/// A series as answered by GET /servers/{id}/metrics.
struct MetricSeries {
  std::string range;  // 1h | 6h | 24h | 7d
  std::int64_t resolution_seconds = 0;
  std::vector<MetricPoint> points;
};

class MetricsRecorder {
 public:
  /// With `events`, every flushed sample is also published as a `metrics` message on its
  /// server's team topic ({server_id, at, metrics}), for live lists.
  explicit MetricsRecorder(FleetContext& ctx, EventHub* events = nullptr)
      : ctx_(ctx), events_(events) {}

  /// Remembers one heartbeat's payload ({agent_version, docker, metrics}) for the next flush.
  void add(std::string_view server_id, const nlohmann::json& heartbeat);
  /// Forgets a server (deleted) so its pending sample is not written.
  void forget(std::string_view server_id);

  /// Writes what arrived since the last flush; the number of servers written.
  Result<std::size_t> flush();
  /// Deletes buckets past their retention.
  Result<void> prune();

  /// Error::validation (field "range") for anything but 1h, 6h, 24h, 7d.
  Result<MetricSeries> series(std::string_view server_id, std::string_view range);

 private:
  struct Pending {
    nlohmann::json heartbeat;
    MetricSample sample;
  };
  struct Counters {
    double rx = 0;
    double tx = 0;
    TimePoint at{};
  };

  FleetContext& ctx_;
  EventHub* events_;
  std::mutex mutex_;
  std::map<std::string, Pending, std::less<>> pending_;
  std::map<std::string, Counters, std::less<>> counters_;  // for network rates
};

}  // namespace berth
