#pragma once
/// What route handlers need from the composition root. Services may be null in builds that
/// only need the route table (the OpenAPI printer, the fuzzers): their routes then answer 500
/// through the access gate before any handler runs.

#include <memory>
#include <string>

namespace berth {
class SignInService;
class AccessChecker;
class TeamService;
class ApiKeyService;
class TotpService;
class UserAdminService;
class AuditService;
class PasswordResetService;
class EnrolmentService;
class ServerService;
class JobService;
class AdoptionService;
class AgentUpgrades;
class MetricsRecorder;
class EventHub;
struct ServiceContext;
class AgentHub;
class ProjectService;
class AppService;
class EnvService;
class EdgeService;
class DeploymentService;
class TriggerService;
class DomainService;
class ManagedServices;
class ServiceBackups;
class BackupPolicies;
class BackupDrills;
class VolumeBackups;
class DestinationService;
class InstanceDoctor;
}  // namespace berth

namespace berth::http {
class SiteSource;
}  // namespace berth::http

namespace berth::api {

class BinaryDownload;

struct ApiContext {
  std::string version;  // berthd's version, e.g. "0.1.0"
  SignInService* sign_in = nullptr;
  AccessChecker* access = nullptr;
  TeamService* teams = nullptr;
  ApiKeyService* api_keys = nullptr;
  TotpService* totp = nullptr;
  UserAdminService* users = nullptr;
  AuditService* audit = nullptr;
  PasswordResetService* password_resets = nullptr;
  // The fleet (issue 4).
  EnrolmentService* enrolment = nullptr;
  ServerService* servers = nullptr;
  JobService* jobs = nullptr;
  AdoptionService* adoption = nullptr;
  AgentUpgrades* agent_upgrades = nullptr;  // issue 17
  MetricsRecorder* metrics = nullptr;
  EventHub* events = nullptr;
  AgentHub* agents = nullptr;
  // Apps and deployments (issue 5).
  ProjectService* projects = nullptr;
  AppService* apps = nullptr;
  EnvService* env = nullptr;
  EdgeService* edge = nullptr;  // edge rules per app (issue 14)
  DeploymentService* deployments = nullptr;
  TriggerService* triggers = nullptr;
  DomainService* domains = nullptr;             // issue 14
  ManagedServices* managed_services = nullptr;  // databases and caches (issue 15)
  std::string agent_binary_path = {};           // served by GET /api/v1/agent/download
  /// The loaded agent binary (shared with upgrades); null: routes load agent_binary_path.
  std::shared_ptr<BinaryDownload> agent_download = {};
  std::string cli_binary_path = {};          // served by GET /api/v1/cli/download
  const ServiceContext* services = nullptr;  // the public URL install scripts and agents dial
  bool secure_cookies = false;               // add Secure to the session cookie (served over https)
  long long session_max_age = 43200;         // seconds, the session's absolute lifetime
  /// Backup destinations (issue 15).
  DestinationService* destinations = nullptr;
  /// Backups of managed services (issue 15).
  ServiceBackups* service_backups = nullptr;
  /// Backup policies of services (issue 15, slice 4).
  BackupPolicies* backup_policies = nullptr;
  BackupDrills* backup_drills = nullptr;
  /// Backups of apps' named volumes (issue 15).
  VolumeBackups* volume_backups = nullptr;
  /// The dashboard's files (compiled in, or --web-dir). Null: / answers "dashboard not built".
  const http::SiteSource* web = nullptr;
  /// berthd doctor's checks (GET /api/v1/admin/doctor).
  const InstanceDoctor* doctor = nullptr;
};

}  // namespace berth::api
