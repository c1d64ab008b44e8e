#include "core/ids.hpp"

#include <array>
#include <cstdint>

namespace berth {

namespace {
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kTimeChars = 10;
constexpr std::size_t kRandomChars = 16;

bool is_crockford(char c) { return kCrockford.find(c) != std::string_view::npos; }
}  // namespace

std::string IdGenerator::next(std::string_view prefix) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
          .count();
  auto time_bits = static_cast<std::uint64_t>(millis) & ((std::uint64_t{1} << 48) - 1);

  std::array<std::uint8_t, 10> random_bytes{};
  random_.fill(random_bytes);

  std::string id;
  id.reserve(prefix.size() + 1 + kTimeChars + kRandomChars);
  id.append(prefix).push_back('_');

  std::array<char, kTimeChars> time_part{};
  for (std::size_t i = kTimeChars; i-- > 0;) {
    time_part[i] = kCrockford[time_bits & 31U];
    time_bits >>= 5U;
  }
  id.append(time_part.data(), time_part.size());

  // 80 random bits are exactly 16 groups of 5 bits.
  std::uint32_t buffer = 0;
  int buffered_bits = 0;
  for (std::uint8_t byte : random_bytes) {
    buffer = (buffer << 8U) | byte;
    buffered_bits += 8;
    while (buffered_bits >= 5) {
      buffered_bits -= 5;
      id.push_back(kCrockford[(buffer >> static_cast<unsigned>(buffered_bits)) & 31U]);
    }
  }
  return id;
}

bool is_valid_id(std::string_view prefix, std::string_view id) {
  if (id.size() != prefix.size() + 1 + kTimeChars + kRandomChars || !id.starts_with(prefix) ||
      id[prefix.size()] != '_') {
    return false;
  }
  for (char c : id.substr(prefix.size() + 1)) {
    if (!is_crockford(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace berth
