#include "domain/kernel/in_process_event_hub.hpp"

#include <vector>

namespace berth {

/// A listener's place in a topic, given up when destroyed.
class InProcessEventHub::Membership final : public EventHub::Subscription {
 public:
  Membership(InProcessEventHub& hub, std::string topic, std::uint64_t id)
      : hub_(hub), topic_(std::move(topic)), id_(id) {}
  ~Membership() override { hub_.unsubscribe(topic_, id_); }
  Membership(const Membership&) = delete;
  Membership& operator=(const Membership&) = delete;

 private:
  InProcessEventHub& hub_;
  std::string topic_;
  std::uint64_t id_;
};

std::unique_ptr<EventHub::Subscription> InProcessEventHub::subscribe(const std::string& topic,
                                                                     Listener listener) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  topics_[topic].emplace(id, std::make_shared<Listener>(std::move(listener)));
  return std::make_unique<Membership>(*this, topic, id);
}

void InProcessEventHub::publish(const std::string& topic, const HubMessage& message) {
  // Listeners are called outside the lock, so one may unsubscribe (or subscribe) from inside.
  std::vector<std::shared_ptr<Listener>> listeners;
  {
    std::lock_guard lock(mutex_);
    const auto found = topics_.find(topic);
    if (found == topics_.end()) {
      return;
    }
    for (const auto& [id, listener] : found->second) {
      listeners.push_back(listener);
    }
  }
  for (const auto& listener : listeners) {
    (*listener)(message);
  }
}

void InProcessEventHub::unsubscribe(const std::string& topic, std::uint64_t id) {
  std::lock_guard lock(mutex_);
  const auto found = topics_.find(topic);
  if (found == topics_.end()) {
    return;
  }
  found->second.erase(id);
  if (found->second.empty()) {
    topics_.erase(found);
  }
}

}  // namespace berth
