#pragma once
/// The SQLite implementation of Tx, run on the connection of the transaction that SqliteStore
/// opened. Internal to berth_store_sqlite. Its statements live by subject in sqlite_tx.cpp
/// (settings, audit), sqlite_tx_identity.cpp (users, teams, memberships), sqlite_tx_access.cpp
/// (sessions, refresh tokens, recovery codes, password resets), sqlite_tx_keys.cpp (API keys,
/// invitations), sqlite_tx_fleet.cpp (servers, install tokens), sqlite_tx_jobs.cpp (jobs, job
/// output) and sqlite_tx_metrics.cpp (metrics, server events), sqlite_tx_apps.cpp (projects, apps,
/// env vars) and sqlite_tx_deploy.cpp (deployments and their events, triggers, proxy settings) and
/// sqlite_tx_idempotency.cpp (idempotency keys), sqlite_tx_domains.cpp (domains),
/// sqlite_tx_services.cpp (managed services and their links) and sqlite_tx_destinations.cpp
/// (backup destinations), sqlite_tx_backups.cpp (backup keys and service backups),
/// sqlite_tx_backup_policies.cpp (backup policies).
///
/// Beyond store.hpp: a unique or foreign-key violation is `conflict`; update_*, delete_*,
/// touch_*, revoke_session, revoke_api_key and mark_refresh_token_used of a missing id are
/// `not_found`; revoking something already revoked keeps the first time; a role other than
/// viewer..owner on a membership, API key or invitation, an unknown audit outcome, page < 1
/// or per_page outside 1..kMaxPerPage are `invalid`. Text search (`q`) is a case-insensitive
/// (ASCII) substring match; LIKE wildcards in it match themselves.

#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_query.hpp"
#include "store/store.hpp"

namespace berth {

class SqliteTx final : public Tx {
 public:
  /// `connection` must have a transaction open for as long as this object is used.
  explicit SqliteTx(SqliteConnection& connection) : connection_(connection) {}

  static constexpr std::int64_t kMaxAuditPerPage = kMaxPerPage;

  Result<std::optional<std::string>> get_setting(std::string_view key) override;
  Result<void> put_setting(std::string_view key, std::string_view value, TimePoint at) override;
  Result<std::map<std::string, std::string>> list_settings() override;

  Result<void> append_audit(const AuditEntry& entry) override;
  Result<Page<AuditEntry>> list_audit(const AuditQuery& query) override;

  Result<void> create_user(const UserRecord& user) override;
  Result<std::optional<UserRecord>> get_user(std::string_view id) override;
  Result<std::optional<UserRecord>> find_user_by_email(std::string_view email) override;
  Result<void> update_user(const UserRecord& user) override;
  Result<std::int64_t> count_users() override;
  Result<Page<UserRecord>> list_users(std::string_view q, std::int64_t page,
                                      std::int64_t per_page) override;

  Result<void> create_team(const TeamRecord& team) override;
  Result<std::optional<TeamRecord>> get_team(std::string_view id) override;
  Result<void> update_team(const TeamRecord& team) override;
  /// Also `conflict` while the team is some user's personal team.
  Result<void> delete_team(std::string_view id) override;
  Result<Page<TeamRecord>> list_teams(std::string_view q, std::int64_t page,
                                      std::int64_t per_page) override;
  Result<std::vector<TeamMembershipRow>> list_user_teams(std::string_view user_id) override;

  /// `conflict` when the team or the user does not exist.
  Result<void> put_membership(const MembershipRecord& membership) override;
  Result<std::optional<MembershipRecord>> get_membership(std::string_view team_id,
                                                         std::string_view user_id) override;
  Result<void> delete_membership(std::string_view team_id, std::string_view user_id) override;
  /// Ordered by membership creation.
  Result<std::vector<MemberRow>> list_members(std::string_view team_id) override;

  Result<void> create_session(const SessionRecord& session) override;
  Result<std::optional<SessionRecord>> find_session_by_token_hash(std::string_view hash) override;
  Result<void> touch_session(std::string_view id, TimePoint last_seen_at) override;
  Result<void> revoke_session(std::string_view id, TimePoint at) override;
  Result<void> revoke_user_sessions(std::string_view user_id, std::string_view keep_id,
                                    TimePoint at) override;
  Result<void> revoke_chain_sessions(std::string_view chain_id, TimePoint at) override;
  Result<std::vector<SessionRecord>> list_user_sessions(std::string_view user_id, SessionKind kind,
                                                        TimePoint now) override;

