#pragma once
/// Time-based one-time passwords as RFC 6238 defines them and authenticator apps expect:
/// HMAC-SHA1, 6 digits, 30-second period. Every function is thread-safe.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace berth::totp {

constexpr int kDigits = 6;
constexpr std::int64_t kPeriodSeconds = 30;

/// The RFC 6238 counter for `time`: whole periods since the Unix epoch (rounded down).
std::int64_t time_step(TimePoint time);

/// The code for `step` under `secret` (raw bytes, not base32), zero-padded to 6 digits.
std::string code_at(std::span<const std::uint8_t> secret, std::int64_t step);

/// The step within now-1..now+1 whose code equals `code` (compared in constant time) and is
/// greater than `last_used_step`; nullopt otherwise (also for malformed codes: anything but
/// exactly 6 ASCII digits, and for an empty secret). The caller stores the returned step, so a
/// code accepted once is refused again.
std::optional<std::int64_t> verify(std::span<const std::uint8_t> secret, std::string_view code,
                                   TimePoint now, std::int64_t last_used_step);

/// otpauth://totp/<issuer>:<account>?secret=<b32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30
/// with issuer and account percent-encoded (everything but RFC 3986 unreserved characters).
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view base32_secret);

}  // namespace berth::totp
