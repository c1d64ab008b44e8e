#pragma once
// A real Caddy for system tests (TESTING.md): `caddy run` with only its admin endpoint on a free
// loopback port and its data and config under the test's directory; the agent configures the
// rest through that admin API, as on a server. Stopped (SIGTERM, then SIGKILL) on destruction.

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace berth::testing {

/// SIGKILLs every process whose command line names a file under `dir`: the edge Caddy an agent
/// started for edge rules outlives the agent by design (docs/edge.md), so a test that made one
/// stops it this way before its directory goes.
void kill_processes_using(const std::filesystem::path& dir);

class CaddyProcess {
 public:
  /// "" when a caddy binary is on PATH; otherwise why the tests cannot run.
  static std::string unavailable_reason();

  /// Starts Caddy with its files under `dir` and waits (at most 20 s) until GET /config/
  /// answers on the admin endpoint; throws std::runtime_error with its log otherwise.
  explicit CaddyProcess(const std::filesystem::path& dir);
  ~CaddyProcess();
  CaddyProcess(const CaddyProcess&) = delete;
  CaddyProcess& operator=(const CaddyProcess&) = delete;

  int admin_port() const { return admin_port_; }
  /// host:port, as the agent's --caddy-admin takes it.
  std::string admin_address() const { return "127.0.0.1:" + std::to_string(admin_port_); }
  /// Caddy's current config (GET /config/), "" when it does not answer.
  std::string config() const;
  std::string log() const;

 private:
  std::filesystem::path dir_;
  int admin_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace berth::testing
