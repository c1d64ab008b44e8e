#pragma once
/// The storage interface every backend implements (SQLite now, PostgreSQL later) and the one
/// contract test suite (tests/store/store_contract.hpp) that each backend must pass.
///
/// Work happens inside transactions: Store::read / Store::write hand a Tx to a function and
/// commit only when it succeeds. All calls block; call them from a worker thread (see
/// http/offload.hpp), never from an I/O thread.

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/app_records.hpp"
#include "store/backup_records.hpp"
#include "store/fleet_records.hpp"
#include "store/identity_records.hpp"
#include "store/service_records.hpp"

namespace berth {

/// One audit log row: who did what to which target, when, from where.
struct AuditEntry {
  std::string id;  // "aud_…"
  TimePoint at;
  std::string actor;           // a user id, "system", or later an API key id
  std::string action;          // dotted verb, e.g. "instance.initialize", "server.cordon"
  std::string target;          // the id of the resource acted on ("" when none)
  std::string team_id;         // "" for instance-wide actions
  std::string request_id;      // "" for actions not caused by a request
  std::string source_address;  // "" for actions not caused by a request
  nlohmann::json details = nlohmann::json::object();
  std::string outcome = "success";  // "success", "failure" or "denied"
};

struct AuditQuery {
  std::string team_id = {};  // "" = any team
  std::string actor = {};    // "" = any actor
  std::string action = {};   // "" = any action (exact match)
  std::string q = {};        // "" = no free-text filter; else a substring of action or target
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

/// An Idempotency-Key in use: one row per (scope, key), claimed when the first request starts
/// and completed with its sealed answer when that request ends.
struct IdempotencyRecord {
  std::string scope;        // whose key: a user id, or an API key's id
  std::string key;          // as the client sent it
  std::string fingerprint;  // a keyed hash of what the request asked (never the body itself)
  TimePoint created_at = {};
  std::optional<TimePoint> completed_at = {};  // nullopt while the first request runs
  std::string answer_sealed = {};              // "" until completed
};

template <class T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;
};

/// The operations of one transaction. Valid only inside the function given to read/write.
class Tx {
 public:
  virtual ~Tx() = default;

  // Instance settings: small key/value pairs owned by the instance (not by a team).
  virtual Result<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual Result<void> put_setting(std::string_view key, std::string_view value, TimePoint at) = 0;
  virtual Result<std::map<std::string, std::string>> list_settings() = 0;

  // Audit log: append-only; newest first when listed.
  virtual Result<void> append_audit(const AuditEntry& entry) = 0;
  virtual Result<Page<AuditEntry>> list_audit(const AuditQuery& query) = 0;

  // Users. Emails are compared lower-case; a duplicate email is `conflict`.
  virtual Result<void> create_user(const UserRecord& user) = 0;
  virtual Result<std::optional<UserRecord>> get_user(std::string_view id) = 0;
  virtual Result<std::optional<UserRecord>> find_user_by_email(std::string_view email) = 0;
  virtual Result<void> update_user(const UserRecord& user) = 0;  // every column, by id
  virtual Result<std::int64_t> count_users() = 0;
  /// `q` filters by a substring of email or display name; ordered by creation.
  virtual Result<Page<UserRecord>> list_users(std::string_view q, std::int64_t page,
                                              std::int64_t per_page) = 0;

  // Teams. Deleting a team deletes its memberships, API keys and invitations.
  virtual Result<void> create_team(const TeamRecord& team) = 0;
  virtual Result<std::optional<TeamRecord>> get_team(std::string_view id) = 0;
  virtual Result<void> update_team(const TeamRecord& team) = 0;
  virtual Result<void> delete_team(std::string_view id) = 0;
  virtual Result<Page<TeamRecord>> list_teams(std::string_view q, std::int64_t page,
                                              std::int64_t per_page) = 0;
  /// The teams a user belongs to, with the user's role in each; ordered by team creation.
  virtual Result<std::vector<TeamMembershipRow>> list_user_teams(std::string_view user_id) = 0;

