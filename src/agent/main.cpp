// berth-agent: the composition root of the agent. The only file that names the host probes
// (metrics, Docker) next to the connection and the executors.

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "agent/agent_connection.hpp"
#include "agent/enroll.hpp"
#include "agent/exec_job.hpp"
#include "agent/host/backup_job.hpp"
#include "agent/host/certificate_job.hpp"
#include "agent/host/docker_jobs.hpp"
#include "agent/host/git_job.hpp"
#include "agent/host/http_probe.hpp"
#include "agent/host/metrics.hpp"
#include "agent/host/proxy_job.hpp"
#include "agent/local_enrol.hpp"
#include "agent/self_upgrade.hpp"
#include "agent/state_file.hpp"
#include "agent/upgrade_job.hpp"
#include "core/log.hpp"
#include "core/memory_trim.hpp"

namespace {

constexpr std::string_view kDefaultDockerSocket = "/var/run/docker.sock";
// Tests of upgrades: the version this process reports instead of its own. Dropped when the
// agent starts its new binary, which reports the version it was built with.
constexpr const char* kVersionOverrideEnv = "BERTH_AGENT_VERSION_OVERRIDE";
// Tests of berthd doctor's clock check: milliseconds this agent's clock reads off the machine's,
// as on a machine whose clock drifted. (libfaketime would do it from outside, but it crashes
// under AddressSanitizer, which the tested build has.)
constexpr const char* kClockOffsetEnv = "BERTH_AGENT_CLOCK_OFFSET_MS";

struct RunFlags {
  std::string state_dir;
  std::optional<std::int64_t> heartbeat_ms;
  std::optional<std::int64_t> first_flush_ms;
  std::string docker_socket{kDefaultDockerSocket};
  std::string work_dir;  // "" means <state_dir>/work
  std::string caddy_admin = "127.0.0.1:2019";
  std::string upstream_dns = "127.0.0.1:0";
  std::string caddy_binary = {};
  std::string enrol_from = {};  // berthd's offer file, for the agent on berthd's machine
  std::int64_t released_start_pages_kb = {};  // by main, for the start line of the log
  std::string executable = {};                // resolved by main before anything can replace it
};

std::chrono::milliseconds clock_offset() {
  const char* text = std::getenv(kClockOffsetEnv);
  if (text == nullptr || *text == '\0') {
    return std::chrono::milliseconds(0);
  }
  char* end = nullptr;
  errno = 0;
  const long long offset = std::strtoll(text, &end, 10);
  // A year either way at most: anything else is a typo, not a drift.
  constexpr long long kYearMs = 366LL * 24 * 3600 * 1000;
  if (errno != 0 || *end != '\0' || offset < -kYearMs || offset > kYearMs) {
    fmt::print(stderr, "berth-agent: ignoring {}={}: not milliseconds within a year\n",
               kClockOffsetEnv, text);
    return std::chrono::milliseconds(0);
  }
  return std::chrono::milliseconds(offset);
}

std::string running_version() {
  const char* override_version = std::getenv(kVersionOverrideEnv);
  return override_version != nullptr && *override_version != '\0' ? override_version
                                                                  : BERTH_VERSION;
}

std::map<std::string, berth::agent::Executor> make_executors(
    const RunFlags& flags, std::shared_ptr<berth::agent::host::ProxyKeeper> proxy) {
  using namespace berth::agent;
  std::map<std::string, Executor> executors;
  executors["exec"] = [](JobContext& job) { return run_exec_job(job); };
  for (const auto& kind : host::docker_job_kinds()) {
    executors[kind] = [flags](JobContext& job) {
      return host::run_docker_job(job, flags.docker_socket, flags.work_dir);
    };
  }
  for (const auto& kind : host::backup_job_kinds()) {
    executors[kind] = [flags](JobContext& job) {
      return host::run_backup_job(job, flags.docker_socket);
    };
  }
  executors["git.fetch"] = [flags](JobContext& job) {
    return host::run_git_fetch(
        job, {.work_dir = flags.work_dir, .state_dir = flags.state_dir, .git_program = {}});
  };
  executors["http.probe"] = [](JobContext& job) { return host::run_http_probe(job); };
  executors["proxy.apply"] = [proxy](JobContext& job) { return proxy->apply(job); };
  executors["proxy.certificates"] = [proxy](JobContext& job) {
    return host::run_proxy_certificates(job, proxy->tls_log());
  };
  return executors;
}

int run(RunFlags flags) {
  using namespace berth::agent;
  const std::string& state_dir = flags.state_dir;
  const std::string& docker_socket = flags.docker_socket;
  if (!flags.enrol_from.empty() &&
      !enrol_from_offer(flags.enrol_from, state_dir, host::machine_facts())) {
    return 0;  // stopped while waiting
  }
  auto state = read_agent_state(state_dir);
  if (!state) {
    fmt::print(stderr, "berth-agent: {}\n", state.error().message);
    return kExitFailed;
  }
  if (auto prepared = prepare_state_dir(state_dir); !prepared) {
    fmt::print(stderr, "berth-agent: {}\n", prepared.error().message);
    return kExitFailed;
  }
  if (flags.work_dir.empty()) {
    flags.work_dir = state_dir + "/work";
  }
  if (auto prepared = prepare_state_dir(flags.work_dir, 0700); !prepared) {
    fmt::print(stderr, "berth-agent: {}\n", prepared.error().message);
    return kExitFailed;
  }
  // Caddy may have restarted while the agent was away: it gets the last table back now. The
  // upstream DNS answers from here on, before the connection to berthd: Caddy's lookups of
  // the routed apps depend on it.
  std::shared_ptr<host::ProxyKeeper> proxy;
  try {
    proxy =
        std::make_shared<host::ProxyKeeper>(host::ProxyOptions{.admin_address = flags.caddy_admin,
                                                               .state_dir = state_dir,
                                                               .dns_address = flags.upstream_dns,
                                                               .caddy_binary = flags.caddy_binary,
                                                               .docker_socket = docker_socket});
  } catch (const std::runtime_error& error) {
    fmt::print(stderr, "berth-agent: upstream DNS: {}\n", error.what());
    return kExitFailed;
  }
  proxy->restore();
  // The sampler keeps the previous CPU snapshot, so it lives as long as the agent.
  auto sampler = std::make_shared<host::MetricsSampler>();
  const std::string version = running_version();
  auto restart = std::make_shared<RestartRequest>();
  auto executors = make_executors(flags, proxy);
  executors["agent.upgrade"] = [upgrade = UpgradeSettings{.executable = flags.executable,
                                                          .state = *state,
                                                          .running_version = version,
                                                          .restart = restart}](JobContext& job) {
    return run_agent_upgrade(job, upgrade);
  };
  RunOptions options{.state = std::move(*state),
                     .state_dir = state_dir,
                     .agent_version = version,
                     .facts = host::machine_facts(),
                     .executors = std::move(executors),
                     .sample =
                         [sampler, docker_socket, proxy] {
                           // The Caddy check may block: it runs on the keeper's thread, and
                           // its event goes out with a later heartbeat.
                           proxy->check_async();
                           HeartbeatSample sample{.docker = host::docker_status(docker_socket),
                                                  .metrics = sampler->sample(),
                                                  .events = proxy->take_events()};
                           // berthd doctor's local_runtime reads it (docs/protocol.md).
                           if (auto caddy = proxy->caddy_status(); !caddy.is_null()) {
                             sample.docker["caddy"] = std::move(caddy);
                           }
                           // The protocol carries container counts among the metrics.
                           if (auto it = sample.docker.find("containers");
                               it != sample.docker.end()) {
                             sample.metrics["containers"] = std::move(*it);
                             sample.docker.erase("containers");
                           }
                           return sample;
                         },
                     .heartbeat_override = {},
                     .restart = restart,
                     .clock_offset = clock_offset()};
  if (flags.heartbeat_ms) {
    options.heartbeat_override = std::chrono::milliseconds(*flags.heartbeat_ms);
  }
  if (flags.first_flush_ms) {
    options.first_flush_delay = std::chrono::milliseconds(*flags.first_flush_ms);
  }
  berth::log::info("agent.start", {{"version", std::string_view(version)},
                                   {"released_start_pages_kb", flags.released_start_pages_kb},
                                   {"server", std::string_view(options.state.server_url)},
                                   {"server_id", std::string_view(options.state.server_id)}});
  // Output bursts and builds come and go: give the freed heap back.
  const berth::MemoryTrimmer trimmer(std::chrono::seconds(10));
  const int code = run_agent(std::move(options));
  if (code == kExitRestart) {
    proxy->keep_dns_across_exec();  // the next binary answers Caddy on the same socket
  }
  berth::log::info("agent.exit", {{"code", std::int64_t{code}}});
  berth::log::flush();
  if (code == kExitRefused) {
    fmt::print(stderr,
               "berth-agent: berthd will not take this agent any more (token revoked or server "
               "deleted); enroll again with a new install token\n");
  }
  return code;
}

// After an upgrade: the new binary at the same path, with the same arguments, in this process
// (systemd's unit or not, the PID stays). Returns only when exec failed: then the exit code
// makes the unit (Restart=always) start it instead.
int restart_self(const std::string& executable, char** argv) {
  ::unsetenv(kVersionOverrideEnv);
  berth::log::flush();
  ::execv(executable.c_str(), argv);
  fmt::print(stderr, "berth-agent: cannot start the new binary {}: {}\n", executable,
             std::strerror(errno));
  return berth::agent::kExitRestart;
}

}  // namespace

