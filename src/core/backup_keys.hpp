#pragma once
/// The keys of service backups (backup/backup_stream.hpp): a team's X25519 key pair, and the
/// per-backup stream key sealed to it. Here in core, not in src/backup, because berthd's
/// domain makes the pair and opens a stream key for a restore, and the domain does not link
/// the backup libraries (the fuzz build has none).

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::backup {

inline constexpr std::size_t kSealedStreamKeySize = 80;
inline constexpr std::size_t kStreamKeySize = 32;
inline constexpr std::size_t kBackupPublicKeySize = 32;
inline constexpr std::size_t kBackupSecretKeySize = 32;

/// A team's backup key pair (raw bytes). The public key goes to agents; the secret key stays
/// sealed in berthd's store.
struct BackupKeyPair {
  std::string public_key = {};
  std::string secret_key = {};
};

/// The key pair of a 32-byte seed (berthd draws the seed from its injected random source).
BackupKeyPair backup_key_pair_from_seed(std::string_view seed);

/// The stream key sealed in a backup's header, opened with the team's key pair. Error::invalid
/// (backup_key_mismatch) when the pair is not the one it was sealed to.
Result<std::string> open_stream_key(std::string_view sealed_key, const BackupKeyPair& keys);

}  // namespace berth::backup
