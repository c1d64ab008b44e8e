#pragma once
/// SFTP for the agent's backup jobs, through libcurl's own SFTP (libssh2), loaded with dlopen
/// like S3Client. berth-agent does not link libssh (src/ssh): it would stay mapped in every
/// agent for good, while libcurl is mapped only once a job needs it.
///
/// The same operations as berthd's SftpClient on files of one folder: a streamed put, a get and
/// a remove. A put writes NAME.partial and renames it at the end, so a failed upload never
/// leaves a file under the final name, and creates missing subfolders. The host key must match
/// the pinned SHA-256 fingerprint before any credential is sent; settings without one are
/// refused (a backup job never trusts a key on first sight). A private key reaches libcurl,
/// which takes only a file name, through a memfd: it never touches a disk.
///
/// Errors (code, kind) as SftpClient's: ssh_unreachable (unavailable); host_key_changed
/// (conflict); ssh_auth_failed (invalid); sftp_missing (not_found); sftp_denied
/// (unprocessable); remote_step_failed (unavailable) for anything else.

#include <string>
#include <string_view>

#include "backup/s3_client.hpp"
#include "backup/sftp_settings.hpp"
#include "core/error.hpp"

namespace berth::backup {

class CurlSftp {
 public:
  explicit CurlSftp(SftpSettings settings) : settings_(std::move(settings)) {}

  /// Uploads what `source` gives (file mode 0600) as `name`, a path relative to the folder.
  Result<void> put_stream(std::string_view name, const BodySource& source) const;
  /// Downloads `name` into `sink`.
  Result<void> get(std::string_view name, const BodySink& sink) const;
  /// Removes `name`.
  Result<void> remove(std::string_view name) const;

  /// sftp://host:port/<folder>/<name>, percent-encoded (exposed for tests).
  std::string url_of(std::string_view name) const;

  /// One libcurl transfer (internal; public for libcurl's callbacks).
  struct Transfer;

 private:
  Result<void> perform(Transfer& transfer) const;
  std::string path_of(std::string_view name) const;

  SftpSettings settings_;
};

}  // namespace berth::backup