  Result<void> create_refresh_token(const RefreshTokenRecord& token) override;
  Result<std::optional<RefreshTokenRecord>> find_refresh_token_by_hash(
      std::string_view hash) override;
  Result<void> mark_refresh_token_used(std::string_view id, TimePoint at) override;
  Result<void> revoke_refresh_chain(std::string_view chain_id, TimePoint at) override;
  Result<void> revoke_user_refresh_tokens(std::string_view user_id, TimePoint at) override;

  Result<void> create_api_key(const ApiKeyRecord& key) override;
  Result<std::optional<ApiKeyRecord>> find_api_key_by_hash(std::string_view hash) override;
  Result<std::optional<ApiKeyRecord>> get_api_key(std::string_view team_id,
                                                  std::string_view id) override;
  Result<std::vector<ApiKeyRecord>> list_api_keys(std::string_view team_id) override;
  Result<void> revoke_api_key(std::string_view id, TimePoint at) override;
  Result<void> touch_api_key(std::string_view id, TimePoint last_used_at) override;

  Result<void> create_invitation(const InvitationRecord& invitation) override;
  Result<std::optional<InvitationRecord>> find_invitation_by_hash(std::string_view hash) override;
  Result<std::optional<InvitationRecord>> get_invitation(std::string_view team_id,
                                                         std::string_view id) override;
  Result<std::vector<InvitationRecord>> list_pending_invitations(std::string_view team_id,
                                                                 TimePoint now) override;
  Result<void> update_invitation(const InvitationRecord& invitation) override;

  /// `conflict` when the user does not exist.
  Result<void> replace_recovery_codes(std::string_view user_id,
                                      const std::vector<std::string>& code_hashes) override;
  Result<bool> use_recovery_code(std::string_view user_id, std::string_view code_hash,
                                 TimePoint at) override;
  Result<std::int64_t> count_unused_recovery_codes(std::string_view user_id) override;

  /// A duplicate token hash or an unknown user is `conflict`.
  Result<void> create_password_reset(const PasswordResetRecord& reset) override;
  Result<std::optional<PasswordResetRecord>> find_password_reset_by_hash(
      std::string_view hash) override;
  Result<bool> use_password_reset(std::string_view id, TimePoint at) override;
  Result<void> revoke_user_password_resets(std::string_view user_id, TimePoint at) override;

  // The fleet. A status, scheduling, job state or output stream outside the words listed in
  // fleet_records.hpp is `invalid` (field named), as is a list limit outside 1..kMaxPerPage.

  /// A name taken in the team is `conflict` with code "server_name_taken"; a duplicate id,
  /// a duplicate agent token hash or a missing team is a plain `conflict`.
  Result<void> create_server(const ServerRecord& server) override;
  Result<std::optional<ServerRecord>> get_server(std::string_view team_id,
                                                 std::string_view id) override;
  /// "" never matches: it means "no agent enrolled".
  Result<std::optional<ServerRecord>> find_server_by_agent_token_hash(
      std::string_view hash) override;
  /// Renaming onto a name taken in the team is `conflict` "server_name_taken".
  Result<void> update_server(const ServerRecord& server) override;
  Result<void> delete_server(std::string_view id) override;
  /// Ordered by name, then id.
  Result<Page<ServerRecord>> list_servers(std::string_view team_id, std::string_view q,
                                          std::int64_t page, std::int64_t per_page) override;
  /// Ordered by creation; an empty `statuses` lists none.
  Result<std::vector<ServerRecord>> list_servers_with_status(
      const std::vector<std::string>& statuses) override;

  /// A server_id naming no server is `conflict`.
  Result<void> create_install_token(const InstallTokenRecord& token) override;
  Result<std::optional<InstallTokenRecord>> find_install_token_by_hash(
      std::string_view hash) override;
  /// Also false for an id that names no token.
  Result<bool> use_install_token(std::string_view id, TimePoint at) override;

