#pragma once
/// Server-Sent Events over the EventHub: a stream first replays what is stored after the
/// client's Last-Event-ID (so a reconnecting client misses nothing), then forwards live
/// messages, skipping any it already replayed. Used by job output and server events.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/fleet/event_hub.hpp"
#include "http/message.hpp"

namespace berth::api {

struct EventStreamSpec {
  EventHub* hub = nullptr;
  std::string topic = {};
  std::int64_t after_id = 0;  // the client's Last-Event-ID
  /// Stored messages with id > after_id, in order (runs on a worker when the stream starts).
  std::function<Result<std::vector<HubMessage>>(std::int64_t after_id)> replay = {};
  /// After the replay: a closing message when the subject has already ended (a finished job).
  std::function<std::optional<HubMessage>()> ended = {};
  /// True for a live message that ends the stream once written.
  std::function<bool(const HubMessage&)> is_final = {};
  /// Called once when the stream ends (its final message written, or the client gone).
  std::function<void()> on_end = {};
};

/// 200 text/event-stream that runs `spec`.
http::Response event_stream_response(EventStreamSpec spec);

/// One SSE frame: "id:", "event:", "data:" lines and a blank line (id 0 is left out).
std::string sse_frame(const HubMessage& message);

/// The Last-Event-ID header (or ?after=) as a number; 0 when absent or not a number.
std::int64_t last_event_id(const http::Request& request);

}  // namespace berth::api
