#pragma once
/// Live fan-out for the SSE streams: job output and server events are published here after
/// they are stored, and every open stream on that topic hears them. Topics are
/// "job:<id>" and "server:<id>". Subscribers must not block (they queue to their stream).
/// Thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

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
    Subscription(EventHub& hub, std::string topic, std::uint64_t id)
        : hub_(hub), topic_(std::move(topic)), id_(id) {}
    ~Subscription() { hub_.unsubscribe(topic_, id_); }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

   private:
    EventHub& hub_;
    std::string topic_;
    std::uint64_t id_;
  };

  std::unique_ptr<Subscription> subscribe(const std::string& topic, Listener listener);
  void publish(const std::string& topic, const HubMessage& message);

  static std::string job_topic(std::string_view job_id) { return "job:" + std::string(job_id); }
  static std::string server_topic(std::string_view server_id) {
    return "server:" + std::string(server_id);
  }

 private:
  void unsubscribe(const std::string& topic, std::uint64_t id);

  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::string, std::map<std::uint64_t, std::shared_ptr<Listener>>> topics_;
};

}  // namespace berth
