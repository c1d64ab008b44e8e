#pragma once
/// Wall-clock time, injected so expiry and timeouts are testable without waiting.
/// The only place that reads the real clock is SystemClock.

#include <chrono>

namespace berth {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  /// The current wall-clock time; safe to call from any thread.
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

}  // namespace berth
