#include "core/backup_keys.hpp"

#include <sodium.h>

#include <array>

namespace berth::backup {
namespace {

const unsigned char* key_bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}
unsigned char* key_bytes(std::string& text) {
  return reinterpret_cast<unsigned char*>(text.data());
}

}  // namespace

static_assert(kSealedStreamKeySize == crypto_box_SEALBYTES + kStreamKeySize);

BackupKeyPair backup_key_pair_from_seed(std::string_view seed) {
  std::array<unsigned char, crypto_box_SEEDBYTES> material{};
  crypto_generichash(material.data(), material.size(), key_bytes(seed), seed.size(), nullptr, 0);
  BackupKeyPair keys{.public_key = std::string(crypto_box_PUBLICKEYBYTES, '\0'),
                     .secret_key = std::string(crypto_box_SECRETKEYBYTES, '\0')};
  crypto_box_seed_keypair(key_bytes(keys.public_key), key_bytes(keys.secret_key), material.data());
  sodium_memzero(material.data(), material.size());
  return keys;
}

Result<std::string> open_stream_key(std::string_view sealed_key, const BackupKeyPair& keys) {
  std::string key(kStreamKeySize, '\0');
  if (sealed_key.size() != kSealedStreamKeySize ||
      keys.public_key.size() != crypto_box_PUBLICKEYBYTES ||
      keys.secret_key.size() != crypto_box_SECRETKEYBYTES ||
      crypto_box_seal_open(key_bytes(key), key_bytes(sealed_key), sealed_key.size(),
                           key_bytes(keys.public_key), key_bytes(keys.secret_key)) != 0) {
    return fail(with_code(Error::invalid("the backup was not sealed to this team's backup key"),
                          "backup_key_mismatch"));
  }
  return key;
}

}  // namespace berth::backup
