#pragma once
/// Deleting a backup's object from its destination (retention, issue 15). The domain names
/// this interface; src/backup implements it over S3Client and SftpClient, and only the composition
/// root sees both. Blocking: call from a worker thread.

#include <string>

#include "core/error.hpp"
#include "domain/backups/destination_probe.hpp"

namespace berth {

class BackupObjectRemover {
 public:
  virtual ~BackupObjectRemover() = default;
  /// Deletes `key` (the full object key, prefix included) from the bucket. An object that is
  /// already gone is success. Errors as S3Client's (s3_unreachable, s3_access_denied, ...).
  virtual Result<void> remove_s3(const S3DestinationTarget& target, const std::string& key) = 0;
  /// Deletes `key` (a path under the folder) from the SFTP server; a file already gone is
  /// success. Errors as SftpClient's (ssh_unreachable, host_key_changed, sftp_denied, ...).
  virtual Result<void> remove_sftp(const SftpDestinationTarget& target, const std::string& key) = 0;
};

}  // namespace berth
