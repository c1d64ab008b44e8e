#include "domain/deploy/deploy_log.hpp"

#include "core/log.hpp"
#include "core/time_format.hpp"

namespace berth {

std::int64_t DeployLog::append(std::string_view deployment_id, std::string event,
                               nlohmann::json data) {
  if (deployment_id.empty()) {
    return 0;  // housekeeping jobs (a deleted app's containers) belong to no deployment
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
    return 0;
  }
  record.data["at"] = format_rfc3339(record.at);
  events_.publish(
      topic(deployment_id),
      HubMessage{.event = record.event, .id = stream_place(seq), .data = std::move(record.data)});
  return seq;
}

std::int64_t DeployLog::step(std::string_view deployment_id, std::string_view step,
                             std::string_view status, nlohmann::json extra) {
  extra["step"] = std::string(step);
  extra["status"] = std::string(status);
  return append(deployment_id, "step", std::move(extra));
}

void DeployLog::publish_output(std::string_view deployment_id, std::int64_t started_seq,
                               std::string_view step, const JobOutputChunk& chunk) {
  if (deployment_id.empty() || started_seq <= 0) {
    return;  // without its `started` event the chunk has no place in the stream
  }
  events_.publish(topic(deployment_id), HubMessage{.event = "output",
                                                   .id = stream_place(started_seq, chunk.seq),
                                                   .data = output_event(step, chunk).data});
}

DeploymentEventRecord output_event(std::string_view step, const JobOutputChunk& chunk) {
  return {.deployment_id = {},
          .seq = 0,
          .event = "output",
          .data = {{"step", std::string(step)},
                   {"stream", chunk.stream},
                   {"text", chunk.text},
                   {"at", format_rfc3339(chunk.at)}},
          .at = chunk.at};
}

void DeployLog::say(std::string_view deployment_id, std::string_view step, std::string text) {
  append(deployment_id, "output",
         {{"step", std::string(step)}, {"stream", "system"}, {"text", std::move(text) + "\n"}});
}

}  // namespace berth
