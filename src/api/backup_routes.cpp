#include "api/backup_routes.hpp"

#include "api/apps_handlers.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/backups/backup_drills.hpp"
#include "domain/backups/service_backups.hpp"
#include "domain/backups/volume_backups.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json backup_time(const std::optional<TimePoint>& at) {
  return at ? json(format_rfc3339(*at)) : json();
}

// What a backup's answer holds: where and what was stored, never a key.
json backup_json(const ServiceBackupRecord& b) {
  json error = nullptr;
  if (b.status == "failed") {
    error = {{"code", b.error_code}, {"message", b.error_message}};
  }
  return {
      {"id", b.id},
      {"subject", b.subject},
      {"service_id", b.service_id.empty() ? json() : json(b.service_id)},
      {"app_id", b.app_id.empty() ? json() : json(b.app_id)},
      {"volume", b.volume.empty() ? json() : json(b.volume)},
      {"mount_target", b.mount_target.empty() ? json() : json(b.mount_target)},
      {"service_name", b.service_name},
      {"engine", b.engine},
      {"server_id", b.server_id},
      {"project_id", b.project_id.empty() ? json() : json(b.project_id)},
      {"image", b.image.empty() ? json() : json(b.image)},
      {"version", b.version.empty() ? json() : json(b.version)},
      {"destination_id", b.destination_id},
      {"status", b.status},
      {"trigger", b.trigger},
      {"object_key", b.object_key},
      {"size_bytes", b.size_bytes},
      {"plain_bytes", b.plain_bytes},
      {"sha256", b.sha256},
      {"job_id", b.job_id.empty() ? json() : json(b.job_id)},
      {"error", error},
      {"verified", b.verified.empty() ? json() : json(b.verified)},
      {"verified_at", backup_time(b.verified_at)},
      {"drill_check", b.verified.empty() ? json() : json(b.drill_check)},
      {"drill_duration_ms", b.verified.empty() ? json() : json(b.drill_duration_ms)},
      {"created_by", b.created_by},
      {"created_at", format_rfc3339(b.created_at)},
      {"finished_at", backup_time(b.finished_at)},
      {"duration_ms", b.finished_at ? json(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               *b.finished_at - b.created_at)
                                               .count())
                                    : json()}};
}

json backup_schema() {
  const json optional_string = {{"type", {"string", "null"}}};
  return schema::object(
      {{"id", schema::string()},
       {"subject", schema::one_of_strings({"service", "volume"})},
       {"service_id", optional_string},
       {"app_id", optional_string},
       {"volume", optional_string},
       {"mount_target", optional_string},
       {"service_name", schema::string()},
       {"engine", schema::string()},
       {"server_id", schema::string()},
       {"project_id", optional_string},
       {"image", optional_string},
       {"version", optional_string},
       {"destination_id", schema::string()},
       {"status", schema::one_of_strings({"running", "succeeded", "failed"})},
       {"trigger", schema::one_of_strings({"manual", "schedule", "safety"})},
       {"object_key", schema::string()},
       {"size_bytes", schema::integer()},
       {"plain_bytes", schema::integer()},
       {"sha256", schema::string()},
       {"job_id", optional_string},
       {"error",
        {{"type", {"object", "null"}},
         {"properties", {{"code", schema::string()}, {"message", schema::string()}}}}},
       {"verified", optional_string},
       {"verified_at", optional_string},
       {"drill_check", optional_string},
       {"drill_duration_ms", {{"type", {"integer", "null"}}}},
       {"created_by", schema::string()},
       {"created_at", schema::string()},
       {"finished_at", optional_string},
       {"duration_ms", {{"type", {"integer", "null"}}}}});
}

auto backup_view = [](const ServiceBackupRecord& b) { return backup_json(b); };

// GET of one subject's backups (a service's, an app's): `list(request, id, paging)` with the
// path's id of `prefix`.
template <class List>
http::Handler backup_page(std::string_view prefix, List list) {
  return with_path_id(prefix, [list](Request& request, const std::string& id) {
    return list_response(
        request, [&](const PageRequest& paging) { return list(request, id, paging); }, backup_view);
  });
}