  // Memberships: one row per (team, user).
  virtual Result<void> put_membership(
      const MembershipRecord& membership) = 0;  // insert or set role
  virtual Result<std::optional<MembershipRecord>> get_membership(std::string_view team_id,
                                                                 std::string_view user_id) = 0;
  virtual Result<void> delete_membership(std::string_view team_id, std::string_view user_id) = 0;
  virtual Result<std::vector<MemberRow>> list_members(std::string_view team_id) = 0;

  // Sessions and access tokens.
  virtual Result<void> create_session(const SessionRecord& session) = 0;
  virtual Result<std::optional<SessionRecord>> find_session_by_token_hash(
      std::string_view hash) = 0;
  virtual Result<void> touch_session(std::string_view id, TimePoint last_seen_at) = 0;
  virtual Result<void> revoke_session(std::string_view id, TimePoint at) = 0;
  /// Revokes every live session and access token of a user except `keep_id` ("" keeps none).
  virtual Result<void> revoke_user_sessions(std::string_view user_id, std::string_view keep_id,
                                            TimePoint at) = 0;
  virtual Result<void> revoke_chain_sessions(std::string_view chain_id, TimePoint at) = 0;
  /// A user's sessions that are neither revoked nor past expires_at at `now`, newest first.
  virtual Result<std::vector<SessionRecord>> list_user_sessions(std::string_view user_id,
                                                                SessionKind kind,
                                                                TimePoint now) = 0;

  // Refresh tokens.
  virtual Result<void> create_refresh_token(const RefreshTokenRecord& token) = 0;
  virtual Result<std::optional<RefreshTokenRecord>> find_refresh_token_by_hash(
      std::string_view hash) = 0;
  virtual Result<void> mark_refresh_token_used(std::string_view id, TimePoint at) = 0;
  virtual Result<void> revoke_refresh_chain(std::string_view chain_id, TimePoint at) = 0;
  /// Revokes every live refresh token of a user (password change, deactivation).
  virtual Result<void> revoke_user_refresh_tokens(std::string_view user_id, TimePoint at) = 0;

  // API keys: always looked up within their team, except by hash (authentication).
  virtual Result<void> create_api_key(const ApiKeyRecord& key) = 0;
  virtual Result<std::optional<ApiKeyRecord>> find_api_key_by_hash(std::string_view hash) = 0;
  virtual Result<std::optional<ApiKeyRecord>> get_api_key(std::string_view team_id,
                                                          std::string_view id) = 0;
  /// The team's keys that are not revoked, newest first.
  virtual Result<std::vector<ApiKeyRecord>> list_api_keys(std::string_view team_id) = 0;
  virtual Result<void> revoke_api_key(std::string_view id, TimePoint at) = 0;
  virtual Result<void> touch_api_key(std::string_view id, TimePoint last_used_at) = 0;

  // Invitations.
  virtual Result<void> create_invitation(const InvitationRecord& invitation) = 0;
  virtual Result<std::optional<InvitationRecord>> find_invitation_by_hash(
      std::string_view hash) = 0;
  virtual Result<std::optional<InvitationRecord>> get_invitation(std::string_view team_id,
                                                                 std::string_view id) = 0;
  /// The team's invitations not accepted, not revoked and not expired at `now`, newest first.
  virtual Result<std::vector<InvitationRecord>> list_pending_invitations(std::string_view team_id,
                                                                         TimePoint now) = 0;
  virtual Result<void> update_invitation(const InvitationRecord& invitation) = 0;

  // TOTP recovery codes (hashes), single use.
  virtual Result<void> replace_recovery_codes(std::string_view user_id,
                                              const std::vector<std::string>& code_hashes) = 0;
  /// Marks the unused code with this hash used; false when there is none.
  virtual Result<bool> use_recovery_code(std::string_view user_id, std::string_view code_hash,
                                         TimePoint at) = 0;
  virtual Result<std::int64_t> count_unused_recovery_codes(std::string_view user_id) = 0;

