#pragma once
/// The credential file of `berth login`: $XDG_CONFIG_HOME/berth/credentials.json (else
/// ~/.config/berth/), mode 0600 in a 0700 directory, holding named contexts (a berthd URL,
/// the account, its refresh token and the current access token). A file that group or others
/// can read is refused, never used. Written whole to a temporary file and renamed.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace berth::cli {

struct Credential {
  std::string url;
  std::string email = {};
  std::string team = {};  // the default team of this context ("" = the account's personal one)
  std::string refresh_token = {};
  std::string access_token = {};
  long long access_expires_at = 0;  // Unix seconds
};

struct CredentialFile {
  std::string current = {};
  std::map<std::string, Credential> contexts = {};
};

/// The directory holding the credential file.
std::filesystem::path config_dir();
std::filesystem::path credential_path();

/// Reads the file; an absent file is an empty CredentialFile. Fails (unauthenticated, code
/// "insecure_credentials") when the file's mode lets group or others read or write it.
Result<CredentialFile> read_credentials();
/// Writes the file (creating the directory 0700), mode 0600.
Result<void> write_credentials(const CredentialFile& file);

/// An exclusive lock on the credential directory, held while a refresh token is exchanged:
/// two berth processes refreshing the same token at once would make berthd see it reused and
/// revoke the whole sign-in. Released on destruction.
class CredentialLock {
 public:
  CredentialLock();
  ~CredentialLock();
  CredentialLock(const CredentialLock&) = delete;
  CredentialLock& operator=(const CredentialLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace berth::cli
