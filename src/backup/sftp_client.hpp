#pragma once
/// The SFTP side of backups, the same shape as S3Client: put (whole or streamed), get, remove
/// of one file in a folder, over libssh (src/ssh's SshSession). connect() checks the host key
/// against a pinned fingerprint before any credential is sent. Blocking: call from a worker
/// thread; one thread at a time per client.
///
/// Errors: ssh_unreachable (unavailable); host_key_changed (conflict, details: expected,
/// actual); ssh_auth_failed (invalid); sftp_missing (not_found: no such file or folder),
/// sftp_denied (unprocessable: permission denied), remote_step_failed for anything else.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backup/s3_client.hpp"
#include "backup/sftp_settings.hpp"
#include "core/error.hpp"
#include "ssh/ssh_session.hpp"

namespace berth::backup {

class SftpClient {
 public:
  /// Connects, checks the host key, authenticates.
  static Result<SftpClient> connect(const SftpSettings& settings);

  /// The host key seen at connect ("SHA256:<base64>").
  const std::string& host_key() const { return host_key_; }

  Result<void> put(std::string_view name, std::string_view body);
  Result<void> put_stream(std::string_view name, const BodySource& source);
  Result<void> get(std::string_view name, const BodySink& sink);
  Result<std::string> get_small(std::string_view name, std::size_t limit);
  Result<void> remove(std::string_view name);

 private:
  SftpClient(ssh::SshSession session, std::string folder, std::string host_key)
      : session_(std::move(session)), folder_(std::move(folder)), host_key_(std::move(host_key)) {}
  std::string path_of(std::string_view name) const;

  ssh::SshSession session_;
  std::string folder_;
  std::string host_key_;
};

/// The client error for a failed SFTP step (by libssh's SFTP status in details.sftp_error).
Error sftp_error(Error error);

}  // namespace berth::backup
