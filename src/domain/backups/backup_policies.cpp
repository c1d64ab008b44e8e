#include "domain/backups/backup_policies.hpp"

#include "domain/backups/cron_schedule.hpp"
#include "domain/backups/destination_rules.hpp"
#include "domain/backups/volume_backups.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

namespace {

Result<void> check_count(const char* field, std::int64_t value, std::int64_t least) {
  if (value < least || value > kMaxRetentionCount) {
    return fail(Error::validation(field, std::string(field) + " must be between " +
                                             std::to_string(least) + " and " +
                                             std::to_string(kMaxRetentionCount)));
  }
  return {};
}

// The team's service (not_found for another team's) and its policy, if any.
Result<std::optional<BackupPolicyRecord>> service_policy(Tx& tx, std::string_view team_id,
                                                         std::string_view service_id) {
  auto service = tx.get_service(team_id, service_id);
  if (!service) {
    return fail(std::move(service.error()));
  }
  if (!*service) {
    return fail(Error::not_found("no such service"));
  }
  return tx.get_backup_policy(team_id, service_id);
}

// The app's mount of the named volume `volume` (its target) and that mount's policy, if any.
Result<std::pair<std::string, std::optional<BackupPolicyRecord>>> volume_policy(
    Tx& tx, std::string_view team_id, std::string_view app_id, std::string_view volume) {
  auto target = volume_mount_target(tx, team_id, app_id, volume);
  if (!target) {
    return fail(std::move(target.error()));
  }
  auto policy = tx.get_volume_backup_policy(team_id, app_id, *target);
  if (!policy) {
    return fail(std::move(policy.error()));
  }
  return std::pair{std::move(*target), std::move(*policy)};
}

Result<BackupPolicyView> policy_view_of(Tx& tx, BackupPolicyRecord policy) {
  BackupPolicyView view{.policy = std::move(policy)};
  if (!view.policy.last_backup_id.empty()) {
    auto last = tx.get_service_backup(view.policy.team_id, view.policy.last_backup_id);
    if (!last) {
      return fail(std::move(last.error()));
    }
    view.last_run = std::move(*last);
  }
  return view;
}

}  // namespace

Result<void> check_backup_policy_input(const BackupPolicyInput& input) {
  if (auto schedule = cron::parse(input.schedule); !schedule) {
    return fail(std::move(schedule.error()));
  }
  if (!cron::known_zone(input.timezone)) {
    return fail(Error::validation("timezone", "'" + input.timezone +
                                                  "' is not a known IANA time zone (such as "
                                                  "UTC or Europe/Berlin)"));
  }
  if (input.destination_id.empty()) {
    return fail(Error::validation("destination_id", "destination_id is required"));
  }
  for (auto [field, value, least] :
       {std::tuple{"retention.keep_last", input.keep_last, std::int64_t{1}},
        std::tuple{"retention.keep_daily", input.keep_daily, std::int64_t{0}},
        std::tuple{"retention.keep_weekly", input.keep_weekly, std::int64_t{0}},
        std::tuple{"retention.keep_monthly", input.keep_monthly, std::int64_t{0}}}) {
    if (auto ok = check_count(field, value, least); !ok) {
      return ok;
    }
  }
  return {};
}

Result<BackupPolicyView> BackupPolicies::get(const Principal& who, std::string_view team_id,
                                             std::string_view service_id) {
  return read_value<BackupPolicyView>(ctx_.store(), [&](Tx& tx) -> Result<BackupPolicyView> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto policy = service_policy(tx, team_id, service_id);
    if (!policy) {
      return fail(std::move(policy.error()));
    }
    if (!*policy) {
      return fail(Error::not_found("the service has no backup policy"));
    }
    return policy_view_of(tx, std::move(**policy));
  });
}

Result<BackupPolicyView> BackupPolicies::put(const Principal& who, std::string_view team_id,
                                             std::string_view service_id,
                                             const BackupPolicyInput& input,
                                             const ClientInfo& client) {
  const Locate locate = [&](Tx& tx) -> Result<PolicySlot> {
    auto existing = service_policy(tx, team_id, service_id);
    if (!existing) {
      return fail(std::move(existing.error()));
    }
    return PolicySlot{.key = BackupPolicyRecord{.service_id = std::string(service_id)},
                      .existing = std::move(*existing)};
  };
  return put_at(who, team_id, locate, input,
                make_audit(ctx_, actor_of(who, client), "service.backup_policy.put",
                           std::string(service_id), std::string(team_id),
                           {{"schedule", input.schedule},
                            {"timezone", input.timezone},
                            {"destination_id", input.destination_id},
                            {"enabled", input.enabled}}));
}

