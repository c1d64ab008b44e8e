#pragma once
/// The instance's two secret keys: the session key (keyed hashes of session and API tokens) and
/// the master key (seals secrets stored in the database). Loaded once at start-up.

#include <string>

#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/random.hpp"

namespace berth {

/// The key files' names in the data directory.
inline constexpr const char* kSessionKeyFile = "session.key";
inline constexpr const char* kMasterKeyFile = "master.key";

struct InstanceSecrets {
  crypto::Key session_key;
  crypto::Key master_key;
};

/// From the environment (BERTH_SESSION_KEY, BERTH_MASTER_KEY: base64 of exactly 32 bytes) when
/// set, else from <data_dir>/session.key and <data_dir>/master.key, which are generated from
/// `random` on first start and written 0600 (atomically: temp file + rename; open with O_EXCL
/// / mode 0600, never world-readable even for a moment). A key file with a wrong size or bad
/// encoding, or an env var that is malformed, is Error::unavailable with a clear message naming
/// the file/variable (never printing the key). There is no default key anywhere.
///
/// Each key is resolved on its own (one may come from the environment, the other from its file).
/// A variable that is set but empty counts as malformed. A key file holds the 32 raw bytes.
Result<InstanceSecrets> load_or_create_instance_secrets(const std::string& data_dir,
                                                        Random& random);

/// The same keys, the same way, but a missing key file is an unavailable error instead of a
/// new key (for `berthd backup`, which must copy the keys berthd really uses).
Result<InstanceSecrets> load_instance_secrets(const std::string& data_dir);

}  // namespace berth
