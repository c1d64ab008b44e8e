#pragma once
/// A bounded hand-over of byte chunks between two threads of one job: the side that reads a
/// stream (a container's dump, an object download) and the side that writes it (an upload, a
/// container's stdin). Bounded, so memory stays flat whichever side is slower; either side can
/// give up and the other sees it at its next call.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace berth::agent::host {

class ChunkQueue {
 public:
  explicit ChunkQueue(std::size_t capacity) : capacity_(capacity) {}

  /// Waits for room; false when the consumer gave up (the chunk is dropped).
  bool push(std::string chunk) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return abandoned_ || chunks_.size() < capacity_; });
    if (abandoned_) {
      return false;
    }
    chunks_.push_back(std::move(chunk));
    changed_.notify_all();
    return true;
  }

  /// Waits for a chunk; nullopt once the producer finished (or gave up) and all were taken.
  std::optional<std::string> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return finished_ || abandoned_ || !chunks_.empty(); });
    if (chunks_.empty() || abandoned_) {
      return std::nullopt;
    }
    std::string chunk = std::move(chunks_.front());
    chunks_.pop_front();
    changed_.notify_all();
    return chunk;
  }

  /// The producer is done (also when it failed: the consumer checks the producer's outcome).
  void finish() {
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }

  /// The consumer is done early: pending and later pushes are dropped.
  void abandon() {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
    chunks_.clear();
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> chunks_;
  std::size_t capacity_;
  bool finished_ = false;
  bool abandoned_ = false;
};

}  // namespace berth::agent::host
