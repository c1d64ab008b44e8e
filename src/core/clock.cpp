#include "core/clock.hpp"

namespace berth {

TimePoint SystemClock::now() const { return std::chrono::system_clock::now(); }

}  // namespace berth
