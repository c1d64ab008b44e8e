#pragma once
/// A thread that calls `tick` at once and then every `every` until stop(): the loop of berthd's
/// background sweepers (the fleet monitor, the backup scheduler). stop() wakes it and waits for
/// the tick under way; the destructor stops it.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace berth {

class Ticker {
 public:
  Ticker() = default;
  ~Ticker() { stop(); }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  void start(std::chrono::milliseconds every, std::function<void()> tick) {
    thread_ = std::thread([this, every, tick = std::move(tick)] {
      std::unique_lock lock(mutex_);
      while (!stopping_) {
        lock.unlock();
        tick();
        lock.lock();
        wake_.wait_for(lock, every, [this] { return stopping_; });
      }
    });
  }

  /// True for the call that stopped it (started or not); false when it was stopped already.
  bool stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return false;
      }
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
    return true;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth
