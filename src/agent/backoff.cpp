#include "agent/backoff.hpp"

#include <array>

namespace berth::agent {

std::chrono::milliseconds Backoff::ceiling() const {
  // Doubling stops well before the shift could overflow: 2^20 s is far past any cap.
  const std::uint32_t shift = attempt_ < kMaxShift ? attempt_ : kMaxShift;
  const auto grown = options_.base * (std::int64_t{1} << shift);
  return grown < options_.cap ? grown : options_.cap;
}

std::chrono::milliseconds Backoff::next() {
  const auto limit = ceiling();
  ++attempt_;
  std::array<std::uint8_t, 8> bytes{};
  random_.fill(bytes);
  std::uint64_t value = 0;
  for (const auto byte : bytes) {
    value = (value << 8U) | byte;
  }
  const auto span = static_cast<std::uint64_t>(limit.count()) + 1;  // inclusive of the ceiling
  return std::chrono::milliseconds(static_cast<std::int64_t>(value % span));
}

}  // namespace berth::agent
