#include "api/backup_policy_routes.hpp"

#include "api/apps_handlers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/backups/backup_policies.hpp"

namespace berth::api {

using http::Request;
using nlohmann::json;

namespace {

json policy_time(const std::optional<TimePoint>& at) {
  return at ? json(format_rfc3339(*at)) : json();
}

json policy_json(const BackupPolicyView& view) {
  const BackupPolicyRecord& p = view.policy;
  json last_run = nullptr;
  if (!p.last_backup_id.empty()) {
    last_run = {{"backup_id", p.last_backup_id},
                {"status", view.last_run ? json(view.last_run->status) : json("deleted")},
                {"at", policy_time(p.last_run_at)},
                {"error", view.last_run && view.last_run->status == "failed"
                              ? json{{"code", view.last_run->error_code},
                                     {"message", view.last_run->error_message}}
                              : json()}};
  }
  return {{"service_id", p.service_id},
          {"subject", p.subject},
          {"app_id", p.app_id},
          {"mount_target", p.mount_target},
          {"schedule", p.schedule},
          {"timezone", p.timezone},
          {"destination_id", p.destination_id},
          {"enabled", p.enabled},
          {"retention",
           {{"keep_last", p.keep_last},
            {"keep_daily", p.keep_daily},
            {"keep_weekly", p.keep_weekly},
            {"keep_monthly", p.keep_monthly}}},
          {"next_run_at", policy_time(p.next_run_at)},
          {"last_run", last_run},
          {"created_by", p.created_by},
          {"created_at", format_rfc3339(p.created_at)},
          {"updated_at", format_rfc3339(p.updated_at)}};
}

json retention_schema() {
  return schema::object({{"keep_last", schema::integer(1, kMaxRetentionCount)},
                         {"keep_daily", schema::integer(0, kMaxRetentionCount)},
                         {"keep_weekly", schema::integer(0, kMaxRetentionCount)},
                         {"keep_monthly", schema::integer(0, kMaxRetentionCount)}});
}

json policy_schema() {
  const json optional_string = {{"type", {"string", "null"}}};
  return schema::object(
      {{"service_id", schema::string()},
       {"subject", schema::one_of_strings({"service", "volume"})},
       {"app_id", schema::string()},
       {"mount_target", schema::string()},
       {"schedule", schema::string()},
       {"timezone", schema::string()},
       {"destination_id", schema::string()},
       {"enabled", schema::boolean()},
       {"retention", retention_schema()},
       {"next_run_at", optional_string},
       {"last_run",
        {{"type", {"object", "null"}},
         {"properties",
          {{"backup_id", schema::string()},
           {"status", schema::one_of_strings({"running", "succeeded", "failed", "deleted"})},
           {"at", optional_string},
           {"error",
            {{"type", {"object", "null"}},
             {"properties", {{"code", schema::string()}, {"message", schema::string()}}}}}}}}},
       {"created_by", schema::string()},
       {"created_at", schema::string()},
       {"updated_at", schema::string()}});
}

json policy_request_schema() {
  return schema::object({{"schedule", schema::string(1, 128)},
                         {"timezone", schema::string(1, 64)},
                         {"destination_id", schema::string(1, 64)},
                         {"enabled", schema::boolean()},
                         {"retention", retention_schema()}},
                        {"schedule", "destination_id"});
}

// The path's {volume} ("" when absent: the domain answers not_found).
std::string volume_param(const Request& request) {
  const auto volume = request.params.find("volume");
  return volume == request.params.end() ? std::string() : volume->second;
}

BackupPolicyInput policy_input(const Request& request) {
  const json& body = request.json;
  BackupPolicyInput input;
  input.schedule = body.value("schedule", "");
  input.timezone = body.value("timezone", "UTC");
  input.destination_id = body.value("destination_id", "");
  input.enabled = body.value("enabled", true);
  const json retention = body.value("retention", json::object());
  input.keep_last = retention.value("keep_last", input.keep_last);
  input.keep_daily = retention.value("keep_daily", input.keep_daily);
  input.keep_weekly = retention.value("keep_weekly", input.keep_weekly);
  input.keep_monthly = retention.value("keep_monthly", input.keep_monthly);
  return input;
}

auto policy_view = [](const BackupPolicyView& view) { return policy_json(view); };

}  // namespace

void add_backup_policy_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/services/{id}/backup-policy",
             {.summary = "Read a service's backup policy",
              .role = Role::viewer,
              .response_schema = policy_schema,
              .description = "404 when the service has none. next_run_at is UTC; last_run is "
                             "the last scheduled run (status deleted once retention removed "
                             "it)."},
             with_path_id("svc", [&ctx](Request& request, const std::string& id) {
               return json_or(
                   200, ctx.backup_policies->get(caller(request), team_of_request(request), id),
                   policy_view);
             }));

  router.put(
      "/api/v1/services/{id}/backup-policy",
      {.summary = "Set a service's backup schedule and retention",
       .role = Role::member,
       .request_schema = policy_request_schema(),
       .response_schema = policy_schema,
       .description =
           "Creates or replaces the policy. schedule is cron (minute hour day-of-month month "
           "day-of-week: *, lists, ranges, steps, names; or @hourly, @daily, @weekly, "
           "@monthly, @yearly) read in timezone (an IANA name, default UTC). After each "
           "successful scheduled backup, retention keeps the newest keep_last (default 7) plus "
           "the newest backup of each of the last keep_daily days, keep_weekly ISO weeks and "
           "keep_monthly months (in the zone) at that destination, and deletes the others' "
           "objects and records. 400 naming the field (and the cron part) that is wrong or an "
           "unknown zone; 404 for a destination not in the team; 422 destination_untested "
           "for an SFTP destination whose host key is not pinned yet."},
      with_path_id("svc", [&ctx](Request& request, const std::string& id) {
        return json_or(200,
                       ctx.backup_policies->put(caller(request), team_of_request(request), id,
                                                policy_input(request), client_info(request)),
                       policy_view);
      }));

  router.del("/api/v1/services/{id}/backup-policy",
             {.summary = "Stop a service's scheduled backups",
              .role = Role::member,
              .success_status = 204,
              .description = "Removes the policy; the service's backups stay."},
             with_path_id("svc", [&ctx](Request& request, const std::string& id) {
               return no_content_or(ctx.backup_policies->remove(
                   caller(request), team_of_request(request), id, client_info(request)));
             }));

  add_volume_backup_policy_routes(router, ctx);
}

