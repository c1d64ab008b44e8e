#include "core/rate_limiter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace berth {

namespace {
// Refill arithmetic in floating point can land a hair below a whole token (60 s at 1/60 per
// second); this tolerance keeps such a bucket from being refused one more time.
constexpr double kEpsilon = 1e-9;
// Caps retry-after for absurdly slow rates, so the conversion to an integer is always defined.
constexpr double kMaxRetrySeconds = 1e12;
}  // namespace

RateLimiter::RateLimiter(const Clock& clock, double rate_per_second, double burst,
                         std::size_t max_keys)
    : clock_(clock), rate_per_second_(rate_per_second), burst_(burst), max_keys_(max_keys) {
  if (!(rate_per_second > 0) || !std::isfinite(rate_per_second) || !(burst >= 1) ||
      !std::isfinite(burst) || max_keys == 0) {
    throw std::invalid_argument("RateLimiter needs rate_per_second > 0, burst >= 1, max_keys >= 1");
  }
  index_.reserve(std::min<std::size_t>(max_keys, 1024));
}

std::int64_t RateLimiter::acquire(std::string_view key) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);

  Buckets::iterator bucket;
  if (auto found = index_.find(key); found != index_.end()) {
    bucket = found->second;
    buckets_.splice(buckets_.begin(), buckets_, bucket);
    // A clock that stepped backwards refills nothing (and does not move `updated` back).
    if (now > bucket->updated) {
      const double elapsed = std::chrono::duration<double>(now - bucket->updated).count();
      bucket->tokens = std::min(burst_, bucket->tokens + elapsed * rate_per_second_);
      bucket->updated = now;
    }
  } else {
    if (buckets_.size() >= max_keys_) {
      index_.erase(buckets_.back().key);
      buckets_.pop_back();
    }
    buckets_.push_front(Bucket{.key = std::string(key), .tokens = burst_, .updated = now});
    bucket = buckets_.begin();
    index_.emplace(bucket->key, bucket);
  }

  if (bucket->tokens >= 1.0 - kEpsilon) {
    bucket->tokens = std::max(0.0, bucket->tokens - 1.0);
    return 0;
  }
  const double wait = std::ceil((1.0 - bucket->tokens) / rate_per_second_ - kEpsilon);
  return static_cast<std::int64_t>(std::clamp(wait, 1.0, kMaxRetrySeconds));
}

}  // namespace berth
