#pragma once
/// Server-Sent Events over the EventHub: a stream first replays what is stored after the
/// client's Last-Event-ID (so a reconnecting client misses nothing), page by page as the client
/// reads, then forwards live messages, skipping any it already replayed. Used by job output and
/// server events.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/kernel/event_hub.hpp"
#include "http/message.hpp"

namespace berth::api {

/// One part of a stream's replay: stored messages in order, and whether more may follow.
struct ReplayPage {
  std::vector<HubMessage> messages = {};
  bool more = false;
};

/// Reads the page of stored messages after an id. A stream calls it with the client's
/// Last-Event-ID, and again with the last id of the previous page only once that page has been
/// written to the client's socket: at most one page is held per stream, however much is stored.
using ReplaySource = std::function<Result<ReplayPage>(std::int64_t after_id)>;

struct EventStreamSpec {
  EventHub* hub = nullptr;
  std::string topic = {};
  std::int64_t after_id = 0;  // the client's Last-Event-ID
  /// The stored messages with id > after_id (runs on a worker, page by page).
  ReplaySource replay = {};
  /// After the replay: a closing message when the subject has already ended (a finished job).
  std::function<std::optional<HubMessage>()> ended = {};
  /// True for a live message that ends the stream once written.
  std::function<bool(const HubMessage&)> is_final = {};
  /// Called once when the stream ends (its final message written, or the client gone).
  std::function<void()> on_end = {};
};

/// A ReplaySource over a store read of at most `batch` items after a seq: each call fetches one
/// batch (`fetch(after_id, batch)`) and turns its items into messages with `to_message` (whose
/// id is the item's seq); a short batch is the last. Nothing is read ahead.
template <class Fetch, class ToMessage>
ReplaySource replay_in_batches(std::int64_t batch, Fetch fetch, ToMessage to_message) {
  return [batch, fetch = std::move(fetch),
          to_message = std::move(to_message)](std::int64_t after_id) -> Result<ReplayPage> {
    auto items = fetch(after_id, batch);
    if (!items) {
      return fail(std::move(items.error()));
    }
    ReplayPage page;
    page.messages.reserve(items->size());
    for (const auto& item : *items) {
      page.messages.push_back(to_message(item));
    }
    page.more = static_cast<std::int64_t>(items->size()) >= batch;
    return page;
  };
}

/// 200 text/event-stream that runs `spec`.
http::Response event_stream_response(EventStreamSpec spec);

/// The query parameter of a stream route: `after`, the Last-Event-ID as a query parameter (a
/// browser's EventSource cannot set the header on its first request).
std::vector<http::QueryParam> stream_query();

/// One SSE frame: "id:", "event:", "data:" lines and a blank line (id 0 is left out).
std::string sse_frame(const HubMessage& message);

/// The Last-Event-ID header (or ?after=) as a number; 0 when absent or not a number.
std::int64_t last_event_id(const http::Request& request);

}  // namespace berth::api
