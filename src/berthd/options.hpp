#pragma once
/// berthd's command line, environment (BERTH_*) and config file. Precedence, highest first:
/// flags, the config file, the environment, the defaults.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>

#include "api/access_gate.hpp"
#include "core/log.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/identity/identity_context.hpp"
#include "http/server.hpp"
#include "notify/smtp_mailer.hpp"

namespace berth {

/// `berthd backup --to FILE` / `berthd restore --from FILE`.
struct BackupCommandOptions {
  std::string file = {};             // --to (backup) or --from (restore)
  std::string passphrase_file = {};  // else BERTH_BACKUP_PASSPHRASE, else the terminal
  bool force = false;                // restore: into a non-empty data directory
};

/// berthd's own backup on a schedule (backup_schedule.hpp); off unless daily_at is set.
struct BackupScheduleSettings {
  std::optional<std::chrono::minutes> daily_at = {};  // --backup-daily-at HH:MM (UTC)
  std::string directory = {};                         // --backup-dir
  std::size_t keep = 7;                               // --backup-keep
  std::string passphrase_file = {};  // --backup-passphrase-file, else BERTH_BACKUP_PASSPHRASE
};

struct DaemonOptions {
  http::ServerOptions server;
  std::string port_file;
  std::string data_dir = "./data";
  log::Options log;
  bool print_openapi = false;
  IdentityPolicy identity;  // session lifetimes, lockout
  api::RateLimits rate_limits;
  SmtpOptions smtp;               // smtp.url empty: no mail; invitation links go to the inviter
  FleetPolicy fleet;              // heartbeat interval, install token lifetime, job deadlines
  std::string public_url;         // links, install commands, what agents dial; no trailing /
  bool public_url_given = false;  // else the URL follows the bound port (known after listen)
  std::string agent_binary;       // served at /api/v1/agent/download and copied by adoption
  std::string cli_binary;         // served at /api/v1/cli/download
  std::string web_dir;       // serve the dashboard from here, read per request (else: compiled in)
  bool local_agent = false;  // enrol and run an agent on this machine (make run)
  std::string local_agent_user = "berth-agent";  // who it runs as when berthd is root
  bool local_agent_user_given = false;           // named by the operator
  /// Where berthd offers the agent on its machine an install token (local_enrolment.hpp).
  std::string local_enrolment_file = {};
  /// `berthd reset-password EMAIL`: set that account's password on the host, then exit.
  std::optional<std::string> reset_password_email;
  BackupScheduleSettings backup_schedule = {};
  std::optional<BackupCommandOptions> backup = {};   // `berthd backup`: write one, then exit
  std::optional<BackupCommandOptions> restore = {};  // `berthd restore`: restore one, then exit
  std::string backup_store_to = {};  // `berthd backup-store --to FILE`: plain store copy, exit
  bool migrate = false;              // `berthd migrate`: apply the store's migrations, exit
  bool doctor = false;               // `berthd doctor`: check this installation, exit
};

/// Parsed options, or the exit code to end with (after --help, --version or a bad option,
/// which have already been reported).
std::variant<DaemonOptions, int> parse_options(int argc, char** argv, const std::string& version);

}  // namespace berth
