#include "berthd/options.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <thread>
#include <vector>

#include "berthd/backup_schedule.hpp"
#include "core/client_address.hpp"

namespace berth {

namespace {

// "127.0.0.1:8080", "0.0.0.0:0", "[::1]:8080" -> address and port.
bool split_listen(const std::string& text, std::string& address, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return false;
  }
  address = text.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || value > 65535) {
    return false;
  }
  port = static_cast<std::uint16_t>(value);
  return true;
}

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

}  // namespace

std::variant<DaemonOptions, int> parse_options(int argc, char** argv, const std::string& version) {
  DaemonOptions options;
  CLI::App app{"berthd — the Berth control plane: REST API, agent gateway and dashboard.",
               "berthd"};
  app.set_version_flag("--version", version);
  app.set_config(
         "--config", "",
         "Read options from this file (TOML or INI: key = value, keys as the flags without --)")
      ->envname("BERTH_CONFIG");

  std::string listen = "127.0.0.1:8080";
  std::string log_format = "text";
  std::string log_level = "info";
  auto threads = static_cast<std::size_t>(std::max(1U, std::thread::hardware_concurrency()));
  double request_timeout = 15;
  double idle_timeout = 60;
  double shutdown_timeout = 10;

  app.add_option("--listen", listen,
                 "Address and port to serve on, ADDR:PORT (port 0: any free port)")
      ->envname("BERTH_LISTEN")
      ->capture_default_str();
  app.add_option("--port-file", options.port_file,
                 "Write the bound port to this file once listening")
      ->envname("BERTH_PORT_FILE");
  app.add_option("--data-dir", options.data_dir,
                 "Directory for berthd's database and files (created 0700)")
      ->envname("BERTH_DATA_DIR")
      ->capture_default_str();
  app.add_option("--threads", threads, "I/O threads (default: one per core)")
      ->envname("BERTH_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--worker-threads", options.server.worker_threads,
                 "Threads for handlers that block on the store or the disk")
      ->envname("BERTH_WORKER_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--log-format", log_format, "Log lines as text (key=value) or json")
      ->envname("BERTH_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "debug, info, warn or error")
      ->envname("BERTH_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--log-file", options.log.file, "Append logs to this file instead of stderr")
      ->envname("BERTH_LOG_FILE");
  app.add_option("--max-body-bytes", options.server.max_body_bytes,
                 "Largest request body accepted (413 above)")
      ->envname("BERTH_MAX_BODY_BYTES")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--max-header-bytes", options.server.max_header_bytes,
                 "Largest request line plus headers accepted (431 above)")
      ->envname("BERTH_MAX_HEADER_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--max-connections", options.server.max_connections,
                 "Open connections served at once (503 above)")
      ->envname("BERTH_MAX_CONNECTIONS")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--request-timeout", request_timeout,
                 "Seconds a client has to send one whole request (408 after)")
      ->envname("BERTH_REQUEST_TIMEOUT")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  app.add_option("--idle-timeout", idle_timeout,
                 "Seconds a kept-alive connection may wait for its next request")
      ->envname("BERTH_IDLE_TIMEOUT")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  app.add_option("--shutdown-timeout", shutdown_timeout,
                 "Seconds in-flight requests get to finish after SIGTERM/SIGINT")
      ->envname("BERTH_SHUTDOWN_TIMEOUT")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  std::string public_url;
  double session_idle_minutes = 30;
  double session_lifetime_hours = 12;
  bool smtp_plaintext = false;
  app.add_option("--public-url", public_url,
                 "The URL users reach berthd at, for links in mail (default: http://<listen>); "
                 "https:// marks the session cookie Secure")
      ->envname("BERTH_PUBLIC_URL");
  app.add_option("--session-idle-timeout", session_idle_minutes,
                 "Minutes of inactivity after which a browser session ends")
      ->envname("BERTH_SESSION_IDLE_TIMEOUT")
      ->check(CLI::Range(1.0, 7.0 * 24 * 60))
      ->capture_default_str();
  app.add_option("--session-lifetime", session_lifetime_hours,
                 "Hours after which a browser session ends, active or not")
      ->envname("BERTH_SESSION_LIFETIME")
      ->check(CLI::Range(0.1, 24.0 * 90))
      ->capture_default_str();
  app.add_option(
         "--rate-limit", options.rate_limits.per_second,
         "Requests per second allowed to each client address and each credential (0: no limit)")
      ->envname("BERTH_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  app.add_option("--rate-burst", options.rate_limits.burst,
                 "Requests allowed in a burst above --rate-limit")
      ->envname("BERTH_RATE_BURST")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  app.add_option("--sign-in-rate-limit", options.rate_limits.sign_in_per_minute,
                 "Sign-in attempts per minute allowed to each client address (0: no limit)")
      ->envname("BERTH_SIGN_IN_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  app.add_option("--sign-in-burst", options.rate_limits.sign_in_burst,
                 "Sign-in attempts allowed in a burst above --sign-in-rate-limit")
      ->envname("BERTH_SIGN_IN_BURST")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  std::vector<std::string> trusted_proxies;
  app.add_option("--trusted-proxy", trusted_proxies,
                 "A reverse proxy's address or network (CIDR; repeat, or comma-separate): its "
                 "X-Forwarded-For or Forwarded names the client for rate limits, lockouts and "
                 "the audit log")
      ->envname("BERTH_TRUSTED_PROXY")
      ->delimiter(',');
  app.add_option("--smtp-url", options.smtp.url,
                 "Mail server for invitations and password resets: smtp://host:587 (STARTTLS) or "
                 "smtps://host:465")
      ->envname("BERTH_SMTP_URL");
  app.add_option("--smtp-from", options.smtp.from, "Sender address of Berth's mail")
      ->envname("BERTH_SMTP_FROM");
  app.add_option("--smtp-username", options.smtp.username, "SMTP user name")
      ->envname("BERTH_SMTP_USERNAME");
  app.add_option("--smtp-password", options.smtp.password,
                 "SMTP password (prefer the environment variable: flags show in ps)")
      ->envname("BERTH_SMTP_PASSWORD");
  app.add_flag("--smtp-allow-plaintext", smtp_plaintext,
               "Send mail without TLS when the server offers none (only for a local relay)")
      ->envname("BERTH_SMTP_ALLOW_PLAINTEXT");
  double heartbeat_seconds = 30;
  double queue_deadline_seconds = 15 * 60;
  app.add_option("--agent-heartbeat", heartbeat_seconds,
                 "Seconds between agent heartbeats; an agent silent for 3 is offline")
      ->envname("BERTH_AGENT_HEARTBEAT")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  app.add_option("--job-queue-deadline", queue_deadline_seconds,
                 "Seconds a job waits for its offline server before it fails")
      ->envname("BERTH_JOB_QUEUE_DEADLINE")
      ->check(CLI::Range(1.0, 7.0 * 24 * 3600))
      ->capture_default_str();
  app.add_option("--agent-binary", options.agent_binary,
                 "The berth-agent served to servers (default: berth-agent beside berthd)")
      ->envname("BERTH_AGENT_BINARY");
  app.add_option("--cli-binary", options.cli_binary,
                 "The berth CLI served at /api/v1/cli/download (default: berth beside berthd)")
      ->envname("BERTH_CLI_BINARY");
  app.add_option("--web-dir", options.web_dir,
                 "Serve the dashboard from this directory (a web/dist), read on every request, "
                 "instead of the copy compiled into berthd: for working on the dashboard")
      ->envname("BERTH_WEB_DIR");
  app.add_flag("--local-agent", options.local_agent,
               "Enrol and run an agent on this machine, so it is the first server")
      ->envname("BERTH_LOCAL_AGENT");
  auto* local_agent_user =
      app.add_option("--local-agent-user", options.local_agent_user,
                     "The system user the local agent runs as when berthd runs as root (created "
                     "if missing, in the docker group when it exists)")
          ->envname("BERTH_LOCAL_AGENT_USER")
          ->capture_default_str();
  app.add_option("--local-enrolment-file", options.local_enrolment_file,
                 "Offer the agent on this machine a one-time install token in this file (0600), "
                 "spent by `berth-agent run --enrol-from FILE`: from the first start, before "
                 "anyone has set the instance up (the Debian package sets it)")
      ->envname("BERTH_LOCAL_ENROLMENT_FILE");
  app.add_flag("--allow-insecure-enrolment", options.fleet.allow_insecure_enrolment,
               "Mint install tokens and adopt servers even when --public-url is plain http:// to a "
               "non-loopback host (tokens and agent credentials then cross the network in clear)")
      ->envname("BERTH_ALLOW_INSECURE_ENROLMENT");
  std::string backup_daily_at;
  app.add_option("--backup-daily-at", backup_daily_at,
                 "Back up this instance every day at HH:MM UTC into --backup-dir (a run missed "
                 "while berthd was down is made up at start)")
      ->envname("BERTH_BACKUP_DAILY_AT");
  app.add_option("--backup-dir", options.backup_schedule.directory,
                 "Directory for the scheduled backups (created 0700), or s3://bucket/prefix "
                 "(settings in the environment, as for backup --to)")
      ->envname("BERTH_BACKUP_DIR");
  app.add_option("--backup-keep", options.backup_schedule.keep,
                 "Scheduled backups of this instance kept in --backup-dir (older ones deleted)")
      ->envname("BERTH_BACKUP_KEEP")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}))
      ->capture_default_str();
  app.add_option("--backup-passphrase-file", options.backup_schedule.passphrase_file,
                 "The scheduled backups' passphrase, from this owner-only file (else "
                 "BERTH_BACKUP_PASSPHRASE)")
      ->envname("BERTH_BACKUP_PASSPHRASE_FILE");
  app.add_flag("--print-openapi", options.print_openapi, "Print the OpenAPI document and exit");

  std::string reset_email;
  auto* reset = app.add_subcommand(
      "reset-password",
      "Set an account's password on this host (the last administrator locked out): reads the "
      "new password from standard input, revokes every session of the account, and exits");
  reset->add_option("--data-dir", options.data_dir, "berthd's data directory")
      ->envname("BERTH_DATA_DIR");
  reset->add_option("email", reset_email, "The account's email")->required();

  BackupCommandOptions backup_options;
  auto* backup = app.add_subcommand(
      "backup",
      "Write an encrypted backup of this instance (a consistent copy of the store, taken while "
      "berthd may be running, and the instance keys) to one file, then exit. The passphrase "
      "comes from --passphrase-file, BERTH_BACKUP_PASSPHRASE or a prompt; see docs/backups.md");
  backup
      ->add_option("--to", backup_options.file,
                   "The backup file to write (mode 0600, replaced atomically), or "
                   "s3://bucket/key with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
                   "optionally AWS_REGION, AWS_ENDPOINT_URL in the environment")
      ->required();
  backup->add_option("--data-dir", options.data_dir, "berthd's data directory")
      ->envname("BERTH_DATA_DIR")
      ->capture_default_str();
  backup->add_option("--passphrase-file", backup_options.passphrase_file,
                     "Read the passphrase from this file (first line; it must not be readable "
                     "by group or others)");
  BackupCommandOptions restore_options;
  auto* restore = app.add_subcommand(
      "restore",
      "Restore a backup written by `berthd backup` into a data directory (new or empty), then "
      "exit; start berthd on it at the same URL and the agents reconnect by themselves");
  restore
      ->add_option("--from", restore_options.file,
                   "The backup file to read, or s3://bucket/key (settings as for backup --to)")
      ->required();
  restore->add_option("--data-dir", options.data_dir, "The data directory to restore into")
      ->required();
  restore->add_option("--passphrase-file", restore_options.passphrase_file,
                      "Read the passphrase from this file (first line; it must not be readable "
                      "by group or others)");
  restore->add_flag("--force", restore_options.force,
                    "Restore into a data directory that is not empty, replacing its store and "
                    "keys (stop the berthd using it first)");

  auto* backup_store = app.add_subcommand(
      "backup-store",
      "Write a consistent copy of the store (SQLite's online backup, safe while berthd runs) as "
      "a plain SQLite file, mode 0600, then exit. Not encrypted and without the keys: for "
      "keeping beside the data on this machine, as the package does before an upgrade");
  backup_store->add_option("--to", options.backup_store_to, "The file to write")->required();
  const auto add_data_dir = [&options](CLI::App* command) {
    command->add_option("--data-dir", options.data_dir, "berthd's data directory")
        ->envname("BERTH_DATA_DIR")
        ->capture_default_str();
  };
  add_data_dir(backup_store);
  auto* migrate = app.add_subcommand(
      "migrate",
      "Apply the store's pending migrations and exit (berthd also does this when it starts); "
      "refuses a store newer than this berthd");
  add_data_dir(migrate);

  auto* doctor = app.add_subcommand(
      "doctor",
      "Check this installation and say how to fix what is wrong: the public URL's DNS and "
      "certificate, the listen port, Docker beside berthd, agents' clocks and versions, disk "
      "space, the store's integrity and migrations, the mail server. Reads the same config "
      "(--config before the subcommand); exits 0 when all is ok, 2 on warnings, 1 on errors");
  add_data_dir(doctor);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  options.local_agent_user_given = local_agent_user->count() > 0;
  if (reset->parsed()) {
    options.reset_password_email = reset_email;
  }
  if (backup->parsed()) {
    options.backup = backup_options;
  }
  if (restore->parsed()) {
    options.restore = restore_options;
  }
  options.migrate = migrate->parsed();
  options.doctor = doctor->parsed();
  if (!backup_store->parsed()) {
    options.backup_store_to.clear();
  }
  if (!backup_daily_at.empty()) {
    options.backup_schedule.daily_at = parse_daily_time(backup_daily_at);
    if (!options.backup_schedule.daily_at) {
      fmt::print(stderr, "--backup-daily-at: expected HH:MM (UTC, 00:00 to 23:59), got {}\n",
                 backup_daily_at);
      return 2;
    }
    if (options.backup_schedule.directory.empty()) {
      fmt::print(stderr, "--backup-daily-at needs --backup-dir\n");
      return 2;
    }
  }
  if (!split_listen(listen, options.server.address, options.server.port)) {
    fmt::print(stderr, "--listen: expected ADDR:PORT, got {}\n", listen);
    return 2;
  }
  for (std::string_view text : trusted_proxies) {
    text.remove_prefix(std::min(text.find_first_not_of(' '), text.size()));
    text.remove_suffix(text.size() - std::min(text.find_last_not_of(' ') + 1, text.size()));
    auto cidr = parse_cidr(text);
    if (!cidr) {
      fmt::print(stderr, "--trusted-proxy: {}\n", cidr.error().message);
      return 2;
    }
    options.server.trusted_proxies.push_back(*cidr);
  }
  options.server.io_threads = threads;
  options.server.request_timeout = seconds_to_ms(request_timeout);
  options.server.idle_timeout = seconds_to_ms(idle_timeout);
  options.server.shutdown_timeout = seconds_to_ms(shutdown_timeout);
  log::parse_format(log_format, options.log.format);
  log::parse_level(log_level, options.log.level);

  // The agent and the CLI are built and installed beside berthd.
  std::error_code ignored;
  const auto beside_berthd = std::filesystem::read_symlink("/proc/self/exe", ignored).parent_path();
  if (options.agent_binary.empty()) {
    options.agent_binary = (beside_berthd / "berth-agent").string();
  }
  if (options.cli_binary.empty()) {
    options.cli_binary = (beside_berthd / "berth").string();
  }
  options.fleet.heartbeat_interval = seconds_to_ms(heartbeat_seconds);
  options.fleet.queue_deadline = std::chrono::seconds(std::llround(queue_deadline_seconds));
  options.public_url_given = !public_url.empty();
  if (public_url.empty()) {
    const std::string& address = options.server.address;
    const std::string host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
    public_url = fmt::format("http://{}:{}", host, options.server.port);
  }
  while (public_url.ends_with('/')) {
    public_url.pop_back();
  }
  if (!public_url.starts_with("http://") && !public_url.starts_with("https://")) {
    fmt::print(stderr, "--public-url: expected http://… or https://…, got {}\n", public_url);
    return 2;
  }
  options.public_url = public_url;
  options.identity.session_idle = std::chrono::seconds(std::llround(session_idle_minutes * 60));
  options.identity.session_absolute =
      std::chrono::seconds(std::llround(session_lifetime_hours * 3600));
  options.smtp.require_tls = !smtp_plaintext;
  if (!options.smtp.url.empty() && options.smtp.from.empty()) {
    fmt::print(stderr, "--smtp-url needs --smtp-from\n");
    return 2;
  }
  return options;
}

}  // namespace berth
