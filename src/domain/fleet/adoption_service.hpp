#pragma once
/// Adopting a server over SSH (POST /servers): a server row in `adopting`, a job `ssh.adopt`
/// that berthd runs itself on a thread of its own — connect, check the host key (trust on
/// first use; a changed key is refused), copy and enrol the agent with an install token bound
/// to that server, start it — with its progress as the job's output. SSH is used only here.
/// Credentials are dropped after the adoption unless the user asks to keep them (then sealed).
/// Both adopt and readopt are refused (`insecure_enrolment`) while the public URL the agent
/// would enrol over is plain http:// to a non-loopback host (EnrolmentService).

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "core/error.hpp"
#include "domain/fleet/enrolment_service.hpp"
#include "domain/fleet/job_service.hpp"
#include "domain/fleet/remote_installer.hpp"

namespace berth {

struct AdoptionRequest {
  std::string name;
  std::string host;
  std::int64_t port = 22;
  std::string username;
  SshCredentials auth = {};
  bool keep_credentials = false;
  std::string install_dir = "/opt/berth";
  /// "SHA256:<base64>" the person confirmed (from probe_host_key); the adoption refuses any
  /// other key before a credential is sent. "" trusts the first key seen.
  std::string host_key = {};
};

struct AdoptionSettings {
  std::string agent_binary_path;  // the berth-agent berthd copies
};

struct AdoptionStarted {
  ServerRecord server;
  JobRecord job;
};

class AdoptionService {
 public:
  AdoptionService(FleetContext& ctx, EnrolmentService& enrolment, JobService& jobs, AgentHub& hub,
                  RemoteInstaller* installer, AdoptionSettings settings);
  ~AdoptionService();
  AdoptionService(const AdoptionService&) = delete;
  AdoptionService& operator=(const AdoptionService&) = delete;

  /// Admin; audited. Creates the server and starts the adoption job (202).
  Result<AdoptionStarted> adopt(const Principal& who, std::string_view team_id,
                                const AdoptionRequest& request, const ClientInfo& client);
  /// Admin. Connects to host:port, completes the SSH key exchange and reports the host key
  /// without sending any credential, so a person can confirm it before adopt(). Blocks for up
  /// to the connect timeout.
  Result<HostKeyProbe> probe_host_key(const Principal& who, std::string_view team_id,
                                      const std::string& host, std::int64_t port);
  /// Admin; audited. Adopts an existing server again (a failed adoption, a reinstalled
  /// agent) with new credentials or the kept ones; the recorded host key must match.
  Result<AdoptionStarted> readopt(const Principal& who, std::string_view team_id,
                                  std::string_view server_id,
                                  std::optional<SshCredentials> credentials,
                                  const ClientInfo& client);
  /// At start-up: adoptions that were running when berthd stopped are lost.
  Result<void> settle_interrupted();
  /// Waits for running adoptions (they see the cancel flag between steps).
  void shutdown();

 private:
  void run(ServerRecord server, JobRecord job, AdoptionTarget target, std::string install_dir);
  void start(ServerRecord server, JobRecord job, AdoptionTarget target, std::string install_dir);

  FleetContext& ctx_;
  EnrolmentService& enrolment_;
  JobService& jobs_;
  AgentHub& hub_;
  RemoteInstaller* installer_;
  AdoptionSettings settings_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::list<std::thread> threads_;
};

/// Error::validation for a bad host, port, username, install_dir, host_key, or credentials
/// that are neither a password nor a private key.
Result<void> check_adoption_request(const AdoptionRequest& request);

}  // namespace berth
