#pragma once
// Deterministic stand-ins for the injected clock and randomness.

#include <cstdint>
#include <mutex>
#include <span>

#include "core/clock.hpp"
#include "core/random.hpp"

namespace berth::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{std::chrono::milliseconds(1'764'000'000'000)})
      : now_(start) {}
  TimePoint now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(std::chrono::milliseconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }

 private:
  mutable std::mutex mutex_;
  TimePoint now_;
};

/// Counts upward from a seed: distinct, reproducible bytes.
class CountingRandom final : public Random {
 public:
  void fill(std::span<std::uint8_t> out) override {
    std::lock_guard lock(mutex_);
    for (auto& byte : out) {
      byte = next_++;
    }
  }

 private:
  std::mutex mutex_;
  std::uint8_t next_ = 0;
};

}  // namespace berth::testing