  /// A missing team or server is `conflict`.
  Result<void> create_job(const JobRecord& job) override;
  Result<std::optional<JobRecord>> get_job(std::string_view team_id, std::string_view id) override;
  /// Writes every column, except that last_seq never drops below the highest seq stored.
  Result<void> update_job(const JobRecord& job) override;
  /// Newest first (created_at, then id); `states` filters by any of them.
  Result<Page<JobRecord>> list_jobs(const JobQuery& query) override;
  /// Output of a job that does not exist is `conflict`.
  Result<bool> append_job_output(const JobOutputChunk& chunk) override;
  Result<std::int64_t> job_output_bytes(std::string_view job_id) override;
  Result<std::int64_t> server_job_output_bytes(std::string_view server_id) override;
  Result<std::int64_t> prune_job_output(std::string_view server_id, std::int64_t bytes,
                                        std::string_view marker) override;
  Result<std::vector<JobOutputChunk>> list_job_output(std::string_view job_id,
                                                      std::int64_t after_seq,
                                                      std::int64_t limit) override;

  /// Buckets hold per-figure sums and a sample count (the mean is sum / samples, exact however
  /// many calls fed it); bucket_start = floor(unix seconds / resolution) * resolution. Samples
  /// of servers that do not exist (any more) are dropped; a resolution below 1 or a figure
  /// that is not finite is `invalid` and records nothing.
  Result<void> record_metric_samples(const std::vector<MetricSample>& samples,
                                     const std::vector<std::int64_t>& resolutions) override;
  Result<std::vector<MetricPoint>> list_metric_points(std::string_view server_id,
                                                      std::int64_t resolution, TimePoint from,
                                                      TimePoint to) override;
  Result<std::int64_t> prune_metric_points(std::int64_t resolution, TimePoint before) override;

  /// `event.seq` is ignored; seqs are never reused, even after pruning. A server that does
  /// not exist is `conflict`.
  Result<std::int64_t> append_server_event(const ServerEventRecord& event) override;
  Result<std::vector<ServerEventRecord>> list_server_events(std::string_view server_id,
                                                            std::int64_t after_seq,
                                                            std::int64_t limit) override;
  /// Deletes the events (of every server) with `at` before `before`; returns how many.
  Result<std::int64_t> prune_server_events(TimePoint before) override;

  // Apps and deployments. A status, state, trigger, event, scope or tls outside the words
  // listed in app_records.hpp is `invalid` (field named), as is a list limit outside
  // 1..kMaxPerPage.

  /// A name taken in the team is `conflict` with code "project_name_taken"; a duplicate id
  /// or a missing team is a plain `conflict`.
  Result<void> create_project(const ProjectRecord& project) override;
  Result<std::optional<ProjectRecord>> get_project(std::string_view team_id,
                                                   std::string_view id) override;
  /// Renaming onto a name taken in the team is `conflict` "project_name_taken".
  Result<void> update_project(const ProjectRecord& project) override;
  /// Its apps stay, with project_id "".
  Result<void> delete_project(std::string_view id) override;
  /// Ordered by name, then id.
  Result<Page<ProjectRecord>> list_projects(std::string_view team_id, std::int64_t page,
                                            std::int64_t per_page) override;

  /// A name taken in the team is `conflict` "app_name_taken", a hostname taken on the server
  /// `conflict` "hostname_taken" (hostname "" is no hostname: any number of apps may have
  /// none); a duplicate id or a missing team, project or server is a plain `conflict`.
  Result<void> create_app(const AppRecord& app) override;
  Result<std::optional<AppRecord>> get_app(std::string_view team_id, std::string_view id) override;
  /// The same conflicts as create_app.
  Result<void> update_app(const AppRecord& app) override;
  Result<void> delete_app(std::string_view id) override;
  /// Ordered by name, then id; `q` is a case-insensitive substring of the name.
  Result<Page<AppRecord>> list_apps(const AppQuery& query) override;
  Result<std::vector<AppRecord>> list_server_apps(std::string_view server_id) override;
  Result<std::int64_t> count_project_apps(std::string_view project_id) override;
  Result<std::int64_t> count_server_apps(std::string_view server_id) override;

