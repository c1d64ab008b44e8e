#include "api/event_stream.hpp"

#include <fmt/format.h>

#include <charconv>
#include <memory>
#include <mutex>
#include <utility>

namespace berth::api {

namespace {

// One stream's state: shared by the hub listener and the start function.
struct StreamState {
  std::mutex mutex;
  std::shared_ptr<http::StreamWriter> writer;
  std::unique_ptr<EventHub::Subscription> subscription;
  bool replaying = true;
  bool ended = false;
  std::int64_t last_id = 0;
  std::vector<HubMessage> held;  // live messages that arrived during the replay
  std::function<bool(const HubMessage&)> is_final;
  std::function<void()> on_end;

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
    if (!writer->write(sse_frame(message)) || (is_final && is_final(message))) {
      end();
    }
  }

  void end() {
    ended = true;
    writer->finish();
    // Dropping the subscription here is safe: the hub calls listeners outside its lock. It goes
    // before on_end, which may publish on this very topic (a canceled job).
    subscription.reset();
    if (on_end) {
      std::exchange(on_end, nullptr)();
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
  body->start = [spec = std::move(spec)](std::shared_ptr<http::StreamWriter> writer) {
    auto state = std::make_shared<StreamState>();
    state->writer = std::move(writer);
    state->last_id = spec.after_id;
    state->is_final = spec.is_final;
    state->on_end = spec.on_end;
    // Subscribe before replaying, holding live messages back, so nothing falls in between.
    auto subscription = spec.hub->subscribe(spec.topic, [state](const HubMessage& message) {
      std::lock_guard lock(state->mutex);
      if (state->replaying) {
        state->held.push_back(message);
      } else {
        state->deliver(message);
      }
    });
    {
      std::lock_guard lock(state->mutex);
      state->subscription = std::move(subscription);
    }
    auto replayed = spec.replay ? spec.replay(spec.after_id) : Result<std::vector<HubMessage>>{};
    std::lock_guard lock(state->mutex);
    if (replayed) {
      for (const auto& message : *replayed) {
        state->deliver(message);
      }
    }
    state->replaying = false;
    for (const auto& message : state->held) {
      state->deliver(message);
    }
    state->held.clear();
    if (!replayed) {
      state->end();
      return;
    }
    if (spec.ended) {
      if (auto closing = spec.ended()) {
        state->deliver(*closing);
        state->end();
      }
    }
  };
  response.stream = std::move(body);
  return response;
}

}  // namespace berth::api
