#include "core/crypto.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace berth::crypto {

namespace {

static_assert(std::tuple_size_v<Key> == crypto_auth_hmacsha256_KEYBYTES);
static_assert(std::tuple_size_v<Key> == crypto_secretbox_KEYBYTES);

// OWASP's minimum for Argon2id (m=19 MiB, t=2, p=1); libsodium always uses one lane.
constexpr unsigned long long kOpsLimit = 2;
constexpr std::size_t kMemLimit = std::size_t{19} * 1024 * 1024;

void ensure_sodium() {
  // sodium_init() picks the fastest implementations and seeds the CSPRNG; it is idempotent and
  // thread-safe, but a static keeps the common path to one load.
  static const bool ready = [] {
    if (sodium_init() < 0) {
      throw std::runtime_error("libsodium could not be initialised");
    }
    return true;
  }();
  (void)ready;
}

// An empty std::string_view may carry a null pointer; libsodium's inputs must not be null.
constexpr unsigned char kNoBytes[1] = {0};

const unsigned char* bytes_of(std::string_view text) {
  return text.empty() ? kNoBytes : reinterpret_cast<const unsigned char*>(text.data());
}

const char* chars_of(std::string_view text) { return text.empty() ? "" : text.data(); }

std::string to_hex(std::span<const unsigned char> bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

std::string encode_base64(std::span<const std::uint8_t> data, int variant) {
  if (data.empty()) {
    return {};
  }
  std::string out(sodium_base64_encoded_len(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view text, int variant) {
  if (text.empty()) {
    return std::vector<std::uint8_t>{};
  }
  std::vector<std::uint8_t> out(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  // With a null end pointer libsodium fails unless it consumed the whole text; it also rejects
  // non-zero unused bits, so every byte string has exactly one accepted encoding.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        variant) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a';
  }
  if (c >= '2' && c <= '7') {
    return c - '2' + 26;
  }
  return -1;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  ensure_sodium();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), bytes_of(data), data.size());
  return to_hex(digest);
}

std::string hmac_sha256_hex(const Key& key, std::string_view data) {
  ensure_sodium();
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256(mac.data(), bytes_of(data), data.size(), key.data());
  return to_hex(mac);
}

std::string hmac_sha256_hex_any_key(std::string_view key, std::string_view data) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes_of(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes_of(data), data.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return to_hex(mac);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_token(Random& random, std::size_t bytes) {
  std::vector<std::uint8_t> raw(bytes);
  random.fill(raw);
  std::string token = base64url_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

Result<std::string> hash_password(std::string_view password) {
  ensure_sodium();
  if (password.size() > crypto_pwhash_PASSWD_MAX) {
    return fail(Error::internal("password longer than libsodium accepts"));
  }
  std::array<char, crypto_pwhash_STRBYTES> encoded{};
  if (crypto_pwhash_str_alg(encoded.data(), chars_of(password), password.size(), kOpsLimit,
                            kMemLimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return fail(Error::internal("argon2id password hashing failed (out of memory?)"));
  }
  return std::string(encoded.data());
}

bool verify_password(std::string_view encoded_hash, std::string_view password) {
  ensure_sodium();
  if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES ||
      encoded_hash.find('\0') != std::string_view::npos ||
      password.size() > crypto_pwhash_PASSWD_MAX) {
    return false;
  }
  const std::string terminated(encoded_hash);
  return crypto_pwhash_str_verify(terminated.c_str(), chars_of(password), password.size()) == 0;
}

void burn_password_verification(std::string_view password) {
  // A well-formed hash with the parameters hash_password uses (fixed salt, arbitrary digest), so
  // verifying against it costs one full Argon2id run; no hashing is needed to build it.
  static const std::string dummy_hash = fmt::format(
      "$argon2id$v=19$m={},t={},p=1$YmVydGgtYnVybi1zYWx0IQ$"
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
      kMemLimit / 1024, kOpsLimit);
  [[maybe_unused]] const bool ignored = verify_password(dummy_hash, password);
}

std::string seal(const Key& key, Random& random, std::string_view plaintext) {
  ensure_sodium();
  std::vector<std::uint8_t> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                plaintext.size());
  random.fill(std::span(out.data(), crypto_secretbox_NONCEBYTES));
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES, bytes_of(plaintext),
                        plaintext.size(), out.data(), key.data());
  return base64url_encode(out);
}

Result<std::string> open_sealed(const Key& key, std::string_view sealed) {
  ensure_sodium();
  auto raw = base64url_decode(sealed);
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return fail(Error::internal("sealed value is malformed (bad base64url or too short)"));
  }
  const std::size_t box_size = raw->size() - crypto_secretbox_NONCEBYTES;
  std::string plaintext(box_size - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                 raw->data() + crypto_secretbox_NONCEBYTES, box_size, raw->data(),
                                 key.data()) != 0) {
    return fail(Error::internal(
        "sealed value failed authentication: tampered with, or sealed under another key"));
  }
  return plaintext;
}

// Written by hand: neither libsodium nor OpenSSL nor any Debian package offers base32.
std::string base32_encode(std::span<const std::uint8_t> data) {
  std::string out;
  out.reserve((data.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::uint8_t byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 0x1fU]);
    }
    buffer &= (1U << bits) - 1U;
  }
  if (bits > 0) {
    out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1fU]);
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == ' ' || c == '=') {
      continue;
    }
    const int value = base32_value(c);
    if (value < 0) {
      return std::nullopt;
    }
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
      buffer &= (1U << bits) - 1U;
    }
  }
  // Five or more bits left over means a length (1, 3 or 6 characters mod 8) no byte string
  // encodes to; set unused bits mean the text was not written by an encoder.
  if (bits >= 5 || buffer != 0) {
    return std::nullopt;
  }
  return out;
}

std::string base64url_encode(std::span<const std::uint8_t> data) {
  return encode_base64(data, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text) {
  return decode_base64(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string base64_encode(std::span<const std::uint8_t> data) {
  return encode_base64(data, sodium_base64_VARIANT_ORIGINAL);
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n";
  const auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) {
    return std::vector<std::uint8_t>{};
  }
  text = text.substr(first, text.find_last_not_of(kWhitespace) - first + 1);
  return decode_base64(text, text.ends_with('=') ? sodium_base64_VARIANT_ORIGINAL
                                                 : sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

}  // namespace berth::crypto
