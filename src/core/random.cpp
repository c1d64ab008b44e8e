#include "core/random.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace berth {

SodiumRandom::SodiumRandom() {
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium could not be initialised");
  }
}

void SodiumRandom::fill(std::span<std::uint8_t> out) { randombytes_buf(out.data(), out.size()); }

std::string random_hex(Random& random, std::size_t bytes) {
  std::vector<std::uint8_t> raw(bytes);
  random.fill(raw);
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

}  // namespace berth
