#include "core/totp.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <chrono>
#include <stdexcept>

#include "core/crypto.hpp"

namespace berth::totp {

namespace {

using Period = std::chrono::duration<std::int64_t, std::ratio<kPeriodSeconds>>;

constexpr std::uint32_t kModulus = 1'000'000;  // 10^kDigits
static_assert(kDigits == 6);

bool is_well_formed(std::string_view code) {
  if (code.size() != static_cast<std::size_t>(kDigits)) {
    return false;
  }
  for (const char c : code) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

void append_percent_encoded(std::string& out, std::string_view text) {
  for (const char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
}

}  // namespace

std::int64_t time_step(TimePoint time) {
  return std::chrono::floor<Period>(time.time_since_epoch()).count();
}

std::string code_at(std::span<const std::uint8_t> secret, std::int64_t step) {
  std::array<unsigned char, 8> counter{};
  auto value = static_cast<std::uint64_t>(step);
  for (auto it = counter.rbegin(); it != counter.rend(); ++it) {
    *it = static_cast<unsigned char>(value & 0xffU);
    value >>= 8;
  }
  // libsodium has no SHA-1, and RFC 6238 as authenticator apps implement it needs HMAC-SHA1.
  static constexpr unsigned char kNoKey[1] = {0};
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  if (HMAC(EVP_sha1(), secret.empty() ? kNoKey : secret.data(), static_cast<int>(secret.size()),
           counter.data(), counter.size(), digest.data(), &digest_size) == nullptr ||
      digest_size != 20) {
    throw std::runtime_error("OpenSSL HMAC-SHA1 failed");
  }
  // RFC 4226 section 5.3, dynamic truncation.
  const unsigned offset = digest[19] & 0x0fU;
  const std::uint32_t binary = (static_cast<std::uint32_t>(digest[offset] & 0x7fU) << 24) |
                               (static_cast<std::uint32_t>(digest[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(digest[offset + 2]) << 8) |
                               static_cast<std::uint32_t>(digest[offset + 3]);
  return fmt::format("{:06}", binary % kModulus);
}

std::optional<std::int64_t> verify(std::span<const std::uint8_t> secret, std::string_view code,
                                   TimePoint now, std::int64_t last_used_step) {
  if (secret.empty() || !is_well_formed(code)) {
    return std::nullopt;
  }
  const std::int64_t current = time_step(now);
  std::optional<std::int64_t> accepted;
  // All three candidates are always computed and compared, so the time taken does not tell
  // which step (if any) matched.
  for (std::int64_t step = current - 1; step <= current + 1; ++step) {
    const bool matches = crypto::constant_time_equal(code_at(secret, step), code);
    if (matches && step > last_used_step) {
      accepted = step;
    }
  }
  return accepted;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view base32_secret) {
  std::string uri = "otpauth://totp/";
  append_percent_encoded(uri, issuer);
  uri += ':';
  append_percent_encoded(uri, account);
  uri += "?secret=";
  append_percent_encoded(uri, base32_secret);
  uri += "&issuer=";
  append_percent_encoded(uri, issuer);
  uri += fmt::format("&algorithm=SHA1&digits={}&period={}", kDigits, kPeriodSeconds);
  return uri;
}

}  // namespace berth::totp
