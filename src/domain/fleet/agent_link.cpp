// AgentLink: what berthd does with each message an agent sends (docs/protocol.md).
#include <fmt/format.h>

#include <algorithm>

#include "core/ids.hpp"
#include "core/json_limits.hpp"
#include "core/log.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

using protocol::Envelope;
using protocol::MessageType;

constexpr double kFramesPerSecond = 200;
constexpr double kFrameBurst = 400;
constexpr std::size_t kErrorsPerMinute = 20;
constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::size_t kMaxLogText = 64 * 1024;
constexpr std::size_t kMaxResultBytes = 256 * 1024;
constexpr std::size_t kMaxFactsBytes = 16 * 1024;
constexpr std::size_t kMaxEventBytes = 16 * 1024;

// Payload readers: nullopt when the member is missing or has the wrong type.
std::optional<std::string> string_at(const nlohmann::json& payload, std::string_view key,
                                     std::size_t max_length = 256) {
  const auto found = payload.find(key);
  if (found == payload.end() || !found->is_string()) {
    return std::nullopt;
  }
  auto text = found->get<std::string>();
  if (text.size() > max_length) {
    return std::nullopt;
  }
  return text;
}

std::optional<std::int64_t> integer_at(const nlohmann::json& payload, std::string_view key) {
  const auto found = payload.find(key);
  if (found == payload.end() || !found->is_number_integer()) {
    return std::nullopt;
  }
  return found->get<std::int64_t>();
}

std::optional<std::string> job_id_at(const nlohmann::json& payload) {
  auto id = string_at(payload, "job_id");
  if (!id || !is_valid_id("job", *id)) {
    return std::nullopt;
  }
  return id;
}

// A connected server is `online`; `degraded` when its Docker engine answers with errors. A
// machine without Docker stays online (it can still run exec jobs); the reason says so.
std::pair<std::string, std::string> status_from(const nlohmann::json& docker) {
  const std::string status = docker.is_object() ? docker.value("status", "") : "";
  if (status == "online") {
    return {"online", ""};
  }
  const std::string reason = docker.is_object() ? docker.value("reason", "") : "";
  return {status == "degraded" ? "degraded" : "online",
          fmt::format("docker is {}{}{}", status.empty() ? "unknown" : status,
                      reason.empty() ? "" : ": ", reason)};
}

}  // namespace

AgentLink::AgentLink(AgentHub& hub, std::string server_id, std::shared_ptr<AgentChannel> channel)
    : hub_(hub),
      server_id_(std::move(server_id)),
      channel_(std::move(channel)),
      last_heard_ms_(hub.now_ms()),
      last_ping_ms_(hub.now_ms()),
      tokens_(kFrameBurst),
      refilled_ms_(hub.now_ms()) {}

bool AgentLink::send(MessageType type, nlohmann::json payload, std::string ref) {
  return channel_->send(protocol::encode_envelope(protocol::make_envelope(
      type, hub_.next_message_id(), hub_.now_ms(), std::move(payload), std::move(ref))));
}

void AgentLink::close(std::uint16_t code, std::string reason) {
  channel_->close(code, std::move(reason));
}

void AgentLink::ping() {
  last_ping_ms_ = hub_.now_ms();
  send(MessageType::ping, nlohmann::json::object());
}

bool AgentLink::admit() {
  const std::int64_t now = hub_.now_ms();
  tokens_ = std::min(kFrameBurst,
                     tokens_ + static_cast<double>(now - refilled_ms_) * kFramesPerSecond / 1000.0);
  refilled_ms_ = now;
  if (tokens_ < 1) {
    return false;
  }
  tokens_ -= 1;
  return true;
}

void AgentLink::refuse(std::string code, std::string message, std::string ref) {
  const std::int64_t now = hub_.now_ms();
  while (!recent_errors_ms_.empty() && now - recent_errors_ms_.front() > kMinuteMs) {
    recent_errors_ms_.pop_front();
  }
  recent_errors_ms_.push_back(now);
  log::warn("agent.frame_refused",
            {{"server_id", server_id_}, {"code", code}, {"message", message}});
  send(MessageType::error, {{"code", std::move(code)}, {"message", std::move(message)}},
       std::move(ref));
  if (recent_errors_ms_.size() > kErrorsPerMinute) {
    close(agent_close::policy_violation, "too many bad frames");
  }
}

