#pragma once
/// bcrypt password hashes, the one scheme both Berth and Caddy's http_basic (2.6) read: the
/// edge rules' basic-auth users are stored and sent to the proxy as these hashes, never as
/// passwords. libxcrypt's crypt_rn underneath (Debian's libcrypt1). Thread-safe.

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/random.hpp"

namespace berth::crypto {

/// bcrypt truncates longer passwords silently, so longer ones are refused instead.
inline constexpr std::size_t kMaxBcryptPassword = 72;
inline constexpr int kBcryptCost = 12;

/// A "$2b$<cost>$…" hash of `password` with a salt from `random`. Error::internal when
/// libcrypt fails; the caller refuses passwords with NUL or over kMaxBcryptPassword bytes
/// first (Error::validation "password" otherwise).
Result<std::string> bcrypt_hash(std::string_view password, Random& random, int cost = kBcryptCost);

/// True when `password` matches `hash`; false on a mismatch or a malformed hash.
bool bcrypt_verify(std::string_view hash, std::string_view password);

}  // namespace berth::crypto
