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
#include "domain/kernel/event_hub.hpp"
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

/// Every stored item after `after_id`, read `batch` at a time until a short batch, each turned
/// into a message by `to_message` (whose id is the item's seq): a stream's `replay`.
template <class Fetch, class ToMessage>
Result<std::vector<HubMessage>> replay_in_batches(std::int64_t after_id, std::int64_t batch,
                                                  Fetch fetch, ToMessage to_message) {
  std::vector<HubMessage> out;
  for (;;) {
    auto items = fetch(after_id, batch);
    if (!items) {
      return fail(std::move(items.error()));
    }
    for (const auto& item : *items) {
      out.push_back(to_message(item));
      after_id = out.back().id;
    }
    if (static_cast<std::int64_t>(items->size()) < batch) {
      return out;
    }
  }
}

/// 200 text/event-stream that runs `spec`.
http::Response event_stream_response(EventStreamSpec spec);

/// One SSE frame: "id:", "event:", "data:" lines and a blank line (id 0 is left out).
std::string sse_frame(const HubMessage& message);

/// The Last-Event-ID header (or ?after=) as a number; 0 when absent or not a number.
std::int64_t last_event_id(const http::Request& request);

}  // namespace berth::api
