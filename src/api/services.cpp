#include "api/services.hpp"

namespace berth::api {

namespace {

std::shared_ptr<BinaryDownload> agent_binary_download(const std::string& path) {
  Error missing =
      Error::unavailable("this berthd has no agent binary to serve (see --agent-binary)");
  missing.code = "no_agent_binary";
  return std::make_shared<BinaryDownload>(path, std::move(missing));
}

// The doctor reads the servers from the store unless a test gives its own list.
DoctorProbes with_store_servers(DoctorProbes probes, Store& store) {
  if (!probes.servers) {
    probes.servers = [&store] {
      return read_value<std::vector<ServerRecord>>(store, [](Tx& tx) {
        return tx.list_servers_with_status({"online", "degraded", "offline"});
      });
    };
  }
  return probes;
}

}  // namespace

Services::Services(ServiceContext& shared_services, ServiceSettings settings)
    : shared(shared_services),
      identity{{shared_services}, settings.identity},
      sign_in(identity),
      access(identity),
      teams(identity),
      api_keys(identity),
      totp(identity),
      users(identity),
      audit(identity),
      password_resets(identity),
      fleet{{shared_services}, settings.fleet},
      metrics(fleet, &events),
      ledger(fleet, events),
      server_book(fleet, events),
      agents(fleet, ledger, server_book, metrics),
      enrolment(fleet, agents),
      servers(fleet, agents),
      jobs(fleet, agents),
      adoption(fleet, enrolment, jobs, agents, settings.installer,
               AdoptionSettings{.agent_binary_path = settings.agent_binary}),
      agent_download(agent_binary_download(settings.agent_binary)),
      agent_upgrades(
          fleet, jobs,
          [download = agent_download, version = settings.version]() -> Result<AgentRelease> {
            auto binary = download->get();
            if (!binary) {
              return fail(std::move(binary.error()));
            }
            return AgentRelease{.version = version,
                                .sha256 = binary->sha256,
                                .download_path = "/api/v1/agent/download"};
          }),
      monitor(fleet, agents, jobs, metrics),
      projects(shared_services),
      deployments(shared_services, jobs, events, settings.deploy_workers),
      apps(shared_services, &deployments),
      env(shared_services),
      edge(shared_services, &deployments),
      triggers(shared_services, deployments),
      domains(shared_services, &deployments,
              settings.resolver != nullptr ? *settings.resolver : resolver),
      managed_services(shared_services, jobs, deployments.steps()),
      destinations(shared_services, settings.destination_probe),
      service_backups(shared_services, jobs, deployments.steps(), managed_services),
      backup_policies(shared_services),
      backup_scheduler(
          shared_services,
          ServiceBackupSchedulerHooks{
              .record =
                  [this](Tx& tx, const BackupPolicyRecord& policy) {
                    // volume_backups is constructed after the scheduler but before it starts.
                    if (policy.subject == "volume") {
                      return volume_backups.record_scheduled(tx, policy);
                    }
                    return service_backups.record_scheduled(tx, policy.team_id, policy.service_id,
                                                            policy.destination_id);
                  },
              .launch =
                  [this](const ServiceBackupRecord& backup) { service_backups.launch(backup); },
              .event =
                  [this](std::string_view server_id, std::string kind, nlohmann::json details) {
                    (void)server_book.record(server_id, std::move(kind), std::move(details));
                  }},
          settings.backup_remover),
      backup_drills(shared_services, jobs, deployments.steps(), service_backups),
      volume_backups(shared_services, jobs, service_backups, deployments),
      idempotency(shared_services),
      doctor(std::move(settings.doctor),
             with_store_servers(std::move(settings.doctor_probes), shared_services.store)),
      agent_binary_(std::move(settings.agent_binary)),
      cli_binary_(std::move(settings.cli_binary)) {
  // Deleting a team disconnects its agents: identity hears of it through this interface only.
  teams.set_teardown(&servers);
  // A reset request is answered before its mail work runs (password_reset_service.hpp).
  // The daily DNS check of domains rides the fleet monitor's hourly round.
  monitor.add_hourly([this] { domains.check_due(); });
  // What each server serves for its domains is read back through its agent, every 6 hours
  // (and on demand); expiring or failing certificates become server events.
  domains.set_certificate_hooks(
      {.read =
           [this](std::string_view server_id, const std::vector<std::string>& hosts) {
             return deployments.read_certificates(server_id, hosts);
           },
       .event =
           [this](std::string_view server_id, std::string kind, nlohmann::json details) {
             (void)server_book.record(server_id, std::move(kind), std::move(details));
           }});
  monitor.add_hourly([this] { domains.check_certificates_due(); });
  // Restore drills: each service's newest backup is drilled weekly; a failure is a server
  // event.
  backup_drills.set_event_sink(
      [this](std::string_view server_id, std::string kind, nlohmann::json details) {
        (void)server_book.record(server_id, std::move(kind), std::move(details));
      });
  monitor.add_hourly([this] { (void)backup_drills.schedule_due(); });
  password_resets.set_runner(
      [this](std::function<void()> job) { mail_outbox.post(std::move(job)); });
}

ApiContext Services::api_context(std::string version) {
  Services& self = *this;
  return ApiContext{.version = std::move(version),
                    .sign_in = &self.sign_in,
                    .access = &self.access,
                    .teams = &self.teams,
                    .api_keys = &self.api_keys,
                    .totp = &self.totp,
                    .users = &self.users,
                    .audit = &self.audit,
                    .password_resets = &self.password_resets,
                    .enrolment = &self.enrolment,
                    .servers = &self.servers,
                    .jobs = &self.jobs,
                    .adoption = &self.adoption,
                    .agent_upgrades = &self.agent_upgrades,
                    .metrics = &self.metrics,
                    .events = &self.events,
                    .agents = &self.agents,
                    .projects = &self.projects,
                    .apps = &self.apps,
                    .env = &self.env,
                    .edge = &self.edge,
                    .deployments = &self.deployments,
                    .triggers = &self.triggers,
                    .domains = &self.domains,
                    .managed_services = &self.managed_services,
                    .agent_binary_path = agent_binary_,
                    .agent_download = agent_download,
                    .cli_binary_path = cli_binary_,
                    .services = &shared,
                    .secure_cookies = shared.public_url.starts_with("https://"),
                    .session_max_age = identity.policy.session_absolute.count(),
                    .destinations = &self.destinations,
                    .service_backups = &self.service_backups,
                    .backup_policies = &self.backup_policies,
                    .backup_drills = &self.backup_drills,
                    .volume_backups = &self.volume_backups,
                    .doctor = &self.doctor};
}

}  // namespace berth::api
