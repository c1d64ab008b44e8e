#pragma once
/// RemoteInstaller over libssh: connects, checks the host key before authenticating, probes
/// the machine, copies berth-agent over SFTP, enrols it and starts it (a systemd unit when
/// connected as root to a systemd host, otherwise a detached process). adopt() blocks for the
/// whole adoption: call it from a worker thread. Instances hold no state between calls and may
/// be shared by threads.

#include <chrono>
#include <string>

#include "domain/fleet/remote_installer.hpp"

namespace berth::ssh {

struct LibsshInstallerOptions {
  std::chrono::seconds connect_timeout{10};
  /// Upper bound for each remote command (enrolment included); a step that overruns fails.
  std::chrono::seconds command_timeout{120};
  /// The architecture the agent binary was built for, as `uname -m` prints it; "" means this
  /// machine's (the agent is the same build as berthd).
  std::string local_arch = {};
};

class LibsshInstaller final : public RemoteInstaller {
 public:
  explicit LibsshInstaller(LibsshInstallerOptions options = {});

  Result<AdoptionReport> adopt(const AdoptionTarget& target, const AdoptionPlan& plan,
                               const AdoptionProgress& progress,
                               const std::atomic<bool>& cancelled) override;
  Result<HostKeyProbe> probe_host_key(const std::string& host, std::uint16_t port) override;

 private:
  LibsshInstallerOptions options_;
};

}  // namespace berth::ssh
