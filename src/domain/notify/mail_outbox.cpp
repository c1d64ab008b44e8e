#include "domain/notify/mail_outbox.hpp"

#include <exception>

#include "core/log.hpp"

namespace berth {

MailOutbox::MailOutbox(std::size_t capacity) : capacity_(capacity), thread_([this] { run(); }) {}

MailOutbox::~MailOutbox() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_all();
  thread_.join();
}

bool MailOutbox::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return false;
    }
    if (jobs_.size() >= capacity_) {
      log::warn("mail.outbox_full", {{"waiting", static_cast<std::int64_t>(jobs_.size())}});
      return false;
    }
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void MailOutbox::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) {
        return;
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    // A job's failure is its own: the thread must live on for the next one.
    try {
      job();
    } catch (const std::exception& e) {
      log::error("mail.job_failed", {{"error", e.what()}});
    }
  }
}

}  // namespace berth
