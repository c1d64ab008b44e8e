#include "domain/fleet/event_hub.hpp"

#include <vector>

namespace berth {

std::unique_ptr<EventHub::Subscription> EventHub::subscribe(const std::string& topic,
                                                            Listener listener) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  topics_[topic].emplace(id, std::make_shared<Listener>(std::move(listener)));
  return std::make_unique<Subscription>(*this, topic, id);
}

void EventHub::publish(const std::string& topic, const HubMessage& message) {
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

void EventHub::unsubscribe(const std::string& topic, std::uint64_t id) {
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