  // Password-reset tokens, single use.
  virtual Result<void> create_password_reset(const PasswordResetRecord& reset) = 0;
  virtual Result<std::optional<PasswordResetRecord>> find_password_reset_by_hash(
      std::string_view hash) = 0;
  /// Marks it used at `at`; false (and nothing changes) when it was already used or revoked,
  /// so two racing confirmations cannot both pass.
  virtual Result<bool> use_password_reset(std::string_view id, TimePoint at) = 0;
  /// Revokes every token of a user that is neither used nor revoked.
  virtual Result<void> revoke_user_password_resets(std::string_view user_id, TimePoint at) = 0;

  // Servers. Names are unique per team (`conflict`). Deleting a server deletes its jobs and
  // their output, its metrics, its events and its install tokens.
  virtual Result<void> create_server(const ServerRecord& server) = 0;
  /// By id within a team; team_id "" finds it in any team (the agent gateway, schedulers).
  virtual Result<std::optional<ServerRecord>> get_server(std::string_view team_id,
                                                         std::string_view id) = 0;
  virtual Result<std::optional<ServerRecord>> find_server_by_agent_token_hash(
      std::string_view hash) = 0;
  virtual Result<void> update_server(const ServerRecord& server) = 0;  // every column, by id
  virtual Result<void> delete_server(std::string_view id) = 0;
  /// A team's servers ordered by name; `q` filters by a substring of name or address.
  virtual Result<Page<ServerRecord>> list_servers(std::string_view team_id, std::string_view q,
                                                  std::int64_t page, std::int64_t per_page) = 0;
  /// Servers in any team whose status is one of `statuses` (liveness sweeps, start-up).
  virtual Result<std::vector<ServerRecord>> list_servers_with_status(
      const std::vector<std::string>& statuses) = 0;

  // Install tokens: one use each.
  virtual Result<void> create_install_token(const InstallTokenRecord& token) = 0;
  virtual Result<std::optional<InstallTokenRecord>> find_install_token_by_hash(
      std::string_view hash) = 0;
  /// Marks it used at `at`; false when it was already used (a concurrent register lost).
  virtual Result<bool> use_install_token(std::string_view id, TimePoint at) = 0;

  // Jobs and their output.
  virtual Result<void> create_job(const JobRecord& job) = 0;
  /// By id within a team; team_id "" finds it in any team.
  virtual Result<std::optional<JobRecord>> get_job(std::string_view team_id,
                                                   std::string_view id) = 0;
  virtual Result<void> update_job(const JobRecord& job) = 0;  // every column, by id
  /// Newest first.
  virtual Result<Page<JobRecord>> list_jobs(const JobQuery& query) = 0;
  /// Stores one chunk; false (and nothing changes) when the job already has this seq. Also
  /// raises the job's last_seq.
  virtual Result<bool> append_job_output(const JobOutputChunk& chunk) = 0;
  /// The bytes of text a job's stored output holds (0 for none or an unknown job).
  virtual Result<std::int64_t> job_output_bytes(std::string_view job_id) = 0;
  /// The bytes of text the stored output of all of a server's jobs holds.
  virtual Result<std::int64_t> server_job_output_bytes(std::string_view server_id) = 0;
  /// Frees at least `bytes` of the server's stored output if it can: the output of its finished
  /// jobs, oldest finished first, one whole job at a time; each job so pruned keeps a single
  /// `system` chunk with `marker` at its last seq (a job whose output is no larger than that
  /// is left alone). Returns the bytes freed (what was deleted less the markers).
  virtual Result<std::int64_t> prune_job_output(std::string_view server_id, std::int64_t bytes,
                                                std::string_view marker) = 0;
  /// Chunks with seq > after_seq, in seq order, at most `limit`.
  virtual Result<std::vector<JobOutputChunk>> list_job_output(std::string_view job_id,
                                                              std::int64_t after_seq,
                                                              std::int64_t limit) = 0;

