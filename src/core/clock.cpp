#include "core/clock.hpp"

#include <algorithm>
#include <thread>

namespace berth {

TimePoint SystemClock::now() const { return std::chrono::system_clock::now() + offset_; }

void SystemSleeper::sleep_for(std::chrono::milliseconds duration, const std::atomic<bool>& stop) {
  constexpr std::chrono::milliseconds kStopCheck{100};
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stop.load()) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      return;
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kStopCheck, left));
  }
}

}  // namespace berth
