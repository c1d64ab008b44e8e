#pragma once
/// Wall-clock time, injected so expiry and timeouts are testable without waiting.
/// The only place that reads the real clock is SystemClock.

#include <atomic>
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
  SystemClock() = default;
  /// A clock reading `offset` off the machine's: how an agent on a machine whose clock drifted
  /// looks to berthd (its doctor's clock check is tested with it).
  explicit SystemClock(std::chrono::milliseconds offset) : offset_(offset) {}
  TimePoint now() const override;

 private:
  std::chrono::milliseconds offset_{0};
};

/// Waiting, injected beside the clock: the real one sleeps; a test's returns at once and
/// records how long it was asked to wait.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  /// Waits `duration`, or less when `stop` turns true (seen within 100 ms). Any thread.
  virtual void sleep_for(std::chrono::milliseconds duration, const std::atomic<bool>& stop) = 0;
};

class SystemSleeper final : public Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds duration, const std::atomic<bool>& stop) override;
};

}  // namespace berth