void AgentLink::on_frame(std::string_view frame) {
  last_heard_ms_ = hub_.now_ms();
  if (!admit()) {
    refuse("rate_limited", "more than 200 frames a second");
    return;
  }
  auto message = protocol::decode_envelope(frame);
  if (!message) {
    refuse(message.error().code, message.error().message);
    return;
  }
  const auto type = protocol::parse_message_type(message->type);
  if (!type) {
    refuse("unknown_type", fmt::format("unknown message type {}", message->type), message->id);
    return;
  }
  if (!greeted_ && *type != MessageType::hello) {
    refuse("hello_required", "the first message must be hello", message->id);
    return;
  }
  try {
    handle(*message);
  } catch (const std::exception& e) {
    // A payload of the wrong shape deep inside (nlohmann throws on type mismatches).
    refuse("invalid_payload", fmt::format("{} payload not understood", message->type), message->id);
    log::warn("agent.payload_exception", {{"server_id", server_id_}, {"error", e.what()}});
  }
}

void AgentLink::handle(const Envelope& message) {
  switch (*protocol::parse_message_type(message.type)) {
    case MessageType::hello:
      on_hello(message);
      return;
    case MessageType::heartbeat:
      on_heartbeat(message);
      return;
    case MessageType::log:
      on_log(message);
      return;
    case MessageType::job_done:
      on_job_done(message);
      return;
    case MessageType::ack:
      on_ack(message);
      return;
    case MessageType::event:
      on_event(message);
      return;
    case MessageType::ping:
      send(MessageType::pong, nlohmann::json::object(), message.id);
      return;
    case MessageType::pong:
      return;
    case MessageType::error:
      log::warn("agent.reported_error",
                {{"server_id", server_id_},
                 {"code", string_at(message.payload, "code", 64).value_or("")},
                 {"message", string_at(message.payload, "message", 1024).value_or("")}});
      return;
    case MessageType::welcome:
    case MessageType::cmd:
    case MessageType::cancel:
      refuse("unexpected_type", fmt::format("{} is sent by berthd, not by agents", message.type),
             message.id);
      return;
  }
}

void AgentLink::on_hello(const Envelope& message) {
  const auto& payload = message.payload;
  const auto version = string_at(payload, "agent_version", 64);
  const auto facts = payload.find("facts");
  if (!version || facts == payload.end() || !facts->is_object() ||
      !json_size_within(*facts, kMaxFactsBytes)) {
    refuse("invalid_payload", "hello needs agent_version and a facts object", message.id);
    return;
  }
  const TimePoint now = hub_.ctx().clock().now();
  auto server = hub_.servers().update(server_id_, [&](ServerRecord& record) {
    record.facts = *facts;
    record.agent_version = *version;
    record.connected_at = now;
    record.last_seen_at = now;
    record.status = "online";
    record.status_reason = "";
  });
  if (!server) {
    log::error("agent.hello_failed",
               {{"server_id", server_id_}, {"error", server.error().message}});
    close(agent_close::going_away, "berthd could not record the connection");
    return;
  }
  status_ = "online";
  (void)hub_.servers().record(server_id_, "agent_connected", {{"agent_version", *version}});
  send(MessageType::welcome,
       {{"server_id", server_id_},
        {"heartbeat_interval_ms", hub_.ctx().policy.heartbeat_interval.count()},
        {"max_frame_bytes", protocol::kMaxFrameBytes}},
       message.id);
  greeted_ = true;
  log::info("agent.connected", {{"server_id", server_id_}, {"agent_version", *version}});
  hub_.resume(*this);
}

void AgentLink::on_heartbeat(const Envelope& message) {
  const auto& payload = message.payload;
  const auto metrics = payload.find("metrics");
  if (metrics == payload.end() || !metrics->is_object()) {
    refuse("invalid_payload", "heartbeat needs a metrics object", message.id);
    return;
  }
  auto [status, reason] = status_from(payload.value("docker", nlohmann::json::object()));
  if (status != status_ || reason != reason_) {
    status_ = status;
    reason_ = reason;
    // Checked in the same transaction as the write: a revoke clears the token and sets the
    // server offline, and a heartbeat read just before it must not bring it back online.
    (void)hub_.servers().update(server_id_, [&](ServerRecord& record) {
      if (!record.agent_token_hash.empty()) {
        record.status = status;
        record.status_reason = reason;
      }
    });
  }
  // The agent's clock against berthd's, from the envelope's send time (plus the network's
  // latency, well under the doctor's thresholds), kept with the metrics for `berthd doctor`.
  // A sender's time beyond a year either way is not a clock, and is not recorded.
  constexpr std::int64_t kYearMs = 366LL * 24 * 3600 * 1000;
  const std::int64_t skew_ms = message.ts - hub_.now_ms();
  if (message.ts > 0 && skew_ms > -kYearMs && skew_ms < kYearMs) {
    nlohmann::json heartbeat = payload;
    heartbeat["metrics"]["clock_skew_ms"] = skew_ms;
    hub_.metrics().add(server_id_, heartbeat);
    return;
  }
  hub_.metrics().add(server_id_, payload);
}