int main(int argc, char** argv) {
  // While the agent has one thread (logging starts a flusher): what the loader read at start
  // (libcrypto's symbol and relocation tables even over ws://, which never uses them) leaves
  // RSS; the pages the agent does use come back on their next touch.
  const auto released_kb = berth::release_clean_file_pages();
  // Before anything can rename a new binary over it (then /proc/self/exe names a deleted file).
  const std::string executable = berth::agent::current_executable_path();
  berth::limit_malloc_arenas(2);
  // A write to a closed pipe or socket is an error value, never a signal that kills the agent.
  std::signal(SIGPIPE, SIG_IGN);
  berth::log::init_logging(
      {.format = berth::log::Format::text, .level = berth::log::Level::info, .file = {}});

  CLI::App app{"berth-agent: runs Berth's jobs on this server"};
  app.require_subcommand(1);

  berth::agent::EnrollOptions enroll;
  auto* enroll_cmd = app.add_subcommand("enroll", "Register this server with berthd");
  enroll_cmd->add_option("--server", enroll.server_url, "berthd's URL (http:// or https://)")
      ->required();
  enroll_cmd->add_option("--install-token", enroll.install_token, "One-time install token")
      ->required();
  enroll_cmd->add_option("--state-dir", enroll.state_dir, "Where agent.json is written")
      ->required();
  enroll_cmd->add_option("--ca-file", enroll.ca_file, "PEM bundle to verify berthd with")
      ->check(CLI::ExistingFile);
  enroll_cmd->add_option("--insecure-pin-sha256", enroll.pin_hex,
                         "Trust only a certificate with this SHA-256 (hex)");

  RunFlags flags;
  auto* run_cmd = app.add_subcommand("run", "Connect to berthd and run jobs until stopped");
  run_cmd->add_option("--state-dir", flags.state_dir, "The directory given to enroll")->required();
  run_cmd
      ->add_option("--heartbeat-override-ms", flags.heartbeat_ms,
                   "Heartbeat interval instead of berthd's (tests)")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{3'600'000}));
  run_cmd
      ->add_option("--output-first-flush-ms", flags.first_flush_ms,
                   "How soon a job's output after a quiet spell is sent (default 2; output that "
                   "keeps coming goes once per 50 ms)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{50}));
  run_cmd->add_option("--docker-socket", flags.docker_socket, "Docker Engine API socket");
  run_cmd->add_option("--work-dir", flags.work_dir,
                      "Where git checkouts and build contexts live (default <state-dir>/work)");
  run_cmd->add_option("--caddy-admin", flags.caddy_admin,
                      "Caddy's admin API address, ip:port (default 127.0.0.1:2019)");
  run_cmd->add_option("--caddy-binary", flags.caddy_binary,
                      "The caddy binary the agent starts its edge Caddy with, for apps with edge "
                      "rules (default: caddy on PATH)");
  run_cmd->add_option("--upstream-dns", flags.upstream_dns,
                      "UDP ip:port where the agent answers Caddy's upstream SRV lookups (default "
                      "127.0.0.1:0: the previous run's port if free, else any)");

  run_cmd->add_option("--enrol-from", flags.enrol_from,
                      "Not enrolled yet: wait for berthd on this machine to offer an install "
                      "token in this file (its --local-enrolment-file), enrol with it, then run");

  app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);

  if (enroll_cmd->parsed()) {
    enroll.facts = berth::agent::host::machine_facts();
    return berth::agent::enroll(enroll);
  }
  if (run_cmd->parsed()) {
    flags.released_start_pages_kb = static_cast<std::int64_t>(released_kb);
    flags.executable = executable;
    const int code = run(std::move(flags));
    return code == berth::agent::kExitRestart ? restart_self(executable, argv) : code;
  }
  fmt::print("berth-agent {}\n", running_version());
  return 0;
}
