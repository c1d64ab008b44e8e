#pragma once
/// A deployment's event log: every step's progress, the output of its jobs and its state
/// changes are stored (append-only, numbered per deployment) and then published on the
/// deployment's EventHub topic, so `GET /deployments/{id}/events` can replay and follow them.
/// Blocking (store). Thread-safe.

#include <string>
#include <string_view>

#include "domain/kernel/event_hub.hpp"
#include "domain/kernel/service_context.hpp"

namespace berth {

class DeployLog {
 public:
  DeployLog(AreaContext ctx, EventHub& events) : ctx_(ctx), events_(events) {}

  static std::string topic(std::string_view deployment_id) {
    return "deployment:" + std::string(deployment_id);
  }

  /// Stores and publishes one event ("step", "output", "state" or "done"). A store failure is
  /// logged and otherwise ignored: the pipeline must not fail because its log could not grow.
  /// An empty deployment id (housekeeping jobs) records nothing.
  void append(std::string_view deployment_id, std::string event, nlohmann::json data);

  /// `step` events: {"step":…,"status":"started"|"succeeded"|"failed"|"skipped", …extra}.
  void step(std::string_view deployment_id, std::string_view step, std::string_view status,
            nlohmann::json extra = nlohmann::json::object());

  /// A line of berthd's own narration (stream "system") within a step.
  void say(std::string_view deployment_id, std::string_view step, std::string text);

  EventHub& events() { return events_; }

 private:
  AreaContext ctx_;
  EventHub& events_;
};

}  // namespace berth