  // Metrics: each sample is folded into one bucket per resolution (seconds) as a running mean.
  virtual Result<void> record_metric_samples(const std::vector<MetricSample>& samples,
                                             const std::vector<std::int64_t>& resolutions) = 0;
  /// Buckets of one resolution with bucket_start in [from, to], oldest first.
  virtual Result<std::vector<MetricPoint>> list_metric_points(std::string_view server_id,
                                                              std::int64_t resolution,
                                                              TimePoint from, TimePoint to) = 0;
  /// Deletes buckets of `resolution` that started before `before`; returns how many.
  virtual Result<std::int64_t> prune_metric_points(std::int64_t resolution, TimePoint before) = 0;

  // Server events: append-only, pruned by age.
  /// Appends and returns the event's seq.
  virtual Result<std::int64_t> append_server_event(const ServerEventRecord& event) = 0;
  /// Events of a server with seq > after_seq, oldest first, at most `limit`.
  virtual Result<std::vector<ServerEventRecord>> list_server_events(std::string_view server_id,
                                                                    std::int64_t after_seq,
                                                                    std::int64_t limit) = 0;
  virtual Result<std::int64_t> prune_server_events(TimePoint before) = 0;

  // Projects. Names are unique per team (`conflict`). Deleting a project deletes its env
  // vars; the service refuses to delete one that still has apps.
  virtual Result<void> create_project(const ProjectRecord& project) = 0;
  virtual Result<std::optional<ProjectRecord>> get_project(std::string_view team_id,
                                                           std::string_view id) = 0;
  virtual Result<void> update_project(const ProjectRecord& project) = 0;  // every column
  virtual Result<void> delete_project(std::string_view id) = 0;
  /// Ordered by name.
  virtual Result<Page<ProjectRecord>> list_projects(std::string_view team_id, std::int64_t page,
                                                    std::int64_t per_page) = 0;

  // Apps. Names are unique per team and hostnames per server (`conflict`). Deleting an app
  // deletes its env vars, deployments and their events, deploy hooks and webhook deliveries.
  virtual Result<void> create_app(const AppRecord& app) = 0;
  /// By id within a team; team_id "" finds it in any team (webhooks, the pipeline).
  virtual Result<std::optional<AppRecord>> get_app(std::string_view team_id,
                                                   std::string_view id) = 0;
  virtual Result<void> update_app(const AppRecord& app) = 0;  // every column, by id
  virtual Result<void> delete_app(std::string_view id) = 0;
  /// Ordered by name.
  virtual Result<Page<AppRecord>> list_apps(const AppQuery& query) = 0;
  /// Every app placed on a server (its proxy route table), ordered by name.
  virtual Result<std::vector<AppRecord>> list_server_apps(std::string_view server_id) = 0;
  virtual Result<std::int64_t> count_project_apps(std::string_view project_id) = 0;

  // Env vars of an app or a project, one row per (scope, scope_id, key).
  virtual Result<void> put_env_var(const EnvVarRecord& var) = 0;  // insert or replace
  /// False when there was no such key.
  virtual Result<bool> delete_env_var(std::string_view scope, std::string_view scope_id,
                                      std::string_view key) = 0;
  /// Ordered by key.
  virtual Result<std::vector<EnvVarRecord>> list_env_vars(std::string_view scope,
                                                          std::string_view scope_id) = 0;
  /// Replaces the scope's whole set.
  virtual Result<void> replace_env_vars(std::string_view scope, std::string_view scope_id,
                                        const std::vector<EnvVarRecord>& vars) = 0;

