#include "domain/fleet/fleet_monitor.hpp"

#include "core/log.hpp"

namespace berth {

namespace {
using namespace std::chrono_literals;
constexpr auto kTickEvery = 1s;
constexpr auto kExpireEvery = 5s;
constexpr auto kPruneEvery = 1h;
constexpr auto kMaxFlushEvery = 5s;
constexpr auto kEventRetention = 30 * 24h;
}  // namespace

FleetMonitor::FleetMonitor(FleetContext& ctx, AgentHub& hub, JobService& jobs,
                           MetricsRecorder& metrics)
    : ctx_(ctx), hub_(hub), jobs_(jobs), metrics_(metrics) {}

FleetMonitor::~FleetMonitor() { stop(); }

void FleetMonitor::start() {
  ticker_.start(kTickEvery, [this] { tick(); });
}

void FleetMonitor::stop() {
  if (ticker_.stop()) {
    (void)metrics_.flush();
  }
}

void FleetMonitor::tick() {
  const TimePoint now = ctx_.clock().now();
  hub_.sweep();
  // Heartbeats are written at least once per interval, so a fast test interval shows at once.
  const auto flush_every =
      std::min<std::chrono::milliseconds>(kMaxFlushEvery, ctx_.policy.heartbeat_interval);
  if (now - last_flush_ >= flush_every) {
    last_flush_ = now;
    if (auto flushed = metrics_.flush(); !flushed) {
      log::error("fleet.metrics_flush_failed",
                 {{"error", flushed.error().message}, {"detail", flushed.error().internal_detail}});
    }
  }
  if (now - last_expire_ >= kExpireEvery) {
    last_expire_ = now;
    if (auto expired = jobs_.expire(); !expired) {
      log::error("fleet.job_expiry_failed", {{"error", expired.error().message}});
    }
  }
  if (now - last_prune_ >= kPruneEvery) {
    last_prune_ = now;
    (void)metrics_.prune();
    (void)ctx_.store().write([&](Tx& tx) -> Result<void> {
      auto pruned = tx.prune_server_events(now - kEventRetention);
      if (!pruned) {
        return fail(std::move(pruned.error()));
      }
      return {};
    });
    for (const auto& duty : hourly_) {
      duty();
    }
  }
}

}  // namespace berth
