#pragma once
/// Counts the open `GET /apps/{id}/logs?follow` streams. Each holds a docker.logs job, and so a
/// thread and an Engine connection on the app's agent, for up to an hour: without a cap one
/// viewer could open them until the agent has no thread left for deployments.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/error.hpp"

namespace berth {

class LogFollows {
 public:
  struct Limits {
    int per_user = 4;  // streams one user has open, over every app
    int per_app = 8;   // streams open on one app, over every user
  };

  /// Held while a follow runs; destroying it frees its place. May outlive the LogFollows.
  class Slot {
   public:
    virtual ~Slot() = default;
  };

  LogFollows();
  explicit LogFollows(Limits limits);

  /// A place for one more follow by `user_id` of `app_id`, or rate_limited (429) with a
  /// message naming the limit reached.
  Result<std::shared_ptr<Slot>> reserve(const std::string& user_id, const std::string& app_id);

 private:
  struct Counts {
    std::mutex mutex;
    std::map<std::string, int> users;
    std::map<std::string, int> apps;
  };
  class Held;

  Limits limits_;
  std::shared_ptr<Counts> counts_;
};

}  // namespace berth
