#include "core/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/fakes.hpp"

namespace berth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiter, AllowsABurstThenRefuses) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 1.0, 3.0);
  EXPECT_EQ(limiter.acquire("1.2.3.4"), 0);
  EXPECT_EQ(limiter.acquire("1.2.3.4"), 0);
  EXPECT_EQ(limiter.acquire("1.2.3.4"), 0);
  EXPECT_EQ(limiter.acquire("1.2.3.4"), 1);
  EXPECT_EQ(limiter.acquire("1.2.3.4"), 1);  // a refusal takes nothing
}

TEST(RateLimiter, RefillsOverTime) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 1.0, 2.0);
  EXPECT_EQ(limiter.acquire("k"), 0);
  EXPECT_EQ(limiter.acquire("k"), 0);
  EXPECT_EQ(limiter.acquire("k"), 1);
  clock.advance(milliseconds(999));
  EXPECT_EQ(limiter.acquire("k"), 1);
  clock.advance(milliseconds(1));
  EXPECT_EQ(limiter.acquire("k"), 0);
  EXPECT_EQ(limiter.acquire("k"), 1);
  clock.advance(milliseconds(1500));
  EXPECT_EQ(limiter.acquire("k"), 0);  // 1.5 tokens -> 0.5 left
  EXPECT_EQ(limiter.acquire("k"), 1);  // half a second to go, rounded up
}

TEST(RateLimiter, RefillStopsAtTheBurst) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 10.0, 2.0);
  EXPECT_EQ(limiter.acquire("k"), 0);
  clock.advance(std::chrono::hours(1));
  EXPECT_EQ(limiter.acquire("k"), 0);
  EXPECT_EQ(limiter.acquire("k"), 0);
  EXPECT_EQ(limiter.acquire("k"), 1);
}

TEST(RateLimiter, RetryAfterCountsWholeSeconds) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 1.0 / 60.0, 1.0);  // one per minute
  EXPECT_EQ(limiter.acquire("k"), 0);
  EXPECT_EQ(limiter.acquire("k"), 60);
  clock.advance(seconds(20));
  EXPECT_EQ(limiter.acquire("k"), 40);
  clock.advance(milliseconds(39'500));
  EXPECT_EQ(limiter.acquire("k"), 1);
  clock.advance(milliseconds(500));
  EXPECT_EQ(limiter.acquire("k"), 0);  // exactly a minute: floating point must not refuse
}

TEST(RateLimiter, SlowRatesGiveLongRetries) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 0.5, 1.0);
  EXPECT_EQ(limiter.acquire("k"), 0);
  EXPECT_EQ(limiter.acquire("k"), 2);
}

TEST(RateLimiter, KeysAreIndependent) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 1.0, 1.0);
  EXPECT_EQ(limiter.acquire("alice@example.com"), 0);
  EXPECT_EQ(limiter.acquire("alice@example.com"), 1);
  EXPECT_EQ(limiter.acquire("bob@example.com"), 0);
  EXPECT_EQ(limiter.acquire("bob@example.com"), 1);
  EXPECT_EQ(limiter.acquire(""), 0);
}

TEST(RateLimiter, ForgetsTheLeastRecentlyUsedKeyBeyondTheBound) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 1.0, 1.0, 2);
  EXPECT_EQ(limiter.acquire("a"), 0);
  EXPECT_EQ(limiter.acquire("b"), 0);
  EXPECT_EQ(limiter.acquire("a"), 1);  // "a" is now the most recently used
  EXPECT_EQ(limiter.acquire("c"), 0);  // forgets "b"
  EXPECT_EQ(limiter.acquire("a"), 1);  // still remembered, still empty
  EXPECT_EQ(limiter.acquire("b"), 0);  // forgotten: starts full again (and forgets "c")
  EXPECT_EQ(limiter.acquire("a"), 1);
  EXPECT_EQ(limiter.acquire("c"), 0);
}

TEST(RateLimiter, StaysBoundedUnderManyKeys) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 1.0, 1.0, 10);
  EXPECT_EQ(limiter.acquire("first"), 0);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(limiter.acquire("key-" + std::to_string(i)), 0);
  }
  EXPECT_EQ(limiter.acquire("first"), 0);  // long forgotten
  EXPECT_EQ(limiter.acquire("key-999"), 1);
}

TEST(RateLimiter, AClockSteppingBackRefillsNothing) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 1.0, 1.0);
  EXPECT_EQ(limiter.acquire("k"), 0);
  clock.advance(milliseconds(-5000));
  EXPECT_EQ(limiter.acquire("k"), 1);
  clock.advance(milliseconds(5000));
  EXPECT_EQ(limiter.acquire("k"), 1);
  clock.advance(milliseconds(1000));
  EXPECT_EQ(limiter.acquire("k"), 0);
}

TEST(RateLimiter, IsThreadSafe) {
  berth::testing::ManualClock clock;
  RateLimiter limiter(clock, 1.0, 500.0, 50);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&limiter, &allowed, t] {
      for (int i = 0; i < 400; ++i) {
        if (limiter.acquire("shared") == 0) {
          ++allowed;
        }
        (void)limiter.acquire("own-" + std::to_string(t * 1000 + i % 100));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(allowed.load(), 500);
}

TEST(RateLimiter, RejectsNonsenseSettings) {
  berth::testing::ManualClock clock;
  EXPECT_THROW(RateLimiter(clock, 0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(RateLimiter(clock, 1.0, 0.5), std::invalid_argument);
  EXPECT_THROW(RateLimiter(clock, 1.0, 1.0, 0), std::invalid_argument);
}

}  // namespace
}  // namespace berth
