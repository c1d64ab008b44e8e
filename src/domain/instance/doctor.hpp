#pragma once
/// `berthd doctor` and GET /api/v1/admin/doctor: checks of an installed instance, each with a
/// verdict and, when it is not ok, the fix in one sentence. Every check is a function of what
/// its probes report, so tests stage each failure with fake probes; the real probes (DNS, TCP,
/// TLS, statvfs, SQLite) are berthd's (src/berthd/doctor_probes.*). A probe left unset means
/// that check cannot run here: it is reported as a warning saying so, never as ok.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "store/fleet_records.hpp"

namespace berth {

enum class CheckStatus { ok, warning, error };

const char* check_status_name(CheckStatus status);

struct DoctorCheck {
  std::string name = {};  // stable id: public_url, listen, local_runtime, clock_skew, ...
  CheckStatus status = CheckStatus::ok;
  std::string detail = {};  // what was found
  std::string fix = {};     // one sentence; "" when ok
};

struct DiskSpace {
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;  // to unprivileged users (statvfs f_bavail)
};

struct StoreHealth {
  std::string quick_check = {};  // "ok", or SQLite's first complaints
  int schema_version = 0;        // the newest migration recorded in the store
};

/// What the checks look at; each may be left empty (that check then says it did not run).
struct DoctorProbes {
  std::function<Result<DiskSpace>(const std::string& path)> disk_space = {};
  std::function<Result<StoreHealth>()> store_health = {};
  /// The addresses `host` resolves to (empty: it does not resolve).
  std::function<std::vector<std::string>(const std::string& host)> resolve = {};
  /// This machine's own addresses (its interfaces).
  std::function<std::vector<std::string>()> local_addresses = {};
  /// A TCP connection to host:port within a short timeout; the error says why not.
  std::function<Result<void>(const std::string& host, std::uint16_t port)> connect = {};
  /// A TLS handshake with host:port verified against the system's CA store for `host`.
  std::function<Result<void>(const std::string& host, std::uint16_t port)> verify_tls = {};
  /// Every enrolled server, in any team.
  std::function<Result<std::vector<ServerRecord>>()> servers = {};
  /// This machine's host name (to find the agent that runs beside berthd).
  std::function<std::string()> hostname = {};
};

struct DoctorSettings {
  std::string version = {};      // berthd's
  std::string data_dir = {};     // where the store lives
  std::string public_url = {};   // --public-url, or the URL berthd derived from --listen
  std::string listen_host = {};  // --listen's address (0.0.0.0 / :: are checked on loopback)
  std::uint16_t listen_port = 0;
  std::string smtp_url = {};  // "" when mail is not configured
  int known_schema_version = 0;
  std::chrono::milliseconds max_clock_skew{5000};  // warning above, error above 6x
  /// --local-enrolment-file is set: an agent on this machine is expected (the package).
  bool local_agent_expected = false;
};

/// Disk: error below 2% or 1 GiB free, warning below 10%.
inline constexpr std::uint64_t kMinFreeBytes = std::uint64_t{1} << 30;

DoctorCheck check_public_url(const DoctorSettings& settings, const DoctorProbes& probes);
DoctorCheck check_listen(const DoctorSettings& settings, const DoctorProbes& probes);
DoctorCheck check_local_runtime(const DoctorSettings& settings, const DoctorProbes& probes);
DoctorCheck check_clock_skew(const DoctorSettings& settings, const DoctorProbes& probes);
DoctorCheck check_disk_space(const DoctorSettings& settings, const DoctorProbes& probes);
DoctorCheck check_store_integrity(const DoctorSettings& settings, const DoctorProbes& probes);
DoctorCheck check_migrations(const DoctorSettings& settings, const DoctorProbes& probes);
DoctorCheck check_agent_versions(const DoctorSettings& settings, const DoctorProbes& probes);
DoctorCheck check_smtp(const DoctorSettings& settings, const DoctorProbes& probes);

/// Every check, in the order above. Blocking (DNS, TCP, TLS, the store): seconds at most.
std::vector<DoctorCheck> run_doctor(const DoctorSettings& settings, const DoctorProbes& probes);

/// The worst status among `checks` (ok when empty).
CheckStatus worst_status(const std::vector<DoctorCheck>& checks);

/// The doctor as the API holds it: settings and probes fixed at start.
class InstanceDoctor {
 public:
  InstanceDoctor(DoctorSettings settings, DoctorProbes probes)
      : settings_(std::move(settings)), probes_(std::move(probes)) {}
  std::vector<DoctorCheck> run() const { return run_doctor(settings_, probes_); }
  /// Once berthd knows the port it bound and the URL it derived from it.
  void set_listen(std::string host, std::uint16_t port, std::string public_url);

 private:
  DoctorSettings settings_;
  DoctorProbes probes_;
};

}  // namespace berth