void add_volume_backup_policy_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/apps/{id}/volumes/{volume}/backup-policy",
             {.summary = "Read the backup policy of an app's named volume",
              .role = Role::viewer,
              .response_schema = policy_schema,
              .description = "volume is the source of one of the app's mounts (as for "
                             "/apps/{id}/volumes/{volume}/backups). The policy belongs to the "
                             "mount (its mount_target), so it carries over to the fresh volume a "
                             "restore puts there. 404 when the mount has none; otherwise as the "
                             "service's policy."},
             with_path_id("app", [&ctx](Request& request, const std::string& id) {
               return json_or(
                   200,
                   ctx.backup_policies->get_volume(caller(request), team_of_request(request), id,
                                                   volume_param(request)),
                   policy_view);
             }));

  router.put(
      "/api/v1/apps/{id}/volumes/{volume}/backup-policy",
      {.summary = "Set the backup schedule and retention of an app's named volume",
       .role = Role::member,
       .request_schema = policy_request_schema(),
       .response_schema = policy_schema,
       .description =
           "The body and answer are a service's policy's (PUT /services/{id}/backup-policy); "
           "each scheduled run backs up whatever volume the app mounts at the mount's target "
           "then, and retention weighs that mount's backups at the destination. A run finding "
           "the app stopped is recorded failed (and is a server event). 404 for a volume the "
           "app does not mount; 422 not_a_volume for a host-path mount."},
      with_path_id("app", [&ctx](Request& request, const std::string& id) {
        return json_or(200,
                       ctx.backup_policies->put_volume(caller(request), team_of_request(request),
                                                       id, volume_param(request),
                                                       policy_input(request), client_info(request)),
                       policy_view);
      }));

  router.del("/api/v1/apps/{id}/volumes/{volume}/backup-policy",
             {.summary = "Stop the scheduled backups of an app's named volume",
              .role = Role::member,
              .success_status = 204,
              .description = "Removes the mount's policy; its backups stay."},
             with_path_id("app", [&ctx](Request& request, const std::string& id) {
               return no_content_or(
                   ctx.backup_policies->remove_volume(caller(request), team_of_request(request), id,
                                                      volume_param(request), client_info(request)));
             }));
}

}  // namespace berth::api