  /// The scope_id is not checked: the service puts vars only on apps and projects it read.
  Result<void> put_env_var(const EnvVarRecord& var) override;
  Result<bool> delete_env_var(std::string_view scope, std::string_view scope_id,
                              std::string_view key) override;
  Result<std::vector<EnvVarRecord>> list_env_vars(std::string_view scope,
                                                  std::string_view scope_id) override;
  /// Each record is stored under the call's scope and scope_id, whatever it says itself.
  Result<void> replace_env_vars(std::string_view scope, std::string_view scope_id,
                                const std::vector<EnvVarRecord>& vars) override;

  /// A missing team, app or server is `conflict`.
  Result<void> create_deployment(const DeploymentRecord& deployment) override;
  Result<std::optional<DeploymentRecord>> get_deployment(std::string_view team_id,
                                                         std::string_view id) override;
  /// Writes every column, except that last_seq never drops below the highest seq stored.
  Result<void> update_deployment(const DeploymentRecord& deployment) override;
  /// `states` filters by any of them.
  Result<Page<DeploymentRecord>> list_deployments(const DeploymentQuery& query) override;
  /// `event.seq` is ignored. Events of a deployment that does not exist are `conflict`.
  Result<std::int64_t> append_deployment_event(const DeploymentEventRecord& event) override;
  Result<std::vector<DeploymentEventRecord>> list_deployment_events(std::string_view deployment_id,
                                                                    std::int64_t after_seq,
                                                                    std::int64_t limit) override;

  /// A delivery for an app that does not exist is `conflict`.
  Result<bool> record_webhook_delivery(std::string_view app_id, std::string_view delivery_id,
                                       TimePoint at) override;
  /// Deletes the deliveries (of every app) received before `before`; returns how many.
  Result<std::int64_t> prune_webhook_deliveries(TimePoint before) override;
  /// A duplicate token hash, or a missing team or app, is `conflict`.
  Result<void> create_deploy_hook(const DeployHookRecord& hook) override;
  Result<std::optional<DeployHookRecord>> find_deploy_hook_by_hash(std::string_view hash) override;
  /// Newest first (created_at, then id).
  Result<std::vector<DeployHookRecord>> list_deploy_hooks(std::string_view app_id) override;
  Result<bool> delete_deploy_hook(std::string_view app_id, std::string_view id) override;
  Result<void> touch_deploy_hook(std::string_view id, TimePoint at) override;

  Result<void> create_domain(const DomainRecord& domain) override;
  Result<std::optional<DomainRecord>> get_domain(std::string_view team_id,
                                                 std::string_view id) override;
  Result<void> update_domain(const DomainRecord& domain) override;
  Result<void> delete_domain(std::string_view id) override;
  Result<Page<DomainRecord>> list_domains(const DomainQuery& query) override;
  Result<std::vector<DomainRecord>> list_app_domains(std::string_view app_id) override;
  Result<std::vector<DomainRecord>> list_server_domains(std::string_view server_id) override;
  Result<std::vector<DomainRecord>> find_domains_by_hostname(std::string_view hostname) override;
  Result<std::vector<std::string>> list_domains_to_check(TimePoint before,
                                                         std::int64_t limit) override;

