#pragma once
/// DestinationProbe over the network: S3Client (libcurl, loaded by dlopen) and SftpClient
/// (libssh). Each step is timed with the steady clock; a failed step ends the test, and an
/// object already written is still deleted. Stateless; any thread.

#include <chrono>

#include "core/clock.hpp"
#include "domain/backups/backup_object_remover.hpp"
#include "domain/backups/destination_probe.hpp"

namespace berth::backup {

struct NetworkProbeOptions {
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds stall_timeout{30};
};

class NetworkDestinationProbe final : public DestinationProbe {
 public:
  NetworkDestinationProbe(const Clock& clock, NetworkProbeOptions options = {})
      : clock_(clock), options_(options) {}

  ProbeReport probe_s3(const S3DestinationTarget& target, const std::string& object_name,
                       const std::string& content) override;
  ProbeReport probe_sftp(const SftpDestinationTarget& target, const std::string& object_name,
                         const std::string& content) override;

 private:
  const Clock& clock_;
  NetworkProbeOptions options_;
};

/// The S3Settings of a destination target (internal; shared by the probe and the remover).
struct S3Settings;
S3Settings s3_settings(const S3DestinationTarget& target, const NetworkProbeOptions& options);
/// The SftpSettings of a destination target (internal; shared by the probe and the remover).
struct SftpSettings;
SftpSettings sftp_settings(const SftpDestinationTarget& target, const NetworkProbeOptions& options);

/// BackupObjectRemover over S3Client and SftpClient (retention's deletes). Stateless; any thread.
class NetworkBackupObjectRemover final : public BackupObjectRemover {
 public:
  NetworkBackupObjectRemover(const Clock& clock, NetworkProbeOptions options = {})
      : clock_(clock), options_(options) {}

  Result<void> remove_s3(const S3DestinationTarget& target, const std::string& key) override;
  Result<void> remove_sftp(const SftpDestinationTarget& target, const std::string& key) override;

 private:
  const Clock& clock_;
  NetworkProbeOptions options_;
};

}  // namespace berth::backup
