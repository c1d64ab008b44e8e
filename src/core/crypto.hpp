#pragma once
/// Hashing, password storage, sealed (encrypted) values, tokens and the text encodings they
/// travel in. libsodium underneath; every function is thread-safe and initialises libsodium
/// itself (throws std::runtime_error only if libsodium cannot start at all).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"

namespace berth::crypto {

using Key = std::array<std::uint8_t, 32>;

/// SHA-256 of `data` as lower-case hex.
std::string sha256_hex(std::string_view data);

/// HMAC-SHA-256 of `data` under `key` as lower-case hex: how tokens are stored (keyed hash).
std::string hmac_sha256_hex(const Key& key, std::string_view data);

/// HMAC-SHA-256 under a key of any length (a webhook secret) as lower-case hex: the scheme of
/// GitHub's X-Hub-Signature-256 and of `openssl dgst -sha256 -hmac <secret>`.
std::string hmac_sha256_hex_any_key(std::string_view key, std::string_view data);

/// True when `a` and `b` are equal; false when their sizes differ. The time taken depends on the
/// size only, never on where the contents differ.
bool constant_time_equal(std::string_view a, std::string_view b);

/// `bytes` random bytes, base64url without padding (for session tokens, CSRF tokens, API keys...).
std::string random_token(Random& random, std::size_t bytes);

/// Argon2id via libsodium crypto_pwhash_str, opslimit 2, memlimit 19 MiB (19*1024*1024), p=1.
/// Error::internal when libsodium fails (out of memory).
Result<std::string> hash_password(std::string_view password);

/// True when `password` matches `encoded_hash` (as hash_password writes it); false on a
/// mismatch and on a malformed hash.
bool verify_password(std::string_view encoded_hash, std::string_view password);

/// Costs the same as verify_password on a real hash, result thrown away: called for unknown
/// emails so a wrong email and a wrong password take equally long.
void burn_password_verification(std::string_view password);

/// XSalsa20-Poly1305 (crypto_secretbox_easy) with a random nonce; returns base64url(nonce||box).
std::string seal(const Key& key, Random& random, std::string_view plaintext);

/// Reverses seal; Error::internal when tampered or the key is wrong (detail says so, no secret).
Result<std::string> open_sealed(const Key& key, std::string_view sealed);

/// RFC 4648 base32, upper-case, no padding.
std::string base32_encode(std::span<const std::uint8_t> data);
/// Reverses base32_encode; accepts lower-case, ignores spaces and '='. nullopt when the text
/// holds other characters or cannot be the encoding of whole bytes.
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

/// RFC 4648 base64url, no padding.
std::string base64url_encode(std::span<const std::uint8_t> data);
/// Reverses base64url_encode (no padding accepted); nullopt when malformed.
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

/// RFC 4648 base64, standard alphabet, with padding (what Caddy's http_basic reads hashes in).
std::string base64_encode(std::span<const std::uint8_t> data);
/// Standard base64 alphabet, padding optional, surrounding whitespace ignored (for keys given in
/// environment variables); nullopt when malformed.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace berth::crypto
