#pragma once
/// Randomness, injected so ids and tokens are reproducible in tests.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace berth {

class Random {
 public:
  virtual ~Random() = default;
  /// Fills `out` with cryptographically secure random bytes; safe to call from any thread.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

/// libsodium's CSPRNG (getrandom(2) underneath).
class SodiumRandom final : public Random {
 public:
  /// Initialises libsodium; throws std::runtime_error when it cannot.
  SodiumRandom();
  void fill(std::span<std::uint8_t> out) override;
};

/// `bytes` random bytes as lower-case hex.
std::string random_hex(Random& random, std::size_t bytes);

}  // namespace berth