  // Deployments and their event log.
  virtual Result<void> create_deployment(const DeploymentRecord& deployment) = 0;
  /// By id within a team; team_id "" finds it in any team.
  virtual Result<std::optional<DeploymentRecord>> get_deployment(std::string_view team_id,
                                                                 std::string_view id) = 0;
  virtual Result<void> update_deployment(const DeploymentRecord& deployment) = 0;  // every column
  /// Newest first (by created_at, then id).
  virtual Result<Page<DeploymentRecord>> list_deployments(const DeploymentQuery& query) = 0;
  /// Appends with seq = the deployment's last_seq + 1, raises last_seq; returns the seq.
  virtual Result<std::int64_t> append_deployment_event(const DeploymentEventRecord& event) = 0;
  /// Events with seq > after_seq, in seq order, at most `limit`.
  virtual Result<std::vector<DeploymentEventRecord>> list_deployment_events(
      std::string_view deployment_id, std::int64_t after_seq, std::int64_t limit) = 0;

  // Triggers.
  /// Remembers a webhook delivery id for an app; false when it was already seen.
  virtual Result<bool> record_webhook_delivery(std::string_view app_id,
                                               std::string_view delivery_id, TimePoint at) = 0;
  virtual Result<std::int64_t> prune_webhook_deliveries(TimePoint before) = 0;
  virtual Result<void> create_deploy_hook(const DeployHookRecord& hook) = 0;
  virtual Result<std::optional<DeployHookRecord>> find_deploy_hook_by_hash(
      std::string_view hash) = 0;
  /// Newest first.
  virtual Result<std::vector<DeployHookRecord>> list_deploy_hooks(std::string_view app_id) = 0;
  /// False when the app has no such hook.
  virtual Result<bool> delete_deploy_hook(std::string_view app_id, std::string_view id) = 0;
  virtual Result<void> touch_deploy_hook(std::string_view id, TimePoint at) = 0;

  // Proxy settings of a server (nullopt: defaults apply). Deleted with the server.
  virtual Result<std::optional<ProxySettingsRecord>> get_proxy_settings(
      std::string_view server_id) = 0;
  virtual Result<void> put_proxy_settings(const ProxySettingsRecord& settings) = 0;
  virtual Result<std::int64_t> count_server_apps(std::string_view server_id) = 0;

  // Edge rules of an app (nullopt: none stored). Deleted with the app.
  virtual Result<std::optional<AppEdgeRecord>> get_app_edge(std::string_view app_id) = 0;
  /// Inserts or replaces the app's row; `conflict` when there is no such app.
  virtual Result<void> put_app_edge(const AppEdgeRecord& edge) = 0;
  // Domains. (hostname, path_prefix) is unique across teams (`conflict` "hostname_taken").
  // Deleted with their app.
  virtual Result<void> create_domain(const DomainRecord& domain) = 0;
  /// By id within a team; team_id "" finds it in any team.
  virtual Result<std::optional<DomainRecord>> get_domain(std::string_view team_id,
                                                         std::string_view id) = 0;
  virtual Result<void> update_domain(const DomainRecord& domain) = 0;  // every column, by id
  virtual Result<void> delete_domain(std::string_view id) = 0;
  /// Ordered by hostname, then path prefix.
  virtual Result<Page<DomainRecord>> list_domains(const DomainQuery& query) = 0;
  /// An app's domains, ordered by hostname then path prefix.
  virtual Result<std::vector<DomainRecord>> list_app_domains(std::string_view app_id) = 0;
  /// The domains of every app placed on a server (its route table), ordered by app id, then
  /// hostname and path prefix.
  virtual Result<std::vector<DomainRecord>> list_server_domains(std::string_view server_id) = 0;
  /// Every domain with this hostname, in any team (the instance-wide uniqueness check).
  virtual Result<std::vector<DomainRecord>> find_domains_by_hostname(std::string_view hostname) = 0;
  /// The ids of domains whose last DNS check is older than `before` (or never ran), oldest
  /// first, at most `limit`.
  virtual Result<std::vector<std::string>> list_domains_to_check(TimePoint before,
                                                                 std::int64_t limit) = 0;

