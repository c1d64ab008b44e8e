// berthd: the composition root. The only file that names concrete implementations.

#include <fmt/format.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/access_gate.hpp"
#include "api/idempotency_gate.hpp"
#include "api/routes.hpp"
#include "api/services.hpp"
#include "backup/destination_probe.hpp"
#include "berthd/backup_command.hpp"
#include "berthd/backup_schedule.hpp"
#include "berthd/backup_target.hpp"
#include "berthd/data_dir.hpp"
#include "berthd/doctor_probes.hpp"
#include "berthd/instance_secrets.hpp"
#include "berthd/local_agent.hpp"
#include "berthd/local_enrolment.hpp"
#include "berthd/options.hpp"
#include "berthd/reset_password.hpp"
#include "berthd/store_command.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/memory_trim.hpp"
#include "core/random.hpp"
#include "core/ticker.hpp"
#include "domain/instance/instance_service.hpp"
#include "domain/routing/panel_route.hpp"
#include "http/openapi.hpp"
#include "http/server.hpp"
#include "http/site_sources.hpp"
#include "notify/smtp_mailer.hpp"
#include "ssh/libssh_installer.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

// On a fresh instance: a one-time setup token, written 0600 where only the operator can read
// it, so a stranger who reaches the instance first cannot claim it.
struct SetupToken {
  std::string path;
  std::string token;  // "" when the instance is already set up
};

berth::Result<SetupToken> announce_setup_token(berth::SignInService& sign_in,
                                               const std::string& data_dir) {
  using namespace berth;
  auto token = sign_in.prepare_setup();
  if (!token) {
    return fail(std::move(token.error()));
  }
  SetupToken out{.path = (std::filesystem::path(data_dir) / "setup-token").string(), .token = {}};
  if (!*token) {
    std::error_code ignored;
    std::filesystem::remove(out.path, ignored);
    return out;
  }
  out.token = **token;
  if (auto written = write_private_file(out.path, out.token + "\n"); !written) {
    return fail(std::move(written.error()));
  }
  return out;
}

// The dashboard's files: --web-dir when given (read per request, for web development), else
// the copy compiled in; null when the build had none, and / then says so.
berth::Result<std::unique_ptr<berth::http::SiteSource>> open_dashboard(const std::string& web_dir) {
  using namespace berth;
  if (!web_dir.empty()) {
    auto directory = http::DirectorySite::open(web_dir);
    if (!directory) {
      return fail(std::move(directory.error()));
    }
    log::info("berthd.dashboard", {{"source", "directory"}, {"web_dir", web_dir}});
    return std::unique_ptr<http::SiteSource>(std::move(*directory));
  }
  const auto files = http::embedded_files();
  log::info("berthd.dashboard",
            {{"source", "compiled in"}, {"files", static_cast<std::int64_t>(files.size())}});
  if (files.empty()) {
    return std::unique_ptr<http::SiteSource>();
  }
  return std::unique_ptr<http::SiteSource>(std::make_unique<http::EmbeddedSite>(files));
}