  Result<void> create_backup_destination(const BackupDestinationRecord& destination) override;
  Result<std::optional<BackupDestinationRecord>> get_backup_destination(
      std::string_view team_id, std::string_view id) override;
  Result<void> update_backup_destination(const BackupDestinationRecord& destination) override;
  Result<void> delete_backup_destination(std::string_view id) override;
  Result<Page<BackupDestinationRecord>> list_backup_destinations(
      const BackupDestinationQuery& query) override;
  Result<std::optional<BackupKeyRecord>> get_backup_key(std::string_view team_id) override;
  Result<void> create_backup_key(const BackupKeyRecord& key) override;
  Result<void> create_service_backup(const ServiceBackupRecord& backup) override;
  Result<std::optional<ServiceBackupRecord>> get_service_backup(std::string_view team_id,
                                                                std::string_view id) override;
  Result<void> update_service_backup(const ServiceBackupRecord& backup) override;
  Result<Page<ServiceBackupRecord>> list_service_backups(const ServiceBackupQuery& query) override;
  Result<void> create_backup_restore(const BackupRestoreRecord& restore) override;
  Result<std::optional<BackupRestoreRecord>> get_backup_restore(std::string_view team_id,
                                                                std::string_view id) override;
  Result<void> update_backup_restore(const BackupRestoreRecord& restore) override;
  Result<std::vector<BackupRestoreRecord>> list_running_restores() override;
  Result<void> put_backup_policy(const BackupPolicyRecord& policy) override;
  Result<std::optional<BackupPolicyRecord>> get_backup_policy(std::string_view team_id,
                                                              std::string_view service_id) override;
  Result<bool> delete_backup_policy(std::string_view service_id) override;
  Result<std::vector<BackupPolicyRecord>> list_due_backup_policies(TimePoint now,
                                                                   std::int64_t limit) override;
  Result<bool> claim_backup_policy(std::string_view service_id, TimePoint seen,
                                   std::optional<TimePoint> next, std::string_view backup_id,
                                   TimePoint at) override;
  Result<std::vector<BackupPolicyRecord>> list_unsettled_backup_policies(
      std::int64_t limit) override;
  Result<bool> settle_backup_policy(std::string_view service_id,
                                    std::string_view backup_id) override;
  Result<std::optional<BackupPolicyRecord>> get_volume_backup_policy(
      std::string_view team_id, std::string_view app_id, std::string_view mount_target) override;
  Result<std::vector<BackupPolicyRecord>> list_volume_backup_policies(
      std::string_view team_id, std::string_view app_id) override;
  Result<bool> delete_volume_backup_policy(std::string_view app_id,
                                           std::string_view mount_target) override;
  Result<bool> claim_volume_backup_policy(std::string_view app_id, std::string_view mount_target,
                                          TimePoint seen, std::optional<TimePoint> next,
                                          std::string_view backup_id, TimePoint at) override;
  Result<bool> settle_volume_backup_policy(std::string_view app_id, std::string_view mount_target,
                                           std::string_view backup_id) override;
  Result<bool> delete_service_backup(std::string_view id) override;
  Result<void> create_backup_drill(const BackupDrillRecord& drill) override;
  Result<std::optional<BackupDrillRecord>> get_backup_drill(std::string_view team_id,
                                                            std::string_view id) override;
  Result<void> update_backup_drill(const BackupDrillRecord& drill) override;
  Result<std::vector<BackupDrillRecord>> list_backup_drills(std::string_view team_id,
                                                            std::string_view backup_id,
                                                            std::int64_t limit) override;
  Result<std::vector<BackupDrillRecord>> list_running_drills() override;
  Result<std::vector<ServiceBackupRecord>> list_drill_candidates(TimePoint drilled_since,
                                                                 std::int64_t limit) override;

  Result<std::optional<ProxySettingsRecord>> get_proxy_settings(
      std::string_view server_id) override;
  /// Insert or replace; a server that does not exist is `conflict`.
  Result<void> put_proxy_settings(const ProxySettingsRecord& settings) override;
  Result<std::optional<AppEdgeRecord>> get_app_edge(std::string_view app_id) override;
  Result<void> put_app_edge(const AppEdgeRecord& edge) override;

  Result<void> create_service(const ServiceRecord& service) override;
  Result<std::optional<ServiceRecord>> get_service(std::string_view team_id,
                                                   std::string_view id) override;
  Result<void> update_service(const ServiceRecord& service) override;
  Result<void> delete_service(std::string_view id) override;
  Result<Page<ServiceRecord>> list_services(const ServiceQuery& query) override;
  Result<std::int64_t> count_project_services(std::string_view project_id) override;
  Result<void> put_service_link(const ServiceLinkRecord& link) override;
  Result<bool> delete_service_link(std::string_view app_id, std::string_view service_id) override;
  Result<std::vector<ServiceLinkRecord>> list_app_links(std::string_view app_id) override;
  Result<std::vector<ServiceLinkRecord>> list_service_links(std::string_view service_id) override;

  Result<void> create_idempotency_key(const IdempotencyRecord& record) override;
  Result<std::optional<IdempotencyRecord>> get_idempotency_key(std::string_view scope,
                                                               std::string_view key) override;
  Result<void> complete_idempotency_key(std::string_view scope, std::string_view key,
                                        std::string_view answer_sealed, TimePoint at) override;
  Result<bool> delete_idempotency_key(std::string_view scope, std::string_view key) override;
  Result<std::int64_t> prune_idempotency_keys(TimePoint before) override;

 private:
  SqliteConnection& connection_;
};

}  // namespace berth