json restore_json(const BackupRestoreRecord& r) {
  json error = nullptr;
  if (r.status == "failed") {
    error = {{"code", r.error_code}, {"message", r.error_message}};
  }
  return {{"id", r.id},
          {"backup_id", r.backup_id},
          {"service_id", r.service_id.empty() ? json() : json(r.service_id)},
          {"app_id", r.app_id.empty() ? json() : json(r.app_id)},
          {"new_volume", r.new_volume.empty() ? json() : json(r.new_volume)},
          {"deployment_id", r.deployment_id.empty() ? json() : json(r.deployment_id)},
          {"target", r.target},
          {"status", r.status},
          {"step", r.step},
          {"safety_backup_id", r.safety_backup_id.empty() ? json() : json(r.safety_backup_id)},
          {"job_id", r.job_id.empty() ? json() : json(r.job_id)},
          {"check", r.check_result.empty() ? json() : json(r.check_result)},
          {"error", error},
          {"created_by", r.created_by},
          {"created_at", format_rfc3339(r.created_at)},
          {"finished_at", backup_time(r.finished_at)}};
}

json restore_schema() {
  const json optional_string = {{"type", {"string", "null"}}};
  return schema::object(
      {{"id", schema::string()},
       {"backup_id", schema::string()},
       {"service_id", optional_string},
       {"app_id", optional_string},
       {"new_volume", optional_string},
       {"deployment_id", optional_string},
       {"target", schema::one_of_strings({"same", "new"})},
       {"status", schema::one_of_strings({"running", "succeeded", "failed"})},
       {"step",
        schema::one_of_strings({"safety_backup", "starting_service", "restoring", "redeploying"})},
       {"safety_backup_id", optional_string},
       {"job_id", optional_string},
       {"check", optional_string},
       {"error",
        {{"type", {"object", "null"}},
         {"properties", {{"code", schema::string()}, {"message", schema::string()}}}}},
       {"created_by", schema::string()},
       {"created_at", schema::string()},
       {"finished_at", optional_string}});
}

auto restore_view = [](const BackupRestoreRecord& r) { return restore_json(r); };

json drill_json(const BackupDrillRecord& d) {
  json error = nullptr;
  if (d.status == "failed") {
    error = {{"code", d.error_code}, {"message", d.error_message}};
  }
  return {{"id", d.id},
          {"backup_id", d.backup_id},
          {"service_id", d.service_id},
          {"server_id", d.server_id},
          {"engine", d.engine},
          {"status", d.status},
          {"step", d.step},
          {"trigger", d.trigger},
          {"job_id", d.job_id.empty() ? json() : json(d.job_id)},
          {"check", d.check_result.empty() ? json() : json(d.check_result)},
          {"duration_ms", d.finished_at ? json(d.duration_ms) : json()},
          {"error", error},
          {"created_by", d.created_by},
          {"created_at", format_rfc3339(d.created_at)},
          {"finished_at", backup_time(d.finished_at)}};
}

json drill_schema() {
  const json optional_string = {{"type", {"string", "null"}}};
  return schema::object(
      {{"id", schema::string()},
       {"backup_id", schema::string()},
       {"service_id", schema::string()},
       {"server_id", schema::string()},
       {"engine", schema::string()},
       {"status", schema::one_of_strings({"running", "verified", "failed"})},
       {"step", schema::one_of_strings({"starting", "restoring", "removing"})},
       {"trigger", schema::one_of_strings({"manual", "schedule"})},
       {"job_id", optional_string},
       {"check", optional_string},
       {"duration_ms", {{"type", {"integer", "null"}}}},
       {"error",
        {{"type", {"object", "null"}},
         {"properties", {{"code", schema::string()}, {"message", schema::string()}}}}},
       {"created_by", schema::string()},
       {"created_at", schema::string()},
       {"finished_at", optional_string}});
}

auto drill_view = [](const BackupDrillRecord& d) { return drill_json(d); };

}  // namespace

