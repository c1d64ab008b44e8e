#pragma once
/// The file `berthd backup` writes and `berthd restore` reads: Berth's store and instance keys
/// under a key derived from a passphrase.
///
/// Layout (integers big-endian), 96 bytes of header then the payload:
///   magic "BERTHBAK" (8) | format version 1 (1) | KDF 2 = Argon2id v1.3 (1) | 0 0 (2) |
///   opslimit (4) | memlimit in bytes (8) | salt (16, random) | secretstream header (24) |
///   header MAC (32: keyed BLAKE2b of the 64 bytes before it)
/// crypto_pwhash (Argon2id) turns passphrase + salt into 64 bytes: the first 32 key the payload,
/// the last 32 the header MAC, so a wrong passphrase (or a changed header) is told apart from
/// a damaged payload. The payload is a libsodium secretstream (XChaCha20-Poly1305) of 64 KiB
/// chunks, the first authenticating the header as additional data, the last tagged FINAL:
/// a changed byte, a reordered, missing or added chunk, a cut file and trailing bytes are all
/// refused.
///
/// The plaintext is a bundle: a 4-byte length, a JSON manifest (what, when, from which
/// instance, and each file's name, size and SHA-256), then the files' bytes in manifest order.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"

namespace berth::backup {

inline constexpr std::string_view kMagic = "BERTHBAK";
inline constexpr std::uint8_t kFormatVersion = 1;
inline constexpr std::size_t kHeaderSize = 96;

/// Argon2id's cost. Written into the header, so a reader uses what the writer chose.
struct KdfCost {
  std::uint32_t opslimit = 0;
  std::uint64_t memlimit = 0;  // bytes
};

/// What `berthd backup` uses: libsodium's "moderate" (3 passes over 256 MiB, about a second).
KdfCost default_kdf_cost();

/// Encrypts `plaintext` under `passphrase` with a fresh random salt. Error::internal only when
/// libsodium fails (out of memory for the KDF).
Result<std::string> encrypt(std::string_view plaintext, std::string_view passphrase, Random& random,
                            KdfCost cost = default_kdf_cost());

/// Reverses encrypt. Error::invalid with a message for the operator: not a Berth backup, an
/// unknown version, a wrong passphrase, a damaged, cut or extended file.
Result<std::string> decrypt(std::string_view file, std::string_view passphrase);

struct BundleFile {
  std::string name = {};  // relative to the data directory ("berth.db", "local-agent/agent.json")
  std::string content = {};
};

struct Bundle {
  nlohmann::json manifest = nlohmann::json::object();  // with "files" filled in by encode
  std::vector<BundleFile> files = {};
};

/// The plaintext of `bundle`: its manifest gains "files" [{name, size, sha256}].
std::string encode_bundle(const Bundle& bundle);

/// Reverses encode_bundle and checks every file's size and SHA-256 against the manifest, and
/// that names are among the ones a backup may hold. Error::invalid when anything is off.
Result<Bundle> decode_bundle(std::string_view plaintext);

/// The names a backup may hold (a restore writes nothing else).
bool allowed_file_name(std::string_view name);

}  // namespace berth::backup
