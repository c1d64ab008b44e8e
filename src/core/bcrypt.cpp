#include "core/bcrypt.hpp"

#include <crypt.h>

#include <array>
#include <cstdint>
#include <memory>

#include "core/crypto.hpp"

namespace berth::crypto {

namespace {

bool acceptable(std::string_view password) {
  return password.size() <= kMaxBcryptPassword && password.find('\0') == std::string_view::npos;
}

// crypt_rn's scratch space is about 32 KiB: on the heap, one per call, so calls may overlap.
std::string crypt_with(const std::string& password, const char* setting) {
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(password.c_str(), setting, data.get(), sizeof(crypt_data));
  // crypt_rn answers null, or a string starting with '*' on failure.
  return out == nullptr || out[0] == '*' ? std::string() : std::string(out);
}

}  // namespace

Result<std::string> bcrypt_hash(std::string_view password, Random& random, int cost) {
  if (!acceptable(password)) {
    return fail(Error::validation("password", "password must be at most 72 bytes without NUL"));
  }
  std::array<std::uint8_t, 16> entropy{};
  random.fill(entropy);
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> setting{};
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost),
                       reinterpret_cast<const char*>(entropy.data()),  // NOLINT: libcrypt's API
                       static_cast<int>(entropy.size()), setting.data(),
                       static_cast<int>(setting.size())) == nullptr) {
    return fail(Error::internal("crypt_gensalt_rn refused the bcrypt setting"));
  }
  auto hash = crypt_with(std::string(password), setting.data());
  if (hash.empty()) {
    return fail(Error::internal("crypt_rn could not hash with bcrypt"));
  }
  return hash;
}

bool bcrypt_verify(std::string_view hash, std::string_view password) {
  if (!acceptable(password) || !hash.starts_with("$2")) {
    return false;
  }
  const std::string setting(hash);
  const auto computed = crypt_with(std::string(password), setting.c_str());
  return !computed.empty() && constant_time_equal(computed, hash);
}

}  // namespace berth::crypto