Result<BackupPolicyView> BackupPolicies::put_volume(const Principal& who, std::string_view team_id,
                                                    std::string_view app_id,
                                                    std::string_view volume,
                                                    const BackupPolicyInput& input,
                                                    const ClientInfo& client) {
  const Locate locate = [&](Tx& tx) -> Result<PolicySlot> {
    auto existing = volume_policy(tx, team_id, app_id, volume);
    if (!existing) {
      return fail(std::move(existing.error()));
    }
    return PolicySlot{.key = BackupPolicyRecord{.subject = "volume",
                                                .app_id = std::string(app_id),
                                                .mount_target = std::move(existing->first)},
                      .existing = std::move(existing->second)};
  };
  return put_at(who, team_id, locate, input,
                make_audit(ctx_, actor_of(who, client), "app.volume_backup_policy.put",
                           std::string(app_id), std::string(team_id),
                           {{"volume", std::string(volume)},
                            {"schedule", input.schedule},
                            {"timezone", input.timezone},
                            {"destination_id", input.destination_id},
                            {"enabled", input.enabled}}));
}

Result<BackupPolicyView> BackupPolicies::put_at(const Principal& who, std::string_view team_id,
                                                const Locate& locate,
                                                const BackupPolicyInput& input, AuditEntry audit) {
  if (auto checked = check_backup_policy_input(input); !checked) {
    return fail(std::move(checked.error()));
  }
  const TimePoint now = ctx_.clock().now();
  auto next = cron::next_run_of(input.schedule, input.timezone, now);
  if (!next) {
    return fail(std::move(next.error()));
  }
  return write_audited_value<BackupPolicyView>(
      ctx_.store(), std::move(audit), [&](Tx& tx) -> Result<BackupPolicyView> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        auto slot = locate(tx);
        if (!slot) {
          return fail(std::move(slot.error()));
        }
        auto destination = tx.get_backup_destination(team_id, input.destination_id);
        if (!destination) {
          return fail(std::move(destination.error()));
        }
        if (!*destination) {
          return fail(Error::not_found("no such destination"));
        }
        if (auto usable =
                backups::check_backup_target((*destination)->kind, (*destination)->config);
            !usable) {
          return fail(std::move(usable.error()));
        }
        BackupPolicyRecord fresh = std::move(slot->key);
        fresh.team_id = std::string(team_id);
        fresh.created_by = principal_id(who);
        fresh.created_at = now;
        BackupPolicyRecord policy = slot->existing.value_or(std::move(fresh));
        policy.schedule = input.schedule;
        policy.timezone = input.timezone;
        policy.destination_id = input.destination_id;
        policy.enabled = input.enabled;
        policy.keep_last = input.keep_last;
        policy.keep_daily = input.keep_daily;
        policy.keep_weekly = input.keep_weekly;
        policy.keep_monthly = input.keep_monthly;
        policy.next_run_at = input.enabled ? std::optional(*next) : std::nullopt;
        policy.updated_at = now;
        if (auto stored = tx.put_backup_policy(policy); !stored) {
          return fail(std::move(stored.error()));
        }
        return policy_view_of(tx, std::move(policy));
      });
}

Result<void> BackupPolicies::remove(const Principal& who, std::string_view team_id,
                                    std::string_view service_id, const ClientInfo& client) {
  return write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "service.backup_policy.delete",
                 std::string(service_id), std::string(team_id), nlohmann::json::object()),
      [&](Tx& tx) -> Result<void> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        auto existing = service_policy(tx, team_id, service_id);
        if (!existing) {
          return fail(std::move(existing.error()));
        }
        if (!*existing) {
          return fail(Error::not_found("the service has no backup policy"));
        }
        auto deleted = tx.delete_backup_policy(service_id);
        if (!deleted) {
          return fail(std::move(deleted.error()));
        }
        return {};
      });
}

Result<BackupPolicyView> BackupPolicies::get_volume(const Principal& who, std::string_view team_id,
                                                    std::string_view app_id,
                                                    std::string_view volume) {
  return read_value<BackupPolicyView>(ctx_.store(), [&](Tx& tx) -> Result<BackupPolicyView> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto policy = volume_policy(tx, team_id, app_id, volume);
    if (!policy) {
      return fail(std::move(policy.error()));
    }
    if (!policy->second) {
      return fail(Error::not_found("the volume has no backup policy"));
    }
    return policy_view_of(tx, std::move(*policy->second));
  });
}

Result<void> BackupPolicies::remove_volume(const Principal& who, std::string_view team_id,
                                           std::string_view app_id, std::string_view volume,
                                           const ClientInfo& client) {
  return write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "app.volume_backup_policy.delete",
                 std::string(app_id), std::string(team_id), {{"volume", std::string(volume)}}),
      [&](Tx& tx) -> Result<void> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        auto existing = volume_policy(tx, team_id, app_id, volume);
        if (!existing) {
          return fail(std::move(existing.error()));
        }
        if (!existing->second) {
          return fail(Error::not_found("the volume has no backup policy"));
        }
        auto deleted = tx.delete_volume_backup_policy(app_id, existing->first);
        if (!deleted) {
          return fail(std::move(deleted.error()));
        }
        return {};
      });
}

}  // namespace berth
