#include "api/event_stream.hpp"

#include <fmt/format.h>

#include <charconv>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace berth::api {

namespace {

// One stream's state: shared by the hub listener, the replay's pages and the start function.
struct StreamState : std::enable_shared_from_this<StreamState> {
  std::mutex mutex;
  std::shared_ptr<http::StreamWriter> writer;
  std::unique_ptr<EventHub::Subscription> subscription;
  EventStreamSpec spec;
  bool replaying = true;
  bool ended = false;
  std::int64_t last_id = 0;
  std::vector<HubMessage> held;  // live messages that arrived during the replay

  // Writes one message unless already seen; caller holds the mutex.
  void deliver(const HubMessage& message) {
    if (ended) {
      return;
    }
    if (message.id != 0 && message.id <= last_id) {
      return;
    }
    if (message.id != 0) {
      last_id = message.id;
    }
    if (!writer->write(sse_frame(message)) || (spec.is_final && spec.is_final(message))) {
      end();
    }
  }

  void end() {
    ended = true;
    writer->finish();
    // Dropping the subscription here is safe: the hub calls listeners outside its lock. It goes
    // before on_end, which may publish on this very topic (a canceled job).
    subscription.reset();
    if (spec.on_end) {
      std::exchange(spec.on_end, nullptr)();
    }
  }

  // Reads and writes one page, then waits for the client to take it before reading the next.
  void replay_page(std::int64_t after_id) {
    if (writer->closed()) {
      const std::lock_guard lock(mutex);
      if (!ended) {
        end();
      }
      return;
    }
    auto page = spec.replay ? spec.replay(after_id) : Result<ReplayPage>{};
    std::optional<std::int64_t> next;
    {
      const std::lock_guard lock(mutex);
      if (!page) {
        end_replay(false);
        return;
      }
      for (const auto& message : page->messages) {
        deliver(message);
      }
      // Live messages are stored before they are published, so the pages bring most of them
      // too: only those not yet replayed are kept.
      std::erase_if(held, [this](const HubMessage& m) { return m.id != 0 && m.id <= last_id; });
      if (ended) {
        return;
      }
      if (page->more && !page->messages.empty()) {
        next = page->messages.back().id;
      } else {
        end_replay(true);
      }
    }
    // Outside the lock: a writer whose stream is gone calls back at once.
    if (next) {
      writer->when_drained([self = shared_from_this(), from = *next] { self->replay_page(from); });
    }
  }

  // Caller holds the mutex.
  void end_replay(bool complete) {
    replaying = false;
    for (const auto& message : held) {
      deliver(message);
    }
    held.clear();
    if (!complete) {
      end();
      return;
    }
    if (spec.ended && !ended) {
      if (auto closing = spec.ended()) {
        deliver(*closing);
        end();
      }
    }
  }
};

}  // namespace

std::string sse_frame(const HubMessage& message) {
  std::string frame;
  if (message.id != 0) {
    frame += fmt::format("id: {}\n", message.id);
  }
  frame += fmt::format("event: {}\ndata: {}\n\n", message.event,
                       message.data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return frame;
}

std::vector<http::QueryParam> stream_query() {
  return {{.name = "after",
           .description = "Replay what was stored after this event id (as Last-Event-ID does)",
           .schema = {{"type", "integer"}, {"minimum", 0}}}};
}

std::int64_t last_event_id(const http::Request& request) {
  std::string text;
  if (auto header = request.header("last-event-id")) {
    text = std::string(*header);
  } else if (auto after = request.query_param("after")) {
    text = *after;
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size() && value > 0 ? value : 0;
}

http::Response event_stream_response(EventStreamSpec spec) {
  http::Response response;
  response.status = 200;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("X-Accel-Buffering", "no");  // proxies must not hold events
  auto body = std::make_shared<http::StreamBody>();
  body->start = [spec = std::move(spec)](std::shared_ptr<http::StreamWriter> writer) mutable {
    auto state = std::make_shared<StreamState>();
    state->writer = std::move(writer);
    state->last_id = spec.after_id;
    const std::int64_t after_id = spec.after_id;
    auto* hub = spec.hub;
    const std::string topic = spec.topic;
    state->spec = std::move(spec);
    // Subscribe before replaying, holding live messages back, so nothing falls in between.
    // The listener keeps the state alive until end() drops the subscription.
    auto subscription = hub->subscribe(topic, [state](const HubMessage& message) {
      const std::lock_guard lock(state->mutex);
      if (state->replaying) {
        state->held.push_back(message);
      } else {
        state->deliver(message);
      }
    });
    {
      const std::lock_guard lock(state->mutex);
      state->subscription = std::move(subscription);
    }
    state->replay_page(after_id);
  };
  response.stream = std::move(body);
  return response;
}

}  // namespace berth::api