// Every agent holds a connection: use as many descriptors as the operator's hard limit allows
// (the soft limit is often 1,024).
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// berthd's own scheduled backup (off unless --backup-daily-at): its passphrase is read now, so
// a missing or unsafe one stops berthd at start rather than failing every night.
berth::Result<std::unique_ptr<berth::BackupScheduler>> make_backup_scheduler(
    const berth::DaemonOptions& options, const std::string& instance_id, const std::string& version,
    berth::Store& store, const berth::Clock& clock) {
  using namespace berth;
  const auto& settings = options.backup_schedule;
  BackupScheduleOptions schedule{.daily_at = settings.daily_at,
                                 .directory = settings.directory,
                                 .keep = settings.keep,
                                 .passphrase = {}};
  if (settings.daily_at) {
    if (settings.passphrase_file.empty() && std::getenv("BERTH_BACKUP_PASSPHRASE") == nullptr) {
      return fail(Error::invalid(
          "--backup-daily-at needs --backup-passphrase-file or BERTH_BACKUP_PASSPHRASE"));
    }
    auto passphrase = read_backup_passphrase(settings.passphrase_file, /*confirm=*/false);
    if (!passphrase) {
      return fail(std::move(passphrase.error()));
    }
    if (passphrase->size() < kMinBackupPassphrase) {
      return fail(Error::invalid(fmt::format(
          "the backup passphrase is too short: use at least {} characters", kMinBackupPassphrase)));
    }
    schedule.passphrase = std::move(*passphrase);
    if (is_s3_target(settings.directory)) {
      // Its credentials now, not at the first run: berthd would otherwise start and fail nightly.
      if (auto s3 = s3_location(scheduled_backup_target(settings.directory, "probe"), ::getenv);
          !s3) {
        return fail(Error::invalid("--backup-dir: " + s3.error().message));
      }
    } else if (auto made = prepare_data_dir(settings.directory); !made) {
      return fail(std::move(made.error()));
    }
  }
  return std::make_unique<BackupScheduler>(std::move(schedule), options.data_dir, instance_id,
                                           version, store, clock);
}

