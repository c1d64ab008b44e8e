#include "domain/deploy/log_follows.hpp"

#include <fmt/format.h>

#include <utility>

namespace berth {

namespace {

void release(std::map<std::string, int>& counts, const std::string& key) {
  const auto found = counts.find(key);
  if (found != counts.end() && --found->second <= 0) {
    counts.erase(found);  // the maps hold only keys with open streams
  }
}

Error too_many(std::string message, int limit) {
  return Error{.kind = ErrorKind::rate_limited,
               .code = "rate_limited",
               .message = std::move(message),
               .details = {{"limit", limit}},
               .internal_detail = {}};
}

}  // namespace

class LogFollows::Held final : public LogFollows::Slot {
 public:
  Held(std::shared_ptr<Counts> counts, std::string user_id, std::string app_id)
      : counts_(std::move(counts)), user_id_(std::move(user_id)), app_id_(std::move(app_id)) {}
  ~Held() override {
    const std::lock_guard lock(counts_->mutex);
    release(counts_->users, user_id_);
    release(counts_->apps, app_id_);
  }
  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;

 private:
  std::shared_ptr<Counts> counts_;
  std::string user_id_;
  std::string app_id_;
};

LogFollows::LogFollows() : LogFollows(Limits{}) {}

LogFollows::LogFollows(Limits limits) : limits_(limits), counts_(std::make_shared<Counts>()) {}

Result<std::shared_ptr<LogFollows::Slot>> LogFollows::reserve(const std::string& user_id,
                                                              const std::string& app_id) {
  const std::lock_guard lock(counts_->mutex);
  const auto open = [](const std::map<std::string, int>& counts, const std::string& key) {
    const auto found = counts.find(key);
    return found == counts.end() ? 0 : found->second;
  };
  if (open(counts_->users, user_id) >= limits_.per_user) {
    return fail(too_many(
        fmt::format("you already follow {} log streams; close one first", limits_.per_user),
        limits_.per_user));
  }
  if (open(counts_->apps, app_id) >= limits_.per_app) {
    return fail(
        too_many(fmt::format("this app already has {} log streams following it; try again later",
                             limits_.per_app),
                 limits_.per_app));
  }
  ++counts_->users[user_id];
  ++counts_->apps[app_id];
  return std::shared_ptr<Slot>(std::make_shared<Held>(counts_, user_id, app_id));
}

}  // namespace berth
