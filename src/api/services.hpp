#pragma once
/// The one place every area's services are built and wired, and the API context over them:
/// berthd's main and the tests that walk the route table build exactly the same graph. The
/// order of the members is the order of construction (each area after the ones it depends on)
/// and the reverse of destruction.

#include <cstddef>
#include <string>

#include "api/api_context.hpp"
#include "api/binary_download.hpp"
#include "domain/apps/app_service.hpp"
#include "domain/apps/edge_service.hpp"
#include "domain/apps/env_service.hpp"
#include "domain/apps/project_service.hpp"
#include "domain/backups/backup_drills.hpp"
#include "domain/backups/backup_policies.hpp"
#include "domain/backups/backup_scheduler.hpp"
#include "domain/backups/destination_service.hpp"
#include "domain/backups/service_backups.hpp"
#include "domain/backups/volume_backups.hpp"
#include "domain/deploy/deployment_service.hpp"
#include "domain/deploy/trigger_service.hpp"
#include "domain/domains/domain_service.hpp"
#include "domain/fleet/adoption_service.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/agent_upgrades.hpp"
#include "domain/fleet/enrolment_service.hpp"
#include "domain/fleet/fleet_monitor.hpp"
#include "domain/fleet/job_ledger.hpp"
#include "domain/fleet/job_service.hpp"
#include "domain/fleet/metrics_recorder.hpp"
#include "domain/fleet/server_book.hpp"
#include "domain/fleet/server_service.hpp"
#include "domain/idempotency/idempotency_service.hpp"
#include "domain/identity/access_checker.hpp"
#include "domain/identity/api_key_service.hpp"
#include "domain/identity/audit_service.hpp"
#include "domain/identity/password_reset_service.hpp"
#include "domain/identity/sign_in_service.hpp"
#include "domain/identity/team_service.hpp"
#include "domain/identity/totp_service.hpp"
#include "domain/identity/user_admin_service.hpp"
#include "domain/instance/doctor.hpp"
#include "domain/kernel/in_process_event_hub.hpp"
#include "domain/notify/mail_outbox.hpp"
#include "domain/services/managed_services.hpp"

namespace berth::api {

/// What differs between berthd and a test: policies, the SSH installer, the worker count.
struct ServiceSettings {
  IdentityPolicy identity = {};
  FleetPolicy fleet = {};
  RemoteInstaller* installer = nullptr;  // null: SSH adoption is unavailable
  std::string agent_binary = {};         // served for download and copied by adoption
  std::string cli_binary = {};           // the berth CLI, served for download
  std::string version = {};              // berthd's: the version of the agent binary it serves
  std::size_t deploy_workers = 4;
  domains::Resolver* resolver = nullptr;  // null: the system's resolver
  /// Reaches backup destinations for their test; null: tests answer unavailable.
  DestinationProbe* destination_probe = nullptr;
  /// The doctor's settings and its machine probes (berthd's real ones; tests stage failures).
  /// Its list of servers comes from the store when no probe is given.
  DoctorSettings doctor = {};
  DoctorProbes doctor_probes = {};
  /// Deletes backup objects for retention; null: retention deletes nothing (tests).
  BackupObjectRemover* backup_remover = nullptr;
};

class Services {
 public:
  Services(ServiceContext& shared, ServiceSettings settings);
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  /// The API's view of these services (the router's handlers reach them through it).
  ApiContext api_context(std::string version);

  ServiceContext& shared;
  IdentityContext identity;
  SignInService sign_in;
  AccessChecker access;
  TeamService teams;
  ApiKeyService api_keys;
  TotpService totp;
  UserAdminService users;
  AuditService audit;
  PasswordResetService password_resets;

  FleetContext fleet;
  InProcessEventHub events;
  MetricsRecorder metrics;
  JobLedger ledger;
  ServerBook server_book;
  AgentHub agents;
  EnrolmentService enrolment;
  ServerService servers;
  JobService jobs;
  AdoptionService adoption;
  // The agent binary served for install scripts and upgrades, and the upgrades over it.
  std::shared_ptr<BinaryDownload> agent_download;
  AgentUpgrades agent_upgrades;
  FleetMonitor monitor;

  ProjectService projects;
  DeploymentService deployments;
  AppService apps;
  EnvService env;
  EdgeService edge;
  TriggerService triggers;
  // Domains (issue 14): the resolver first, the service over it.
  domains::SystemResolver resolver;
  DomainService domains;
  // Managed services (issue 15): their operations run through the deployments' job runner.
  ManagedServices managed_services;
  // Backup destinations (issue 15).
  DestinationService destinations;
  // Backups of managed services (issue 15).
  ServiceBackups service_backups;
  // Scheduled backups and retention (issue 15, slice 4); berthd starts the scheduler.
  BackupPolicies backup_policies;
  ServiceBackupScheduler backup_scheduler;
  // Their restore drills: after the backups, whose restore jobs they run.
  BackupDrills backup_drills;
  // Backups of apps' named volumes: backup records of their own subject, restored by redeploying.
  VolumeBackups volume_backups;

  // Idempotency-Key answers (api/idempotency_gate is the router's replay guard over it).
  IdempotencyService idempotency;

  // berthd doctor's checks, for GET /api/v1/admin/doctor.
  InstanceDoctor doctor;

  // Last, so it stops (and drops what still waits) before the services its jobs call into.
  MailOutbox mail_outbox;

 private:
  std::string agent_binary_;
  std::string cli_binary_;
};

}  // namespace berth::api