int serve(berth::DaemonOptions& options, const std::string& version) {
  using namespace berth;
  raise_open_file_limit();
  SystemClock clock;
  SodiumRandom random;
  IdGenerator ids(clock, random);

  auto dashboard = open_dashboard(options.web_dir);
  if (!dashboard) {
    fmt::print(stderr, "berthd: --web-dir: {}\n", dashboard.error().message);
    return 1;
  }
  if (auto prepared = prepare_data_dir(options.data_dir); !prepared) {
    fmt::print(stderr, "berthd: {}\n", prepared.error().message);
    return 1;
  }
  auto secrets = load_or_create_instance_secrets(options.data_dir, random);
  if (!secrets) {
    fmt::print(stderr, "berthd: {}\n", secrets.error().message);
    return 1;
  }
  auto opened =
      SqliteStore::open({.path = (std::filesystem::path(options.data_dir) / "berth.db").string()});
  if (!opened) {
    log::error("berthd.store_failed",
               {{"error", opened.error().message}, {"detail", opened.error().internal_detail}});
    fmt::print(stderr, "{}\n",
               store_open_failure(version, options.data_dir, opened.error().message));
    return 1;
  }
  std::unique_ptr<Store> store = std::move(*opened);

  InstanceService instance(*store, clock, ids);
  auto info = instance.initialize();
  if (!info) {
    fmt::print(stderr, "berthd: cannot initialise the instance: {}\n", info.error().message);
    return 1;
  }

  auto backups = make_backup_scheduler(options, info->instance_id, version, *store, clock);
  if (!backups) {
    fmt::print(stderr, "berthd: {}\n", backups.error().message);
    return 1;
  }

  std::optional<LocalAgentOptions> local_agent_options;
  if (options.local_agent) {
    auto prepared = prepare_local_agent({.agent_binary = options.agent_binary,
                                         .data_dir = options.data_dir,
                                         .instance_id = info->instance_id,
                                         .user = options.local_agent_user,
                                         .user_given = options.local_agent_user_given});
    if (!prepared) {
      fmt::print(stderr, "berthd: --local-agent: {}\n", prepared.error().message);
      return 1;
    }
    local_agent_options = std::move(*prepared);
  }

  std::unique_ptr<Mailer> mailer;
  if (!options.smtp.url.empty()) {
    mailer = std::make_unique<SmtpMailer>(options.smtp);
  }
  ServiceContext services{.store = *store,
                          .clock = clock,
                          .random = random,
                          .ids = ids,
                          .session_key = secrets->session_key,
                          .master_key = secrets->master_key,
                          .mailer = mailer.get(),
                          .public_url = options.public_url};
  ssh::LibsshInstaller installer;
  backup::NetworkDestinationProbe destination_probe(clock);
  backup::NetworkBackupObjectRemover backup_remover(clock);
  api::Services built(services,
                      api::ServiceSettings{.identity = options.identity,
                                           .fleet = options.fleet,
                                           .installer = &installer,
                                           .agent_binary = options.agent_binary,
                                           .cli_binary = options.cli_binary,
                                           .version = version,
                                           .destination_probe = &destination_probe,
                                           .doctor = doctor_settings(options, version),
                                           .doctor_probes = machine_doctor_probes(options.data_dir),
                                           .backup_remover = &backup_remover});
  auto& agents = built.agents;
  auto& deployments = built.deployments;
  auto& monitor = built.monitor;
  auto& adoption = built.adoption;
  api::IdentityGate gate(built.access, clock, options.rate_limits);
  api::IdempotencyGate replay_guard(built.idempotency);
  if (auto settled = agents.mark_all_offline("berthd restarted; waiting for the agent"); !settled) {
    fmt::print(stderr, "berthd: {}\n", settled.error().message);
    return 1;
  }
  (void)adoption.settle_interrupted();
  if (auto recovered = deployments.recover(); !recovered) {
    fmt::print(stderr, "berthd: {}\n", recovered.error().message);
    return 1;
  }
  // Service operations a stopped berthd left under way run again from their start.
  built.managed_services.resume();
  built.service_backups.fail_interrupted();
  built.backup_drills.fail_interrupted();

  auto setup_token_file = announce_setup_token(built.sign_in, options.data_dir);
  if (!setup_token_file) {
    fmt::print(stderr, "berthd: {}\n", setup_token_file.error().message);
    return 1;
  }
  std::unique_ptr<LocalAgent> local_agent;
  built.sign_in.on_setup_complete([path = setup_token_file->path, &local_agent] {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    if (local_agent) {
      local_agent->setup_completed();
    }
  });

  api::ApiContext api_context = built.api_context(version);
  api_context.web = dashboard->get();
  http::Router router;
  api::register_routes(router, api_context);
  router.set_access_gate(&gate);
  router.set_replay_guard(&replay_guard);
  options.server.request_id_prefix = fmt::format("req_{}_", random_hex(random, 4));
  options.server.on_shutdown = [&agents] { agents.stopping(); };
  {
    http::Server server(options.server, router);
    const std::uint16_t port = server.listen();
    if (!options.port_file.empty()) {
      if (auto written = write_port_file(options.port_file, port); !written) {
        fmt::print(stderr, "berthd: {}\n", written.error().message);
        return 1;
      }
    }
    const std::string host = options.server.address.find(':') != std::string::npos
                                 ? fmt::format("[{}]", options.server.address)
                                 : options.server.address;
    const std::string url = fmt::format("http://{}:{}", host, port);
    if (!options.public_url_given) {
      // The port may have been chosen at bind time (--listen ADDR:0): agents need the real one.
      services.public_url = url;
    }
    built.doctor.set_listen(options.server.address, port, services.public_url);
    if (is_insecure_enrolment_url(services.public_url)) {
      log::warn("berthd.insecure_public_url",
                {{"public_url", services.public_url},
                 {"enrolment", built.fleet.policy.allow_insecure_enrolment
                                   ? "allowed (--allow-insecure-enrolment)"
                                   : "refused: use an https:// --public-url"}});
    }
    // berthd's own domain on the local machine's proxy (issue 17): found once the agent on this
    // machine is connected, and placed again whenever it reconnects.
    std::string no_panel_route;
    auto panel =
        options.public_url_given
            ? make_panel_route(services.public_url, options.server.address, port, &no_panel_route)
            : std::nullopt;
    if (!panel && options.public_url_given && services.public_url.starts_with("https://")) {
      log::warn("berthd.no_panel_route",
                {{"public_url", services.public_url}, {"reason", no_panel_route}});
    }
    std::unique_ptr<PanelRouteWatch> panel_watch;
    Ticker panel_ticker;  // after the watch: stopped before it goes
    if (panel) {
      panel_watch = std::make_unique<PanelRouteWatch>(
          *store, *panel, machine_doctor_probes(options.data_dir).hostname(),
          [&local_agent] { return local_agent ? local_agent->server_id() : std::string(); },
          [&deployments](const PanelRoute& route) { deployments.place_panel_route(route); });
      panel_ticker.start(std::chrono::seconds(2), [&panel_watch] { panel_watch->tick(); });
    }
    if (local_agent_options) {
      // Through the panel's domain the local agent would wait for its own proxy, which gets the
      // panel's route only once that agent is connected: it dials berthd on loopback instead.
      local_agent_options->server_url =
          panel ? fmt::format("http://127.0.0.1:{}", port) : services.public_url;
      local_agent =
          std::make_unique<LocalAgent>(std::move(*local_agent_options), built.enrolment, *store);
      local_agent->start();
    }
    std::unique_ptr<LocalEnrolmentOffer> enrolment_offer;
    Ticker enrolment_ticker;  // after the offer: stopped before it goes
    if (!options.local_enrolment_file.empty()) {
      enrolment_offer = std::make_unique<LocalEnrolmentOffer>(
          options.local_enrolment_file, local_dial_url(options.server.address, port),
          built.enrolment, built.identity);
      enrolment_ticker.start(std::chrono::seconds(2),
                             [&enrolment_offer] { enrolment_offer->tick(); });
    }
    monitor.start();
    (*backups)->start();
    built.backup_scheduler.start();
    log::info("berthd.listening", {{"url", url},
                                   {"version", version},
                                   {"instance_id", info->instance_id},
                                   {"first_start", info->first_start}});
    fmt::print("Berth is running at {}/  (API: {}/api/v1, stop with Ctrl-C)\n", url, url);
    if (!setup_token_file->token.empty()) {
      // Printed, never logged: logs travel further than the operator's terminal. The link
      // carries the token in its fragment, which a browser never sends to a server; it uses the
      // public URL, since the listen address may be 0.0.0.0.
      fmt::print(
          "First run: open {}/setup#{} in a browser to create the administrator.\n"
          "  The setup token is {} (also in {}); without a browser: POST {}/api/v1/auth/setup\n"
          "  with setup_token, email, password, display_name.\n",
          services.public_url, setup_token_file->token, setup_token_file->token,
          setup_token_file->path, url);
    }
    std::fflush(stdout);
    // After a burst (large bodies, a busy minute) the freed heap goes back to the system.
    const berth::MemoryTrimmer trimmer(std::chrono::seconds(10));
    server.run();
    enrolment_ticker.stop();
    panel_ticker.stop();
    if (local_agent) {
      local_agent->stop();
    }
    deployments.stop();
    built.backup_scheduler.stop();
    monitor.stop();
    (*backups)->stop();
    adoption.shutdown();
    agents.close_all(agent_close::going_away, "berthd shutting down");
  }
  store->close();
  log::info("berthd.stopped");
  log::flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  berth::limit_malloc_arenas(2);
  const std::string version = BERTH_VERSION;
  auto parsed = berth::parse_options(argc, argv, version);
  if (const int* exit_code = std::get_if<int>(&parsed)) {
    return *exit_code;
  }
  auto& options = std::get<berth::DaemonOptions>(parsed);
  try {
    berth::log::init_logging(options.log);
    if (options.reset_password_email) {
      return berth::reset_password(options);
    }
    if (options.backup) {
      return berth::run_backup(options, version);
    }
    if (options.restore) {
      return berth::run_restore(options);
    }
    if (!options.backup_store_to.empty()) {
      return berth::run_backup_store(options);
    }
    if (options.migrate) {
      return berth::run_migrate(options, version);
    }
    if (options.doctor) {
      return berth::run_doctor_command(options, version);
    }
    if (options.print_openapi) {
      const berth::api::ApiContext context{.version = version};
      berth::http::Router router;
      berth::api::register_routes(router, context);
      std::cout << berth::http::build_openapi(router, version).dump(2) << '\n';
      return 0;
    }
    return serve(options, version);
  } catch (const std::exception& e) {
    berth::log::error("berthd.fatal", {{"error", std::string_view(e.what())}});
    berth::log::flush();
    fmt::print(stderr, "berthd: {}\n", e.what());
    return 1;
  }
}
