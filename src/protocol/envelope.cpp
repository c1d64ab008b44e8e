#include "protocol/envelope.hpp"

#include <array>
#include <limits>
#include <utility>

#include "core/json_limits.hpp"

namespace berth::protocol {

namespace {

constexpr std::array<std::pair<MessageType, std::string_view>, 12> kTypeNames{{
    {MessageType::hello, "hello"},
    {MessageType::welcome, "welcome"},
    {MessageType::heartbeat, "heartbeat"},
    {MessageType::cmd, "cmd"},
    {MessageType::ack, "ack"},
    {MessageType::log, "log"},
    {MessageType::job_done, "job_done"},
    {MessageType::cancel, "cancel"},
    {MessageType::event, "event"},
    {MessageType::ping, "ping"},
    {MessageType::pong, "pong"},
    {MessageType::error, "error"},
}};

Error refusal(std::string code, std::string message,
              nlohmann::json details = nlohmann::json::object()) {
  Error error = Error::invalid(std::move(message), std::move(details));
  error.code = std::move(code);
  return error;
}

Error bad_field(std::string_view field, std::string message) {
  return refusal("invalid_envelope", std::move(message), {{"field", std::string(field)}});
}

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

// nlohmann stores non-negative literals as unsigned and negative ones as signed, so both
// representations have to be looked at to compare against int64 bounds without wrapping.
std::optional<std::int64_t> as_non_negative_int64(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(n);
  }
  if (value.is_number_integer()) {
    const auto n = value.get<std::int64_t>();
    if (n < 0) {
      return std::nullopt;
    }
    return n;
  }
  return std::nullopt;
}

}  // namespace

std::string_view message_type_name(MessageType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) {
      return name;
    }
  }
  return "unknown";
}

std::optional<MessageType> parse_message_type(std::string_view name) {
  for (const auto& [t, n] : kTypeNames) {
    if (n == name) {
      return t;
    }
  }
  return std::nullopt;
}

bool is_valid_message_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxMessageIdLength) {
    return false;
  }
  for (const char c : id) {
    if (!is_id_char(c)) {
      return false;
    }
  }
  return true;
}

Result<Envelope> decode_envelope(std::string_view frame) {
  // Checked before parsing so an oversize frame costs no allocation beyond what Beast read.
  if (frame.size() > kMaxFrameBytes) {
    return fail(
        refusal("frame_too_large", "frame is larger than the limit", {{"limit", kMaxFrameBytes}}));
  }
  auto parsed = parse_untrusted_json(frame);
  if (!parsed) {
    return fail(parsed.error() == JsonRefusal::too_deep
                    ? refusal("too_deep", "frame nests deeper than the limit",
                              {{"max_depth", kMaxJsonDepth}})
                    : refusal("malformed_json", "frame is not valid JSON"));
  }
  nlohmann::json& json = *parsed;
  if (!json.is_object()) {
    return fail(bad_field("$", "frame must be a JSON object"));
  }

  // The version comes first: a peer speaking a newer version may well add fields, and
  // "unsupported_version" tells it more than "unknown field" would.
  const auto v = json.find("v");
  if (v == json.end() || !v->is_number_integer()) {
    return fail(bad_field("v", "v must be an integer"));
  }
  if (as_non_negative_int64(*v) != std::optional<std::int64_t>(kProtocolVersion)) {
    return fail(refusal("unsupported_version", "protocol version is not supported",
                        {{"supported", nlohmann::json::array({kProtocolVersion})}}));
  }

  for (const auto& [key, value] : json.items()) {
    if (key != "v" && key != "id" && key != "ts" && key != "type" && key != "ref" &&
        key != "payload") {
      return fail(bad_field(key, "unknown field"));
    }
  }

  Envelope envelope;
  const auto id = json.find("id");
  if (id == json.end() || !id->is_string() ||
      !is_valid_message_id(id->get_ref<const std::string&>())) {
    return fail(bad_field("id", "id must be 1-128 characters of [A-Za-z0-9._:-]"));
  }
  envelope.id = id->get<std::string>();

  const auto ts = json.find("ts");
  const auto ts_value = ts == json.end() ? std::nullopt : as_non_negative_int64(*ts);
  if (!ts_value) {
    return fail(bad_field("ts", "ts must be a non-negative integer (unix milliseconds)"));
  }
  envelope.ts = *ts_value;

  const auto type = json.find("type");
  if (type == json.end() || !type->is_string() ||
      !parse_message_type(type->get_ref<const std::string&>())) {
    return fail(bad_field("type", "type must be a known message type"));
  }
  envelope.type = type->get<std::string>();

  if (const auto ref = json.find("ref"); ref != json.end()) {
    if (!ref->is_string() || !is_valid_message_id(ref->get_ref<const std::string&>())) {
      return fail(bad_field("ref", "ref must be 1-128 characters of [A-Za-z0-9._:-]"));
    }
    envelope.ref = ref->get<std::string>();
  }

  auto payload = json.find("payload");
  if (payload == json.end() || !payload->is_object()) {
    return fail(bad_field("payload", "payload must be an object"));
  }
  envelope.payload = std::move(*payload);
  return envelope;
}

std::string encode_envelope(const Envelope& envelope) {
  nlohmann::json json = {{"v", envelope.v},
                         {"id", envelope.id},
                         {"ts", envelope.ts},
                         {"type", envelope.type},
                         {"payload", envelope.payload}};
  if (!envelope.ref.empty()) {
    json["ref"] = envelope.ref;
  }
  // A payload built from agent output may carry invalid UTF-8; replacing it keeps the
  // connection alive instead of throwing out of the sender.
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Envelope make_envelope(MessageType type, std::string id, std::int64_t ts, nlohmann::json payload,
                       std::string ref) {
  return Envelope{.v = kProtocolVersion,
                  .id = std::move(id),
                  .ts = ts,
                  .type = std::string(message_type_name(type)),
                  .ref = std::move(ref),
                  .payload = std::move(payload)};
}

}  // namespace berth::protocol