void AgentLink::refuse_job_error(const Error& error, const std::string& ref) {
  if (error.code == "unknown_job") {
    refuse("unknown_job", "no such job for this server", ref);
    return;
  }
  if (error.code == "output_refused") {
    refuse("output_refused", error.message, ref);
    return;
  }
  log::error(
      "agent.job_update_failed",
      {{"server_id", server_id_}, {"error", error.message}, {"detail", error.internal_detail}});
}

void AgentLink::on_log(const Envelope& message) {
  const auto& payload = message.payload;
  const auto job_id = job_id_at(payload);
  const auto stream = string_at(payload, "stream", 16);
  const auto seq = integer_at(payload, "seq");
  const auto text = string_at(payload, "text", kMaxLogText);
  if (!job_id || !stream || !seq || *seq < 1 || !text ||
      (*stream != "stdout" && *stream != "stderr" && *stream != "system")) {
    refuse("invalid_payload", "log needs job_id, stream, seq >= 1 and text (<= 64 KiB)",
           message.id);
    return;
  }
  auto stored =
      hub_.jobs().append_output(server_id_, JobOutputChunk{.job_id = *job_id,
                                                           .seq = *seq,
                                                           .stream = *stream,
                                                           .text = *text,
                                                           .at = hub_.ctx().clock().now()});
  if (!stored) {
    refuse_job_error(stored.error(), message.id);
    return;
  }
  // Acknowledged only once stored: this is what lets the agent forget the chunk.
  send(MessageType::ack, {{"job_id", *job_id}, {"seq", *seq}}, message.id);
}

void AgentLink::on_job_done(const Envelope& message) {
  const auto& payload = message.payload;
  const auto job_id = job_id_at(payload);
  const auto status = string_at(payload, "status", 16);
  if (!job_id || !status || !job_state::is_terminal(*status)) {
    refuse("invalid_payload", "job_done needs job_id and a final status", message.id);
    return;
  }
  JobEnd end{.status = *status};
  end.exit_code = integer_at(payload, "exit_code");
  end.duration_ms = std::max<std::int64_t>(0, integer_at(payload, "duration_ms").value_or(0));
  end.last_seq = std::max<std::int64_t>(0, integer_at(payload, "last_seq").value_or(0));
  if (const auto result = payload.find("result"); result != payload.end() && result->is_object()) {
    end.result =
        json_size_within(*result, kMaxResultBytes) ? *result : nlohmann::json{{"truncated", true}};
  }
  if (const auto error = payload.find("error"); error != payload.end() && error->is_object()) {
    end.error_code = string_at(*error, "code", 64).value_or("error");
    end.error_message = string_at(*error, "message", 4096).value_or("");
  }
  auto done = hub_.jobs().finish(server_id_, *job_id, end);
  if (!done) {
    refuse_job_error(done.error(), message.id);
    return;
  }
  send(MessageType::ack, {{"job_id", *job_id}}, message.id);
}

void AgentLink::on_ack(const Envelope& message) {
  const auto job_id = job_id_at(message.payload);
  const auto state = string_at(message.payload, "state", 16);
  if (!job_id || !state) {
    refuse("invalid_payload", "ack needs job_id and state", message.id);
    return;
  }
  if (*state == "accepted" || *state == "running") {
    if (auto moved = hub_.jobs().mark_running(server_id_, *job_id); !moved) {
      refuse_job_error(moved.error(), message.id);
    }
  }
  // finished / lost: the agent's job_done follows and settles the job.
}

void AgentLink::on_event(const Envelope& message) {
  const auto kind = string_at(message.payload, "kind", 64);
  const auto details = message.payload.value("details", nlohmann::json::object());
  if (!kind || !details.is_object() || !json_size_within(details, kMaxEventBytes)) {
    refuse("invalid_payload", "event needs a kind and a details object", message.id);
    return;
  }
  (void)hub_.servers().record(server_id_, "agent_event", {{"kind", *kind}, {"details", details}});
}

}  // namespace berth