void add_backup_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/services/{id}/backups",
      {.summary = "Back up a service now",
       .role = Role::member,
       .request_schema =
           schema::object({{"destination_id", schema::string(1, 64)}}, {"destination_id"}),
       .response_schema = backup_schema,
       .success_status = 202,
       .description =
           "Starts a backup of a running service into one of the team's S3-compatible "
           "destinations and answers it with status running; it ends succeeded (size_bytes, "
           "sha256, object_key) or failed (error). The agent streams the engine's own dump "
           "(pg_dump -Fc, mysqldump/mariadb-dump, redis-cli --rdb) through zstd, encrypts it "
           "to the team's backup key and uploads it in parts: nothing is held in memory or "
           "written to the server's disk. 409 service_busy when the service is not running; "
           "422 destination_untested for an SFTP destination whose host key is not pinned "
           "yet (test it once)."},
      with_path_id("svc", [&ctx](Request& request, const std::string& id) {
        return json_or(
            202,
            ctx.service_backups->run(caller(request), team_of_request(request), id,
                                     body_string(request, "destination_id"), client_info(request)),
            backup_view);
      }));

  router.get("/api/v1/services/{id}/backups",
             {.summary = "List a service's backups",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(backup_schema()); },
              .query = paging_query(),
              .description = "Newest first; they outlive the service."},
             backup_page(
                 "svc", [&ctx](Request& request, const std::string& id, const PageRequest& paging) {
                   return ctx.service_backups->list(caller(request), team_of_request(request), id,
                                                    paging);
                 }));

  router.get("/api/v1/backups",
             {.summary = "List the team's backups",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(backup_schema()); },
              .query = paging_query(),
              .description = "Newest first, of every service (deleted ones included)."},
             [&ctx](Request& request) -> Result<Response> {
               return list_response(
                   request,
                   [&](const PageRequest& paging) {
                     return ctx.service_backups->list(caller(request), team_of_request(request), "",
                                                      paging);
                   },
                   backup_view);
             });

  router.get("/api/v1/backups/{id}",
             {.summary = "Read a backup", .role = Role::viewer, .response_schema = backup_schema},
             with_path_id("bkp", [&ctx](Request& request, const std::string& id) {
               return json_or(
                   200, ctx.service_backups->get(caller(request), team_of_request(request), id),
                   backup_view);
             }));

  router.post(
      "/api/v1/backups/{id}/restore",
      {.summary = "Restore a backup into its service or a new one",
       .role = Role::member,
       .request_schema = schema::object({{"target", schema::one_of_strings({"same", "new"})},
                                         {"confirm", schema::string(1, 64)},
                                         {"name", schema::string(1, 64)},
                                         {"server_id", schema::string(1, 64)},
                                         {"project_id", schema::string(1, 64)},
                                         {"version", schema::string(1, 16)},
                                         {"image", schema::string(1, 255)}},
                                        {}),
       .response_schema = restore_schema,
       .success_status = 202,
       .description =
           "target \"same\" (the default) replaces the data of the service the backup came "
           "from: confirm must be the service's name (422 confirm_required). A backup of the "
           "service as it is now is taken first (safety_backup_id; if it fails nothing is "
           "restored). target \"new\" creates a service named name (required, a service name; "
           "409 service_name_taken) of the backup's engine, version and image in the backup's "
           "project (or project_id) on server_id (default the backup's service's server; 404 "
           "for a server not in the team), waits until it runs (step starting_service) and "
           "restores into it, with no safety backup; this works after the backup's service was "
           "deleted, and service_id in the answer is the new service. version (with image, else "
           "the engine's default image of it) makes the new service another major version: "
           "the same or newer than the backup's (422 version_downgrade), which moves data "
           "across a major upgrade. Answers the restore "
           "(status running). Then a backup.restore job (job_id: follow GET /jobs/{id}/output) "
           "downloads the object, refuses it when its SHA-256 or size is not the recorded one "
           "(error backup_checksum_mismatch), loads it with the engine's tool (pg_restore "
           "--clean in one transaction, mysql) and runs the engine's check (check). Follow GET "
           "/restores/{id} until it ends. Redis and Valkey: the container is stopped, the RDB "
           "put in place and the container started again (check: DBSIZE). 422 "
           "backup_not_restorable (not succeeded, destination deleted, or an old backup whose "
           "service and image are gone); 409 service_busy. A backup of an app's volume "
           "(subject volume) restores only with target \"same\" (422 volume_restore_target "
           "otherwise) and confirm the app's name: the files go into a fresh volume "
           "(new_volume, \"<volume>-r<n>\"; the live volume is never written), then the app's "
           "mount is pointed at it and the app restarts with its current artifact (step "
           "redeploying, deployment_id); the old volume is kept. 409 app_not_running."},
      with_path_id("bkp", [&ctx](Request& request, const std::string& id) {
        std::string target = body_string(request, "target");
        RestoreRequest restore{.target = target.empty() ? "same" : target,
                               .confirm = body_string(request, "confirm"),
                               .name = body_string(request, "name"),
                               .server_id = body_string(request, "server_id"),
                               .project_id = body_string(request, "project_id"),
                               .version = body_string(request, "version"),
                               .image = body_string(request, "image")};
        return json_or(202,
                       ctx.volume_backups->restore(caller(request), team_of_request(request), id,
                                                   restore, client_info(request)),
                       restore_view);
      }));

  router.get("/api/v1/restores/{id}",
             {.summary = "Read a restore", .role = Role::viewer, .response_schema = restore_schema},
             with_path_id("rst", [&ctx](Request& request, const std::string& id) {
               return json_or(
                   200,
                   ctx.service_backups->get_restore(caller(request), team_of_request(request), id),
                   restore_view);
             }));

  add_volume_backup_routes(router, ctx);
  add_backup_drill_routes(router, ctx);
}

