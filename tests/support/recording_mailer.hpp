#pragma once
// A Mailer that keeps what it is given, or fails like an unreachable server when `broken`.

#include <mutex>
#include <vector>

#include "domain/notify/mailer.hpp"

namespace berth::testing {

class RecordingMailer final : public Mailer {
 public:
  Result<void> send(const Email& email) override {
    std::lock_guard lock(mutex_);
    if (broken) {
      Error error = Error::unavailable("smtp down");
      error.internal_detail = "connection refused";
      return fail(std::move(error));
    }
    sent.push_back(email);
    return {};
  }
  std::vector<Email> sent;
  bool broken = false;

 private:
  std::mutex mutex_;
};

}  // namespace berth::testing
