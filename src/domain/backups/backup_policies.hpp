#pragma once
/// Backup policies of managed services (issue 15): a cron schedule in an IANA time zone, the
/// destination, and the retention. One per service. Viewers read a policy; members set and
/// remove it (as they run backups). Every change is audited. Blocking (store): worker threads.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/service_context.hpp"
#include "store/backup_records.hpp"

namespace berth {

/// What a caller sets; absent members take their defaults (zone UTC, enabled, keep_last 7).
struct BackupPolicyInput {
  std::string schedule = {};
  std::string timezone = "UTC";
  std::string destination_id = {};
  bool enabled = true;
  std::int64_t keep_last = 7;
  std::int64_t keep_daily = 0;
  std::int64_t keep_weekly = 0;
  std::int64_t keep_monthly = 0;
};

/// A policy with its last run's backup (gone when retention or the team removed it).
struct BackupPolicyView {
  BackupPolicyRecord policy = {};
  std::optional<ServiceBackupRecord> last_run = {};
};

/// The most a retention count may be (a policy keeping more would never prune).
inline constexpr std::int64_t kMaxRetentionCount = 1000;

/// Error::validation naming the field for a bad schedule (and the part that is wrong), an
/// unknown zone, or a retention count outside 0..1000 (keep_last 1..1000). Pure.
Result<void> check_backup_policy_input(const BackupPolicyInput& input);

class BackupPolicies {
 public:
  explicit BackupPolicies(AreaContext ctx) : ctx_(ctx) {}

  /// Viewer. not_found for an unknown service (or another team's) or one without a policy.
  Result<BackupPolicyView> get(const Principal& who, std::string_view team_id,
                               std::string_view service_id);
  /// Member. Creates or replaces the policy and computes its next run from now. validation
  /// as check_backup_policy_input; not_found for an unknown service or a destination not in
  /// the team; unprocessable destination_untested for an SFTP destination
  /// whose host key is not pinned yet.
  Result<BackupPolicyView> put(const Principal& who, std::string_view team_id,
                               std::string_view service_id, const BackupPolicyInput& input,
                               const ClientInfo& client);
  /// Member. not_found when the service has no policy. Its backups stay.
  Result<void> remove(const Principal& who, std::string_view team_id, std::string_view service_id,
                      const ClientInfo& client);

  /// The same for the named volume `volume` of the app `app_id` (its name as the app's settings
  /// give it, with or without the team's prefix). The policy is kept by the mount's target, so
  /// it follows the mount onto the fresh volume a restore makes. not_found for an unknown app,
  /// a volume the app does not mount, or (get, remove) a mount without a policy; unprocessable
  /// not_a_volume for a host-path mount.
  Result<BackupPolicyView> get_volume(const Principal& who, std::string_view team_id,
                                      std::string_view app_id, std::string_view volume);
  Result<BackupPolicyView> put_volume(const Principal& who, std::string_view team_id,
                                      std::string_view app_id, std::string_view volume,
                                      const BackupPolicyInput& input, const ClientInfo& client);
  Result<void> remove_volume(const Principal& who, std::string_view team_id,
                             std::string_view app_id, std::string_view volume,
                             const ClientInfo& client);

 private:
  /// Where a policy is (a fresh record naming its subject) and the one stored there, if any.
  struct PolicySlot {
    BackupPolicyRecord key = {};
    std::optional<BackupPolicyRecord> existing = {};
  };
  using Locate = std::function<Result<PolicySlot>(Tx&)>;
  Result<BackupPolicyView> put_at(const Principal& who, std::string_view team_id,
                                  const Locate& locate, const BackupPolicyInput& input,
                                  AuditEntry audit);

  AreaContext ctx_;
};

}  // namespace berth
