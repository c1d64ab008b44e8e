#pragma once
/// Runs mail work (finding the account, making a token, talking SMTP) on one thread of its
/// own, so a request neither waits for the mail server nor, by how long it takes, tells
/// whether a message was sent. Bounded: past `capacity` waiting jobs, new ones are dropped and
/// logged. Jobs still waiting when it is destroyed are dropped; the running one finishes.
/// post() is thread-safe.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace berth {

class MailOutbox {
 public:
  explicit MailOutbox(std::size_t capacity = 1000);
  ~MailOutbox();
  MailOutbox(const MailOutbox&) = delete;
  MailOutbox& operator=(const MailOutbox&) = delete;

  /// Queues `job`; false when the queue is full (the job is dropped).
  bool post(std::function<void()> job);

 private:
  void run();

  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace berth
