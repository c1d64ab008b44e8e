#pragma once
/// A deployment's event log: every step's progress, berthd's narration and the state changes
/// are stored (append-only, numbered per deployment) and then published on the deployment's
/// EventHub topic, so `GET /deployments/{id}/events` can replay and follow them. The output of
/// a step's job is stored once, as that job's output: it is only published here (live), and a
/// replay reads it from the job (DeploymentService::events). Blocking (store). Thread-safe.

#include <string>
#include <string_view>

#include "domain/kernel/event_hub.hpp"
#include "domain/kernel/service_context.hpp"
#include "store/app_records.hpp"
#include "store/fleet_records.hpp"

namespace berth {

/// A place in a deployment's stream (its SSE id): the event's seq in the high bits and, for a
/// line of a step job's output, the job's chunk seq in the low 32 (after the step's `started`
/// event, whose seq it takes). Nothing is appended to a deployment's log while its step job
/// runs, so places only grow.
inline constexpr int kChunkBits = 32;
constexpr std::int64_t stream_place(std::int64_t event_seq, std::int64_t chunk_seq = 0) {
  return (event_seq << kChunkBits) | chunk_seq;
}
constexpr std::int64_t event_seq_of(std::int64_t place) { return place >> kChunkBits; }
constexpr std::int64_t chunk_seq_of(std::int64_t place) {
  return place & ((std::int64_t{1} << kChunkBits) - 1);
}

/// A chunk of a step job's output as the deployment's `output` event (seq left 0: the caller
/// places it).
DeploymentEventRecord output_event(std::string_view step, const JobOutputChunk& chunk);

class DeployLog {
 public:
  DeployLog(AreaContext ctx, EventHub& events) : ctx_(ctx), events_(events) {}

  static std::string topic(std::string_view deployment_id) {
    return "deployment:" + std::string(deployment_id);
  }

  /// Stores and publishes one event ("step", "output", "state" or "done"). A store failure is
  /// logged and otherwise ignored: the pipeline must not fail because its log could not grow.
  /// An empty deployment id (housekeeping jobs) records nothing. Returns the event's seq (0
  /// when nothing was stored).
  std::int64_t append(std::string_view deployment_id, std::string event, nlohmann::json data);

  /// `step` events: {"step":…,"status":"started"|"succeeded"|"failed"|"skipped", …extra}.
  std::int64_t step(std::string_view deployment_id, std::string_view step, std::string_view status,
                    nlohmann::json extra = nlohmann::json::object());

  /// Publishes (does not store) one chunk of a step job's output as an `output` event, placed
  /// after the step's `started` event (`started_seq`).
  void publish_output(std::string_view deployment_id, std::int64_t started_seq,
                      std::string_view step, const JobOutputChunk& chunk);

  /// A line of berthd's own narration (stream "system") within a step.
  void say(std::string_view deployment_id, std::string_view step, std::string text);

  EventHub& events() { return events_; }

 private:
  AreaContext ctx_;
  EventHub& events_;
};

}  // namespace berth
