#pragma once
/// Live fan-out for the SSE streams: job output, server events and deployment progress are
/// published here after they are stored, and every open stream on that topic hears them.
/// Topics are "job:<id>", "server:<id>", "deployment:<id>", and "team:<id>" (every server event
/// and heartbeat sample of the team's servers, for live lists). An interface: today one process
/// holds every stream (InProcessEventHub); several berthd nodes will share a store-backed hub.
/// Implementations are thread-safe; listeners must not block (they queue to their stream).

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace berth {

/// One published message: an SSE event name, its id (for Last-Event-ID) and its data.
struct HubMessage {
  std::string event;  // "output", "done", "status", "agent_event", ...
  std::int64_t id = 0;
  nlohmann::json data = nlohmann::json::object();
};

class EventHub {
 public:
  using Listener = std::function<void(const HubMessage&)>;

  /// Unsubscribes when destroyed.
  class Subscription {
   public:
    virtual ~Subscription() = default;
  };

  virtual ~EventHub() = default;
  virtual std::unique_ptr<Subscription> subscribe(const std::string& topic, Listener listener) = 0;
  virtual void publish(const std::string& topic, const HubMessage& message) = 0;

  static std::string job_topic(std::string_view job_id) { return "job:" + std::string(job_id); }
  static std::string server_topic(std::string_view server_id) {
    return "server:" + std::string(server_id);
  }
  static std::string team_topic(std::string_view team_id) { return "team:" + std::string(team_id); }
};

}  // namespace berth
