#include "domain/backups/destination_service.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "domain/backups/destination_rules.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

namespace {

using nlohmann::json;

Result<BackupDestinationRecord> team_destination(Tx& tx, std::string_view team_id,
                                                 std::string_view id) {
  if (!is_valid_id("bdst", id)) {
    return fail(Error::not_found("no such backup destination"));
  }
  auto found = tx.get_backup_destination(team_id, id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found) {
    return fail(Error::not_found("no such backup destination"));
  }
  return std::move(**found);
}

// What the audit log keeps of a destination: where, never a secret.
json destination_audit_details(const BackupDestinationRecord& d) {
  json details = {{"name", d.name}, {"kind", d.kind}};
  for (const char* field : {"endpoint", "bucket", "prefix", "host", "port", "path"}) {
    if (d.config.contains(field)) {
      details[field] = d.config[field];
    }
  }
  return details;
}

// config + secrets as the flat settings parse_destination reads (derived fields dropped).
json settings_of(const BackupDestinationRecord& d, const json& secrets) {
  json settings = d.config;
  settings.erase("access_key_hint");
  settings.erase("auth");
  for (const auto& [name, value] : secrets.items()) {
    settings[name] = value;
  }
  return settings;
}

Result<void> apply_parts(const AreaContext& ctx, BackupDestinationRecord& d, std::string_view kind,
                         const json& settings) {
  auto parts = backups::parse_destination(kind, settings);
  if (!parts) {
    // The fields sit under the kind's member in the body ("s3.bucket").
    Error error = std::move(parts.error());
    const std::string prefix = std::string(kind) + ".";
    if (error.details.contains("field") && error.details["field"].is_string() &&
        !error.details["field"].get<std::string>().starts_with(prefix) &&
        error.details["field"] != "kind") {
      error.details["field"] = prefix + error.details["field"].get<std::string>();
    }
    return fail(std::move(error));
  }
  d.config = std::move(parts->config);
  d.secrets_sealed = crypto::seal(ctx.services.master_key, ctx.random(), parts->secrets.dump());
  return {};
}

// The patch over the stored settings. Moving a destination needs its secret typed again.
Result<json> patched_settings(const BackupDestinationRecord& d, const json& secrets,
                              const json& patch) {
  json settings = settings_of(d, secrets);
  const bool s3 = d.kind == "s3";
  const char* place = s3 ? "endpoint" : "host";
  const bool moved = patch.contains(place) && patch[place] != d.config.value(place, json());
  for (const auto& [name, value] : patch.items()) {
    if (value.is_null()) {
      settings.erase(name);
    } else {
      settings[name] = value;
    }
  }
  if (!s3) {
    // One way to sign in: a new password replaces a key and the other way round.
    if (patch.contains("password") && !patch["password"].is_null()) {
      settings.erase("private_key");
      settings.erase("private_key_passphrase");
    } else if (patch.contains("private_key") && !patch["private_key"].is_null()) {
      settings.erase("password");
    }
  }
  if (moved) {
    const std::vector<std::string> secret_fields =
        s3 ? std::vector<std::string>{"secret_access_key"}
           : std::vector<std::string>{"password", "private_key"};
    bool given = false;
    for (const auto& field : secret_fields) {
      given = given || (patch.contains(field) && !patch[field].is_null());
    }
    if (!given) {
      return fail(Error::validation(std::string(s3 ? "s3." : "sftp.") + secret_fields.front(),
                                    std::string("give the secret again when the ") + place +
                                        " changes: a stored secret is never sent to a new place"));
    }
    if (!s3 && !patch.contains("host_key_fingerprint")) {
      settings.erase("host_key_fingerprint");
    }
  }
  return settings;
}

std::int64_t steps_failed(const ProbeReport& report) {
  std::int64_t failed = 0;
  for (const auto& step : report.steps) {
    failed += step.ok ? 0 : 1;
  }
  return failed;
}

json report_json(const ProbeReport& report) {
  json steps = json::array();
  for (const auto& step : report.steps) {
    json one = {{"step", step.step}, {"ok", step.ok}, {"ms", step.ms}};
    if (!step.ok) {
      one["error"] = step.error;
      one["code"] = step.code;
    }
    steps.push_back(std::move(one));
  }
  return {{"ok", report.ok}, {"steps", steps}};
}

}  // namespace