  // Managed services. Names are unique per team (`conflict`). Deleted with their server or
  // team; deleting one deletes its links.
  virtual Result<void> create_service(const ServiceRecord& service) = 0;
  /// By id within a team; team_id "" finds it in any team.
  virtual Result<std::optional<ServiceRecord>> get_service(std::string_view team_id,
                                                           std::string_view id) = 0;
  virtual Result<void> update_service(const ServiceRecord& service) = 0;  // every column, by id
  virtual Result<void> delete_service(std::string_view id) = 0;
  /// Ordered by name.
  virtual Result<Page<ServiceRecord>> list_services(const ServiceQuery& query) = 0;
  virtual Result<std::int64_t> count_project_services(std::string_view project_id) = 0;
  /// Inserts or replaces the (app, service) link.
  virtual Result<void> put_service_link(const ServiceLinkRecord& link) = 0;
  /// False when there was no such link.
  virtual Result<bool> delete_service_link(std::string_view app_id,
                                           std::string_view service_id) = 0;
  /// An app's links, ordered by when they were made.
  virtual Result<std::vector<ServiceLinkRecord>> list_app_links(std::string_view app_id) = 0;
  /// The apps linked to a service, ordered by when they were linked.
  virtual Result<std::vector<ServiceLinkRecord>> list_service_links(
      std::string_view service_id) = 0;

  // Backup destinations. (team_id, name) is unique (`conflict` "destination_name_taken").
  // Deleted with their team.
  virtual Result<void> create_backup_destination(const BackupDestinationRecord& destination) = 0;
  /// By id within a team; team_id "" finds it in any team.
  virtual Result<std::optional<BackupDestinationRecord>> get_backup_destination(
      std::string_view team_id, std::string_view id) = 0;
  /// Every column, by id.
  virtual Result<void> update_backup_destination(const BackupDestinationRecord& destination) = 0;
  virtual Result<void> delete_backup_destination(std::string_view id) = 0;
  /// Ordered by name.
  virtual Result<Page<BackupDestinationRecord>> list_backup_destinations(
      const BackupDestinationQuery& query) = 0;

  // Backup keys (one pair per team) and service backups. Backups are deleted with their team
  // only: they outlive the service.
  virtual Result<std::optional<BackupKeyRecord>> get_backup_key(std::string_view team_id) = 0;
  /// `conflict` when the team has one already.
  virtual Result<void> create_backup_key(const BackupKeyRecord& key) = 0;
  virtual Result<void> create_service_backup(const ServiceBackupRecord& backup) = 0;
  /// By id within a team; team_id "" finds it in any team.
  virtual Result<std::optional<ServiceBackupRecord>> get_service_backup(std::string_view team_id,
                                                                        std::string_view id) = 0;
  /// Every column, by id.
  virtual Result<void> update_service_backup(const ServiceBackupRecord& backup) = 0;
  /// Newest first.
  virtual Result<Page<ServiceBackupRecord>> list_service_backups(
      const ServiceBackupQuery& query) = 0;
  virtual Result<void> create_backup_restore(const BackupRestoreRecord& restore) = 0;
  /// By id within a team; team_id "" finds it in any team.
  virtual Result<std::optional<BackupRestoreRecord>> get_backup_restore(std::string_view team_id,
                                                                        std::string_view id) = 0;
  /// Every column, by id.
  virtual Result<void> update_backup_restore(const BackupRestoreRecord& restore) = 0;
  /// The restores still `running` (the start-up sweep), oldest first.
  virtual Result<std::vector<BackupRestoreRecord>> list_running_restores() = 0;

