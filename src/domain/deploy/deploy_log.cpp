#include "domain/deploy/deploy_log.hpp"

#include "core/log.hpp"
#include "core/time_format.hpp"

namespace berth {

void DeployLog::append(std::string_view deployment_id, std::string event, nlohmann::json data) {
  if (deployment_id.empty()) {
    return;  // housekeeping jobs (a deleted app's containers) belong to no deployment
  }
  DeploymentEventRecord record{.deployment_id = std::string(deployment_id),
                               .seq = 0,
                               .event = std::move(event),
                               .data = std::move(data),
                               .at = ctx_.clock().now()};
  std::int64_t seq = 0;
  auto stored = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto appended = tx.append_deployment_event(record);
    if (!appended) {
      return fail(std::move(appended.error()));
    }
    seq = *appended;
    return {};
  });
  if (!stored) {
    log::warn("deployment.event_not_stored",
              {{"deployment_id", deployment_id}, {"error", stored.error().message}});
    return;
  }
  record.data["at"] = format_rfc3339(record.at);
  events_.publish(topic(deployment_id),
                  HubMessage{.event = record.event, .id = seq, .data = std::move(record.data)});
}

void DeployLog::step(std::string_view deployment_id, std::string_view step, std::string_view status,
                     nlohmann::json extra) {
  extra["step"] = std::string(step);
  extra["status"] = std::string(status);
  append(deployment_id, "step", std::move(extra));
}

void DeployLog::say(std::string_view deployment_id, std::string_view step, std::string text) {
  append(deployment_id, "output",
         {{"step", std::string(step)}, {"stream", "system"}, {"text", std::move(text) + "\n"}});
}

}  // namespace berth
