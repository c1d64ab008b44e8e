#include "domain/fleet/metrics_recorder.hpp"

#include <chrono>

#include "core/time_format.hpp"

namespace berth {

namespace {

using namespace std::chrono_literals;

double number_at(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) {
    return 0;
  }
  const auto found = object.find(key);
  return found != object.end() && found->is_number() ? found->get<double>() : 0;
}

MetricSample sample_of(std::string_view server_id, const nlohmann::json& metrics, TimePoint at) {
  MetricSample sample{.server_id = std::string(server_id), .at = at};
  sample.cpu_percent = number_at(metrics, "cpu_percent");
  if (const auto load = metrics.find("load");
      load != metrics.end() && load->is_array() && !load->empty() && (*load)[0].is_number()) {
    sample.load1 = (*load)[0].get<double>();
  }
  const auto memory = metrics.value("memory", nlohmann::json::object());
  sample.memory_used_bytes = number_at(memory, "used_bytes");
  sample.memory_total_bytes = number_at(memory, "total_bytes");
  sample.swap_used_bytes = number_at(metrics.value("swap", nlohmann::json::object()), "used_bytes");
  if (const auto disks = metrics.find("disks"); disks != metrics.end() && disks->is_array()) {
    for (const auto& disk : *disks) {
      sample.disk_used_bytes += number_at(disk, "used_bytes");
      sample.disk_total_bytes += number_at(disk, "total_bytes");
    }
  }
  return sample;
}

}  // namespace

const std::vector<MetricsResolution>& metrics_resolutions() {
  static const std::vector<MetricsResolution> resolutions = {
      {60, 26h}, {900, 8 * 24h}, {3600, 400 * 24h}};
  return resolutions;
}

void MetricsRecorder::add(std::string_view server_id, const nlohmann::json& heartbeat) {
  const TimePoint now = ctx_.clock().now();
  const auto metrics = heartbeat.value("metrics", nlohmann::json::object());
  MetricSample sample = sample_of(server_id, metrics, now);
  const auto network = metrics.value("network", nlohmann::json::object());
  const double rx = number_at(network, "rx_bytes");
  const double tx = number_at(network, "tx_bytes");
  std::lock_guard lock(mutex_);
  auto counters = counters_.find(server_id);
  if (counters != counters_.end()) {
    const double seconds = std::chrono::duration<double>(now - counters->second.at).count();
    // Counters that went backwards mean the machine rebooted: no rate for this sample.
    if (seconds > 0 && rx >= counters->second.rx && tx >= counters->second.tx) {
      sample.net_rx_bytes_per_second = (rx - counters->second.rx) / seconds;
      sample.net_tx_bytes_per_second = (tx - counters->second.tx) / seconds;
    }
    counters->second = Counters{.rx = rx, .tx = tx, .at = now};
  } else {
    counters_.emplace(std::string(server_id), Counters{.rx = rx, .tx = tx, .at = now});
  }
  pending_[std::string(server_id)] = Pending{.heartbeat = heartbeat, .sample = sample};
}

void MetricsRecorder::forget(std::string_view server_id) {
  std::lock_guard lock(mutex_);
  if (auto found = pending_.find(server_id); found != pending_.end()) {
    pending_.erase(found);
  }
  if (auto found = counters_.find(server_id); found != counters_.end()) {
    counters_.erase(found);
  }
}

Result<std::size_t> MetricsRecorder::flush() {
  std::map<std::string, Pending, std::less<>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
  }
  if (batch.empty()) {
    return std::size_t{0};
  }
  std::vector<std::int64_t> resolutions;
  for (const auto& resolution : metrics_resolutions()) {
    resolutions.push_back(resolution.seconds);
  }
  std::vector<MetricSample> samples;
  samples.reserve(batch.size());
  std::vector<std::pair<std::string, HubMessage>> live;  // team topic, message
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    for (auto& [server_id, pending] : batch) {
      auto found = tx.get_server("", server_id);
      if (!found) {
        return fail(std::move(found.error()));
      }
      if (!*found) {
        continue;  // deleted since its heartbeat
      }
      ServerRecord server = std::move(**found);
      server.metrics = pending.heartbeat.value("metrics", nlohmann::json::object());
      server.docker = pending.heartbeat.value("docker", nlohmann::json::object());
      server.agent_version = pending.heartbeat.value("agent_version", server.agent_version);
      server.last_seen_at = pending.sample.at;
      if (auto updated = tx.update_server(server); !updated) {
        return updated;
      }
      samples.push_back(pending.sample);
      if (events_ != nullptr) {
        live.emplace_back(EventHub::team_topic(server.team_id),
                          HubMessage{.event = "metrics",
                                     .id = 0,
                                     .data = {{"server_id", server.id},
                                              {"at", format_rfc3339(pending.sample.at)},
                                              {"metrics", server.metrics}}});
      }
    }
    return tx.record_metric_samples(samples, resolutions);
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  for (const auto& [topic, message] : live) {
    events_->publish(topic, message);
  }
  return samples.size();
}

Result<void> MetricsRecorder::prune() {
  const TimePoint now = ctx_.clock().now();
  return ctx_.store().write([&](Tx& tx) -> Result<void> {
    for (const auto& resolution : metrics_resolutions()) {
      if (auto pruned = tx.prune_metric_points(resolution.seconds, now - resolution.keep);
          !pruned) {
        return fail(std::move(pruned.error()));
      }
    }
    return {};
  });
}

Result<MetricSeries> MetricsRecorder::series(std::string_view server_id, std::string_view range) {
  struct Choice {
    std::string_view range;
    std::chrono::seconds span;
    std::int64_t resolution;
  };
  static constexpr Choice kChoices[] = {
      {"1h", 1h, 60}, {"6h", 6h, 60}, {"24h", 24h, 900}, {"7d", 7 * 24h, 3600}};
  for (const auto& choice : kChoices) {
    if (choice.range != range) {
      continue;
    }
    const TimePoint now = ctx_.clock().now();
    auto points = read_value<std::vector<MetricPoint>>(
        ctx_.store(), [&](Tx& tx) -> Result<std::vector<MetricPoint>> {
          return tx.list_metric_points(server_id, choice.resolution, now - choice.span, now);
        });
    if (!points) {
      return fail(std::move(points.error()));
    }
    return MetricSeries{.range = std::string(range),
                        .resolution_seconds = choice.resolution,
                        .points = std::move(*points)};
  }
  return fail(Error::validation("range", "range must be one of 1h, 6h, 24h, 7d"));
}

}  // namespace berth
