#pragma once
/// Reconnect delays: exponential backoff with full jitter (a uniformly random delay between 0
/// and min(cap, base * 2^attempt)), so a fleet of agents does not reconnect in lockstep after
/// berthd restarts. Randomness is injected. Not thread-safe: the connection loop owns it.

#include <chrono>
#include <cstdint>

#include "core/random.hpp"

namespace berth::agent {

class Backoff {
 public:
  struct Options {
    std::chrono::milliseconds base{1000};
    std::chrono::milliseconds cap{30'000};
  };

  explicit Backoff(Random& random) : Backoff(random, Options{}) {}
  Backoff(Random& random, Options options) : random_(random), options_(options) {}

  /// The delay before the next attempt; each call doubles the ceiling up to the cap.
  std::chrono::milliseconds next();
  /// The ceiling the next call draws below.
  std::chrono::milliseconds ceiling() const;
  /// Back to the base ceiling (after a session that lasted).
  void reset() { attempt_ = 0; }
  /// Straight to the cap (berthd refused the token: retry, but slowly).
  void saturate() { attempt_ = kMaxShift; }

  static constexpr std::uint32_t kMaxShift = 20;

 private:
  Random& random_;
  Options options_;
  std::uint32_t attempt_ = 0;
};

}  // namespace berth::agent
