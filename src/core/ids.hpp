#pragma once
/// Resource ids as API.md describes them: a type prefix and a time-ordered random part,
/// e.g. `usr_01JD7Q8M3X4V9T2K5R6W8Y0ZAB`. The part after `_` is 26 Crockford base32 characters:
/// 48 bits of milliseconds since the epoch, then 80 random bits, so ids sort by creation time.

#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/random.hpp"

namespace berth {

class IdGenerator {
 public:
  IdGenerator(const Clock& clock, Random& random) : clock_(clock), random_(random) {}
  /// A new id with the given prefix (lower-case letters, e.g. "usr"); thread-safe.
  std::string next(std::string_view prefix);

 private:
  const Clock& clock_;
  Random& random_;
};

/// True when `id` has exactly the given prefix and a well-formed 26-character body.
/// Every id taken from a URL or a body goes through this before it reaches the store.
bool is_valid_id(std::string_view prefix, std::string_view id);

}  // namespace berth