  // Backup policies: one per service (keyed by service_id), deleted with the service or team.
  /// Inserts or replaces the service's policy; `conflict` when the service does not exist.
  virtual Result<void> put_backup_policy(const BackupPolicyRecord& policy) = 0;
  /// By service within a team; team_id "" finds it in any team.
  virtual Result<std::optional<BackupPolicyRecord>> get_backup_policy(
      std::string_view team_id, std::string_view service_id) = 0;
  /// False when the service had none.
  virtual Result<bool> delete_backup_policy(std::string_view service_id) = 0;
  /// Enabled policies whose next_run_at is at or before `now`, the most overdue first.
  virtual Result<std::vector<BackupPolicyRecord>> list_due_backup_policies(TimePoint now,
                                                                           std::int64_t limit) = 0;
  /// Claims the run due at `seen`: sets next_run_at to `next`, last_backup_id and last_run_at,
  /// but only while the policy is enabled and its next_run_at is still `seen`. False when
  /// another claim (or an edit) came first; then nothing changed.
  virtual Result<bool> claim_backup_policy(std::string_view service_id, TimePoint seen,
                                           std::optional<TimePoint> next,
                                           std::string_view backup_id, TimePoint at) = 0;
  /// Policies whose last run is not settled yet (last_backup_id <> settled_backup_id).
  virtual Result<std::vector<BackupPolicyRecord>> list_unsettled_backup_policies(
      std::int64_t limit) = 0;
  /// Marks `backup_id`, the policy's last run, as settled. False when it is not the last run
  /// or was settled already (by another sweeper): then nothing changed.
  virtual Result<bool> settle_backup_policy(std::string_view service_id,
                                            std::string_view backup_id) = 0;
  // Backup policies of an app's named volumes: one per mount (keyed by app_id and
  // mount_target), deleted with the app or team. put_backup_policy stores a policy of subject
  // "volume" among them (`conflict` when the app does not exist); list_due_backup_policies
  // and list_unsettled_backup_policies answer both kinds.
  /// By the app's mount target within a team; team_id "" finds it in any team.
  virtual Result<std::optional<BackupPolicyRecord>> get_volume_backup_policy(
      std::string_view team_id, std::string_view app_id, std::string_view mount_target) = 0;
  /// The app's volume policies, by mount target.
  virtual Result<std::vector<BackupPolicyRecord>> list_volume_backup_policies(
      std::string_view team_id, std::string_view app_id) = 0;
  /// False when the mount had none.
  virtual Result<bool> delete_volume_backup_policy(std::string_view app_id,
                                                   std::string_view mount_target) = 0;
  /// claim_backup_policy for a volume's policy.
  virtual Result<bool> claim_volume_backup_policy(std::string_view app_id,
                                                  std::string_view mount_target, TimePoint seen,
                                                  std::optional<TimePoint> next,
                                                  std::string_view backup_id, TimePoint at) = 0;
  /// settle_backup_policy for a volume's policy.
  virtual Result<bool> settle_volume_backup_policy(std::string_view app_id,
                                                   std::string_view mount_target,
                                                   std::string_view backup_id) = 0;
  /// Deletes one backup's row (its object is gone: retention); false when there was none.
  virtual Result<bool> delete_service_backup(std::string_view id) = 0;
  // Restore drills of service backups.
  virtual Result<void> create_backup_drill(const BackupDrillRecord& drill) = 0;
  /// By id within a team; team_id "" finds it in any team.
  virtual Result<std::optional<BackupDrillRecord>> get_backup_drill(std::string_view team_id,
                                                                    std::string_view id) = 0;
  /// Every column, by id.
  virtual Result<void> update_backup_drill(const BackupDrillRecord& drill) = 0;
  /// A backup's drills, newest first, at most `limit`.
  virtual Result<std::vector<BackupDrillRecord>> list_backup_drills(std::string_view team_id,
                                                                    std::string_view backup_id,
                                                                    std::int64_t limit) = 0;
  /// The drills still `running` (the start-up sweep), oldest first.
  virtual Result<std::vector<BackupDrillRecord>> list_running_drills() = 0;
  /// What the drill schedule takes next: of every existing service, its newest succeeded
  /// backup, when the service has no running drill and none created at or after
  /// `drilled_since`; oldest backup first, at most `limit`.
  virtual Result<std::vector<ServiceBackupRecord>> list_drill_candidates(TimePoint drilled_since,
                                                                         std::int64_t limit) = 0;