Result<json> open_destination_secrets(const AreaContext& ctx, const BackupDestinationRecord& d) {
  if (d.secrets_sealed.empty()) {
    return json::object();
  }
  auto opened = crypto::open_sealed(ctx.services.master_key, d.secrets_sealed);
  if (!opened) {
    return fail(Error::internal("cannot open the sealed secrets of destination " + d.id));
  }
  json secrets = json::parse(*opened, nullptr, false);
  if (!secrets.is_object()) {
    return fail(Error::internal("the sealed secrets of destination " + d.id + " are not JSON"));
  }
  return secrets;
}

Result<Page<BackupDestinationRecord>> DestinationService::list(const Principal& who,
                                                               std::string_view team_id,
                                                               const DestinationFilter& filter,
                                                               const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ok = check_filter(filter.q, "q"); !ok) {
    return fail(std::move(ok.error()));
  }
  if (!filter.kind.empty() && !backups::is_destination_kind(filter.kind)) {
    return fail(Error::validation("kind", "kind must be s3 or sftp"));
  }
  return read_value<Page<BackupDestinationRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<Page<BackupDestinationRecord>> {
        if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
          return fail(std::move(role.error()));
        }
        return tx.list_backup_destinations(BackupDestinationQuery{.team_id = std::string(team_id),
                                                                  .kind = filter.kind,
                                                                  .q = filter.q,
                                                                  .page = page.page,
                                                                  .per_page = page.per_page});
      });
}

Result<BackupDestinationRecord> DestinationService::get(const Principal& who,
                                                        std::string_view team_id,
                                                        std::string_view id) {
  return read_value<BackupDestinationRecord>(
      ctx_.store(), [&](Tx& tx) -> Result<BackupDestinationRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
          return fail(std::move(role.error()));
        }
        return team_destination(tx, team_id, id);
      });
}

Result<BackupDestinationRecord> DestinationService::create(const Principal& who,
                                                           std::string_view team_id,
                                                           const DestinationInput& input,
                                                           const ClientInfo& client) {
  if (auto ok = backups::check_destination_name(input.name); !ok) {
    return fail(std::move(ok.error()));
  }
  if (!backups::is_destination_kind(input.kind)) {
    return fail(Error::validation("kind", "kind must be s3 or sftp"));
  }
  const TimePoint now = ctx_.clock().now();
  BackupDestinationRecord d{.id = ctx_.ids().next("bdst"),
                            .team_id = std::string(team_id),
                            .name = input.name,
                            .kind = input.kind};
  if (auto applied = apply_parts(ctx_, d, input.kind, input.settings); !applied) {
    return fail(std::move(applied.error()));
  }
  d.created_by = who.user_id;
  d.created_at = now;
  d.updated_at = now;
  return write_audited_value<BackupDestinationRecord>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "backup_destination.create", d.id,
                 std::string(team_id), destination_audit_details(d)),
      [&](Tx& tx) -> Result<BackupDestinationRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
          return fail(std::move(role.error()));
        }
        if (auto created = tx.create_backup_destination(d); !created) {
          return fail(std::move(created.error()));
        }
        return d;
      });
}

Result<BackupDestinationRecord> DestinationService::update(const Principal& who,
                                                           std::string_view team_id,
                                                           std::string_view id,
                                                           const DestinationPatch& patch,
                                                           const ClientInfo& client) {
  if (patch.name) {
    if (auto ok = backups::check_destination_name(*patch.name); !ok) {
      return fail(std::move(ok.error()));
    }
  }
  json details = json::object();
  auto updated = write_value<BackupDestinationRecord>(
      ctx_.store(), [&](Tx& tx) -> Result<BackupDestinationRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
          return fail(std::move(role.error()));
        }
        auto d = team_destination(tx, team_id, id);
        if (!d) {
          return fail(std::move(d.error()));
        }
        if (patch.name) {
          d->name = *patch.name;
        }
        if (!patch.settings.empty()) {
          auto secrets = open_destination_secrets(ctx_, *d);
          if (!secrets) {
            return fail(std::move(secrets.error()));
          }
          auto settings = patched_settings(*d, *secrets, patch.settings);
          if (!settings) {
            return fail(std::move(settings.error()));
          }
          if (auto applied = apply_parts(ctx_, *d, d->kind, *settings); !applied) {
            return fail(std::move(applied.error()));
          }
        }
        d->updated_at = ctx_.clock().now();
        if (auto stored = tx.update_backup_destination(*d); !stored) {
          return fail(std::move(stored.error()));
        }
        json changed = json::array();
        for (const auto& [name, value] : patch.settings.items()) {
          changed.push_back(name);  // names only: some are secrets
        }
        details = destination_audit_details(*d);
        details["changed"] = changed;
        if (auto logged =
                tx.append_audit(make_audit(ctx_, actor_of(who, client), "backup_destination.update",
                                           d->id, std::string(team_id), details));
            !logged) {
          return fail(std::move(logged.error()));
        }
        return std::move(*d);
      });
  return updated;
}

