// Reconnect backoff with injected randomness.

#include "agent/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "support/fakes.hpp"

namespace berth::agent {
namespace {

using std::chrono::milliseconds;

// Fills every byte with the same value: 0x00 gives 0, 0xff the largest draw.
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(std::uint8_t byte) : byte_(byte) {}
  void fill(std::span<std::uint8_t> out) override { std::fill(out.begin(), out.end(), byte_); }

 private:
  std::uint8_t byte_;
};

TEST(BackoffTest, CeilingDoublesFromOneSecondUpToThirtySeconds) {
  FixedRandom random(0);
  Backoff backoff(random);
  std::vector<std::int64_t> ceilings;
  for (int i = 0; i < 8; ++i) {
    ceilings.push_back(backoff.ceiling().count());
    backoff.next();
  }
  EXPECT_EQ(ceilings,
            (std::vector<std::int64_t>{1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000}));
}

TEST(BackoffTest, DelaysStayWithinZeroAndTheCeiling) {
  testing::CountingRandom random;
  Backoff backoff(random);
  for (int i = 0; i < 200; ++i) {
    const auto ceiling = backoff.ceiling();
    const auto delay = backoff.next();
    EXPECT_GE(delay.count(), 0);
    EXPECT_LE(delay, ceiling);
    EXPECT_LE(delay, milliseconds(30'000));
  }
}

TEST(BackoffTest, FullJitterReachesBothEnds) {
  FixedRandom low(0);
  Backoff at_zero(low);
  EXPECT_EQ(at_zero.next(), milliseconds(0));
  // 2^64 - 1 modulo 1001 is 614: a large draw lands high in the range, never past it.
  FixedRandom high(0xff);
  Backoff at_top(high);
  for (int i = 0; i < 50; ++i) {
    EXPECT_LE(at_top.next(), milliseconds(30'000));
  }
}

TEST(BackoffTest, ResetStartsOverAtTheBase) {
  FixedRandom random(0);
  Backoff backoff(random);
  for (int i = 0; i < 10; ++i) {
    backoff.next();
  }
  EXPECT_EQ(backoff.ceiling(), milliseconds(30'000));
  backoff.reset();
  EXPECT_EQ(backoff.ceiling(), milliseconds(1000));
}

TEST(BackoffTest, SaturateJumpsToTheCap) {
  FixedRandom random(0);
  Backoff backoff(random);
  backoff.saturate();
  EXPECT_EQ(backoff.ceiling(), milliseconds(30'000));
}

TEST(BackoffTest, NeverOverflowsAfterManyAttempts) {
  FixedRandom random(0xff);
  Backoff backoff(random);
  for (int i = 0; i < 10'000; ++i) {
    backoff.next();
  }
  EXPECT_EQ(backoff.ceiling(), milliseconds(30'000));
}

}  // namespace
}  // namespace berth::agent
