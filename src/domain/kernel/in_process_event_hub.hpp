#pragma once
/// The EventHub of a single berthd process: listeners held in memory per topic.

#include <map>
#include <mutex>

#include "domain/kernel/event_hub.hpp"

namespace berth {

class InProcessEventHub final : public EventHub {
 public:
  std::unique_ptr<Subscription> subscribe(const std::string& topic, Listener listener) override;
  void publish(const std::string& topic, const HubMessage& message) override;

 private:
  class Membership;
  void unsubscribe(const std::string& topic, std::uint64_t id);

  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::string, std::map<std::uint64_t, std::shared_ptr<Listener>>> topics_;
};

}  // namespace berth