Result<void> DestinationService::remove(const Principal& who, std::string_view team_id,
                                        std::string_view id, const ClientInfo& client) {
  return ctx_.store().write([&](Tx& tx) -> Result<void> {
    if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
      return fail(std::move(role.error()));
    }
    auto d = team_destination(tx, team_id, id);
    if (!d) {
      return fail(std::move(d.error()));
    }
    if (auto deleted = tx.delete_backup_destination(d->id); !deleted) {
      return deleted;
    }
    return tx.append_audit(make_audit(ctx_, actor_of(who, client), "backup_destination.delete",
                                      d->id, std::string(team_id), destination_audit_details(*d)));
  });
}

Result<DestinationTestResult> DestinationService::test(const Principal& who,
                                                       std::string_view team_id,
                                                       std::string_view id,
                                                       const ClientInfo& client) {
  if (probe_ == nullptr) {
    return fail(Error::unavailable("destination tests are not available on this instance"));
  }
  auto before = read_value<BackupDestinationRecord>(
      ctx_.store(), [&](Tx& tx) -> Result<BackupDestinationRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
          return fail(std::move(role.error()));
        }
        return team_destination(tx, team_id, id);
      });
  if (!before) {
    return fail(std::move(before.error()));
  }
  auto secrets = open_destination_secrets(ctx_, *before);
  if (!secrets) {
    return fail(std::move(secrets.error()));
  }
  // A random name and content: two tests at once never meet, and a stale object from a test
  // that died half-way is recognisable by its name.
  const std::string object_name = "berth-probe-" + random_hex(ctx_.random(), 12);
  const std::string content = "berth destination probe " + random_hex(ctx_.random(), 32) + "\n";
  ProbeReport report =
      before->kind == "s3"
          ? probe_->probe_s3(backups::s3_target_of(before->config, *secrets), object_name, content)
          : probe_->probe_sftp(backups::sftp_target_of(before->config, *secrets), object_name,
                               content);
  log::info(
      "backup_destination.tested",
      {{"destination", before->id}, {"ok", report.ok}, {"failed_steps", steps_failed(report)}});

  const TimePoint now = ctx_.clock().now();
  auto after = write_value<BackupDestinationRecord>(
      ctx_.store(), [&](Tx& tx) -> Result<BackupDestinationRecord> {
        auto d = team_destination(tx, team_id, id);
        if (!d) {
          return fail(std::move(d.error()));
        }
        d->last_test = report_json(report);
        d->last_tested_at = now;
        json details = {{"name", d->name}, {"ok", report.ok}};
        if (report.ok && d->kind == "sftp" && !report.host_key_fingerprint.empty() &&
            d->config.value("host_key_fingerprint", "").empty() &&
            d->config.value("host", "") == before->config.value("host", "")) {
          d->config["host_key_fingerprint"] = report.host_key_fingerprint;
          details["pinned_host_key"] = report.host_key_fingerprint;
        }
        if (auto stored = tx.update_backup_destination(*d); !stored) {
          return fail(std::move(stored.error()));
        }
        if (auto logged = tx.append_audit(
                make_audit(ctx_, actor_of(who, client), "backup_destination.test", d->id,
                           std::string(team_id), details, report.ok ? "success" : "failure"));
            !logged) {
          return fail(std::move(logged.error()));
        }
        return std::move(*d);
      });
  if (!after) {
    return fail(std::move(after.error()));
  }
  return DestinationTestResult{.report = std::move(report), .destination = std::move(*after)};
}

}  // namespace berth
