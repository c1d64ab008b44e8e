#pragma once
/// DestinationProbe over the network: S3Client (libcurl, loaded by dlopen) and SftpClient
/// (libssh). Each step is timed with the steady clock; a failed step ends the test, and an
/// object already written is still deleted. Stateless; any thread.

#include <chrono>

#include "core/clock.hpp"
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

}  // namespace berth::backup
