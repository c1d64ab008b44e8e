#pragma once
/// Token buckets per key (a client address, an email...), for login throttling and the like.
/// Thread-safe; memory bounded by `max_keys`.

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace berth {

class RateLimiter {
 public:
  /// `rate_per_second` tokens refill per second up to `burst`; at most `max_keys` buckets are
  /// kept (least recently used forgotten first — a forgotten key starts full again).
  /// Throws std::invalid_argument unless rate_per_second > 0, burst >= 1 and max_keys >= 1.
  RateLimiter(const Clock& clock, double rate_per_second, double burst,
              std::size_t max_keys = 100000);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// Takes one token for `key`: 0 when allowed, else the whole seconds (>= 1) until one is
  /// available.
  std::int64_t acquire(std::string_view key);

 private:
  struct Bucket {
    std::string key;
    double tokens;
    TimePoint updated;
  };
  using Buckets = std::list<Bucket>;  // most recently used first

  const Clock& clock_;
  const double rate_per_second_;
  const double burst_;
  const std::size_t max_keys_;
  std::mutex mutex_;
  Buckets buckets_;
  // Keys view the strings inside the list nodes, which never move.
  std::unordered_map<std::string_view, Buckets::iterator> index_;
};

}  // namespace berth