  // Idempotency keys: one row per (scope, key), pruned by age.
  /// `conflict` when the scope already has this key.
  virtual Result<void> create_idempotency_key(const IdempotencyRecord& record) = 0;
  virtual Result<std::optional<IdempotencyRecord>> get_idempotency_key(std::string_view scope,
                                                                       std::string_view key) = 0;
  /// Stores the answer and completed_at; `not_found` when there is no such row.
  virtual Result<void> complete_idempotency_key(std::string_view scope, std::string_view key,
                                                std::string_view answer_sealed, TimePoint at) = 0;
  /// False when there was no such row.
  virtual Result<bool> delete_idempotency_key(std::string_view scope, std::string_view key) = 0;
  /// Deletes the rows created before `before`, completed or not; returns how many.
  virtual Result<std::int64_t> prune_idempotency_keys(TimePoint before) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Runs `fn` in a read-only transaction. Returns fn's error, or a store error.
  virtual Result<void> read(const std::function<Result<void>(Tx&)>& fn) = 0;

  /// Runs `fn` in a write transaction: committed when fn succeeds, rolled back when it fails
  /// or throws (the exception is rethrown). Writers are serialised.
  virtual Result<void> write(const std::function<Result<void>(Tx&)>& fn) = 0;

  /// The highest migration applied to this database.
  virtual Result<int> schema_version() = 0;

  /// Finishes outstanding work and releases the database; later calls fail `unavailable`.
  virtual void close() = 0;
};

/// A write transaction that runs `fn` and appends `entry` to the audit log; both commit or
/// neither does. Every mutation that a user can cause goes through this.
inline Result<void> write_audited(Store& store, const AuditEntry& entry,
                                  const std::function<Result<void>(Tx&)>& fn) {
  return store.write([&](Tx& tx) -> Result<void> {
    if (auto done = fn(tx); !done) {
      return done;
    }
    return tx.append_audit(entry);
  });
}

namespace store_detail {
// Runs `fn` through `run` (a read or write transaction) and hands back fn's value.
template <class T, class Run>
Result<T> value_of(Run run, const std::function<Result<T>(Tx&)>& fn) {
  std::optional<T> out;
  auto done = run([&](Tx& tx) -> Result<void> {
    auto value = fn(tx);
    if (!value) {
      return fail(std::move(value.error()));
    }
    out = std::move(*value);
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*out);
}
}  // namespace store_detail

/// Runs `fn` in a read transaction and returns its value.
template <class T>
Result<T> read_value(Store& store, const std::function<Result<T>(Tx&)>& fn) {
  return store_detail::value_of<T>(
      [&](const std::function<Result<void>(Tx&)>& body) { return store.read(body); }, fn);
}

/// Runs `fn` in a write transaction and returns its value.
template <class T>
Result<T> write_value(Store& store, const std::function<Result<T>(Tx&)>& fn) {
  return store_detail::value_of<T>(
      [&](const std::function<Result<void>(Tx&)>& body) { return store.write(body); }, fn);
}

/// write_audited whose function produces a value.
template <class T>
Result<T> write_audited_value(Store& store, const AuditEntry& entry,
                              const std::function<Result<T>(Tx&)>& fn) {
  return store_detail::value_of<T>(
      [&](const std::function<Result<void>(Tx&)>& body) {
        return write_audited(store, entry, body);
      },
      fn);
}

}  // namespace berth
