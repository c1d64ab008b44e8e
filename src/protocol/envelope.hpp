#pragma once
/// The agent protocol's envelope (PROTOCOL.md, v1): every WebSocket text frame between berthd
/// and an agent is one JSON object of this shape. This layer checks only the envelope; each
/// payload is validated by the handler of its message type, which knows what it needs.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::protocol {

/// The only protocol version this build speaks.
constexpr int kProtocolVersion = 1;

/// Frames larger than this are refused before they are parsed.
constexpr std::size_t kMaxFrameBytes = 1024 * 1024;

/// Longest accepted message id (`id` and `ref`).
constexpr std::size_t kMaxMessageIdLength = 128;

enum class MessageType {
  hello,
  welcome,
  heartbeat,
  cmd,
  ack,
  log,
  job_done,
  cancel,
  event,
  ping,
  pong,
  error
};

/// The wire name of a type ("job_done", ...).
std::string_view message_type_name(MessageType type);
/// The type with this wire name, or nullopt for a name this version does not know.
std::optional<MessageType> parse_message_type(std::string_view name);

/// True for a non-empty id of at most kMaxMessageIdLength characters from [A-Za-z0-9._:-].
bool is_valid_message_id(std::string_view id);

struct Envelope {
  int v = kProtocolVersion;
  std::string id;
  std::int64_t ts = 0;   // unix milliseconds at the sender
  std::string type;      // a message_type_name(); kept as text so the envelope stays plain data
  std::string ref = {};  // the id this message answers or continues; empty when none
  nlohmann::json payload = nlohmann::json::object();
};

/// Parses and checks one frame. Fails with Error::invalid and code `frame_too_large` (over
/// kMaxFrameBytes), `malformed_json`, `unsupported_version` (v is an integer other than 1), or
/// `invalid_envelope` with details.field naming the missing, mistyped, bad or unknown field
/// ("$" when the frame is not an object). The payload is not checked beyond being an object.
/// Pure; any thread.
Result<Envelope> decode_envelope(std::string_view frame);

/// Compact JSON for one frame; `ref` is omitted when empty. Never throws on invalid UTF-8 in
/// the payload (it is replaced). Pure; any thread.
std::string encode_envelope(const Envelope& envelope);

/// An envelope of the current version for `type`.
Envelope make_envelope(MessageType type, std::string id, std::int64_t ts, nlohmann::json payload,
                       std::string ref = {});

}  // namespace berth::protocol
