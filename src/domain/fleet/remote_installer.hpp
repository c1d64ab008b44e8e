#pragma once
/// Adoption over SSH: the one time berthd reaches a server itself. It connects, checks the
/// host key (trust on first use; a changed key is refused), copies berth-agent, enrols it with
/// a fresh install token and starts it. Afterwards the server is reached only through its agent.
/// The domain names this interface; src/ssh implements it with libssh.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth {

struct SshCredentials {
  std::string password = {};     // either this
  std::string private_key = {};  // or this (OpenSSH or PEM text), with an optional passphrase
  std::string passphrase = {};
};

struct AdoptionTarget {
  std::string host;  // a hostname or an IP address
  std::uint16_t port = 22;
  std::string username;
  SshCredentials auth = {};
  /// "SHA256:<base64>" recorded at an earlier adoption; "" trusts the key on first use.
  std::string expected_host_key = {};
};

struct AdoptionPlan {
  std::string agent_binary_path;           // the local berth-agent to copy
  std::string server_url;                  // what the agent dials, e.g. "https://berth.example.com"
  std::string install_token;               // minted for this server's team
  std::string install_dir = "/opt/berth";  // remote: bin/berth-agent, state/ (0700)
};

struct AdoptionReport {
  std::string host_key;       // "SHA256:<base64>" of the server's host key
  std::string host_key_type;  // "ssh-ed25519", ...
  bool systemd = false;       // started as a systemd unit (else detached with setsid)
};

/// A server's SSH host key as seen by a key exchange alone (no credentials sent).
struct HostKeyProbe {
  std::string fingerprint;  // "SHA256:<base64>"
  std::string type;         // "ssh-ed25519", ...
};

/// Progress lines for the adoption job's output ("connecting to 10.0.0.2:22", ...).
using AdoptionProgress = std::function<void(std::string_view line)>;

class RemoteInstaller {
 public:
  virtual ~RemoteInstaller() = default;
  /// Errors: unavailable `ssh_unreachable` (connect/handshake), conflict `host_key_changed`
  /// (details: expected, actual), invalid `ssh_auth_failed`, invalid `invalid_target`,
  /// unprocessable `remote_step_failed` (details: step, exit_status, stderr tail),
  /// unprocessable `canceled` when `cancelled` is set between steps.
  virtual Result<AdoptionReport> adopt(const AdoptionTarget& target, const AdoptionPlan& plan,
                                       const AdoptionProgress& progress,
                                       const std::atomic<bool>& cancelled) = 0;
  /// Connects, completes the key exchange and reports the host key, so that a person can
  /// confirm it before any credential is sent. Errors: unavailable `ssh_unreachable`.
  virtual Result<HostKeyProbe> probe_host_key(const std::string& host, std::uint16_t port) = 0;
};

}  // namespace berth