void add_volume_backup_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/apps/{id}/volumes/{volume}/backups",
      {.summary = "Back up an app's named volume now",
       .role = Role::member,
       .request_schema =
           schema::object({{"destination_id", schema::string(1, 64)}}, {"destination_id"}),
       .response_schema = backup_schema,
       .success_status = 202,
       .description =
           "volume is the source of one of the app's mounts (settings.volumes), with or without "
           "the team's \"<team id>-\" prefix. The agent streams the Engine's tar of the mount "
           "from the app's running container (any image) through zstd, encrypts it to the "
           "team's backup key and uploads it like a service's dump; the answer is the backup "
           "(subject volume, engine volume, status running). 404 for a volume the app does not "
           "mount; 422 not_a_volume for a host-path mount (the server's own directory is not "
           "backed up); 409 app_not_running."},
      with_path_id("app", [&ctx](Request& request, const std::string& id) {
        const auto volume = request.params.find("volume");
        return json_or(
            202,
            ctx.volume_backups->run(caller(request), team_of_request(request), id,
                                    volume == request.params.end() ? std::string() : volume->second,
                                    body_string(request, "destination_id"), client_info(request)),
            backup_view);
      }));

  router.get("/api/v1/apps/{id}/backups",
             {.summary = "List the backups of an app's volumes",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(backup_schema()); },
              .query = paging_query(),
              .description = "Newest first, of every named volume the app mounts or mounted."},
             backup_page(
                 "app", [&ctx](Request& request, const std::string& id, const PageRequest& paging) {
                   return ctx.volume_backups->list(caller(request), team_of_request(request), id,
                                                   paging);
                 }));
}

void add_backup_drill_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/backups/{id}/drill",
      {.summary = "Drill a backup now",
       .role = Role::member,
       .response_schema = drill_schema,
       .success_status = 202,
       .description =
           "Proves that the backup restores: on the backup's server a scratch container from "
           "the service's image (fresh credentials, no network, no port, labelled berth.drill) "
           "gets the backup restored into it (the object's SHA-256 checked first), the engine's "
           "check runs (PostgreSQL: user tables, MySQL/MariaDB: the database's tables, Redis: "
           "DBSIZE), and the container is removed, also when a step failed. Answers the drill "
           "(status running, step starting); follow GET /drills/{id} until it is verified or "
           "failed. The backup then shows verified, verified_at, drill_check and "
           "drill_duration_ms; a failed drill is a backup_drill_failed server event. 422 "
           "backup_not_restorable (the backup did not succeed), service_gone (a deleted "
           "service's backup older than Berth recording its image; newer ones drill with the "
           "recorded image); 409 drill_running while a drill of the same service runs."},
      with_path_id("bkp", [&ctx](Request& request, const std::string& id) {
        return json_or(202,
                       ctx.backup_drills->drill(caller(request), team_of_request(request), id,
                                                client_info(request)),
                       drill_view);
      }));

  router.get("/api/v1/backups/{id}/drills",
             {.summary = "List a backup's drills",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(drill_schema()); },
              .query = paging_query(),
              .description = "Newest first (the last 100): on demand and the weekly schedule's."},
             with_path_id("bkp", [&ctx](Request& request, const std::string& id) {
               return list_response(
                   request,
                   [&](const PageRequest&) {
                     return ctx.backup_drills->list(caller(request), team_of_request(request), id);
                   },
                   drill_view);
             }));

  router.get("/api/v1/drills/{id}",
             {.summary = "Read a drill", .role = Role::viewer, .response_schema = drill_schema},
             with_path_id("drl", [&ctx](Request& request, const std::string& id) {
               return json_or(200,
                              ctx.backup_drills->get(caller(request), team_of_request(request), id),
                              drill_view);
             }));
}

}  // namespace berth::api
