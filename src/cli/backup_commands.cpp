// berth backups …: backups of managed services and of apps' named volumes (docs/backups.md):
// list, run one now, read one, restore one into its service or a new one (a volume's into a
// fresh volume its app is redeployed onto), drill one (restore it into a scratch container or
// volume to prove it).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli/command.hpp"
#include "cli/stream_output.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kBackupColumns = {{"ID", "id"},
                                            {"SERVICE/APP", "service_name"},
                                            {"VOLUME", "volume"},
                                            {"STATUS", "status"},
                                            {"TRIGGER", "trigger"},
                                            {"SIZE", "size_bytes"},
                                            {"VERIFIED", "verified"},
                                            {"CREATED", "created_at"}};
const std::vector<Column> kBackupFields = {{"id", "id"},
                                           {"subject", "subject"},
                                           {"service", "service_name"},
                                           {"app", "app_id"},
                                           {"volume", "volume"},
                                           {"mounted at", "mount_target"},
                                           {"engine", "engine"},
                                           {"status", "status"},
                                           {"error", "error.message"},
                                           {"trigger", "trigger"},
                                           {"destination", "destination_id"},
                                           {"object", "object_key"},
                                           {"size", "size_bytes"},
                                           {"before compression", "plain_bytes"},
                                           {"sha256", "sha256"},
                                           {"verified", "verified"},
                                           {"job", "job_id"},
                                           {"created", "created_at"},
                                           {"finished", "finished_at"},
                                           {"duration ms", "duration_ms"}};
const std::vector<Column> kRestoreFields = {{"id", "id"},
                                            {"backup", "backup_id"},
                                            {"service", "service_id"},
                                            {"app", "app_id"},
                                            {"new volume", "new_volume"},
                                            {"deployment", "deployment_id"},
                                            {"target", "target"},
                                            {"status", "status"},
                                            {"step", "step"},
                                            {"error", "error.message"},
                                            {"safety backup", "safety_backup_id"},
                                            {"job", "job_id"},
                                            {"check", "check"},
                                            {"created", "created_at"},
                                            {"finished", "finished_at"}};

const std::vector<Column> kDrillColumns = {{"ID", "id"},           {"STATUS", "status"},
                                           {"TRIGGER", "trigger"}, {"CHECK", "check"},
                                           {"MS", "duration_ms"},  {"CREATED", "created_at"}};
const std::vector<Column> kDrillFields = {{"id", "id"},
                                          {"backup", "backup_id"},
                                          {"service", "service_id"},
                                          {"engine", "engine"},
                                          {"status", "status"},
                                          {"step", "step"},
                                          {"error", "error.message"},
                                          {"check", "check"},
                                          {"job", "job_id"},
                                          {"trigger", "trigger"},
                                          {"created", "created_at"},
                                          {"finished", "finished_at"},
                                          {"duration ms", "duration_ms"}};

// Polls `path` until its status leaves running; 1 with the error's message when it failed.
int wait_until_done(Api& api, const std::string& path, nlohmann::json item, const char* what,
                    const std::vector<Column>& fields) {
  install_interrupt_handler();
  std::string step = item.value("step", "");
  while (item.value("status", "") == "running") {
    if (interrupted()) {
      fmt::print(stderr, "berth: stopped waiting for {} (it goes on)\n", cell(item, "id"));
      return 130;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto read = api.get(path);
    if (!read) {
      return report(read.error());
    }
    item = std::move(*read);
    if (!api.options().json && !api.options().quiet && item.value("step", "") != step) {
      step = item.value("step", "");
      fmt::print("{} {}: {}\n", what, cell(item, "id"), step);
    }
  }
  if (item.value("status", "") == "failed") {
    fmt::print(stderr, "berth: {} {} failed: {}\n", what, cell(item, "id"),
               cell(item, "error.message"));
    return kFailed;
  }
  return show_object(api.options(), item, fields);
}

// What a backup or restore answered: printed as it is, or followed to its end with --wait.
int done_or_wait(Api& api, const nlohmann::json& answer, bool wait, const std::string& message,
                 const std::string& collection, const char* what,
                 const std::vector<Column>& fields) {
  if (!wait) {
    return show_done(api.options(), answer, message);
  }
  if (!api.options().json && !api.options().quiet) {
    fmt::print("{}\n", message);
  }
  return wait_until_done(api, "/api/v1/" + collection + "/" + cell(answer, "id"), answer, what,
                         fields);
}

struct BackupArgs {
  std::string service = {};
  std::string app = {};
  std::string volume = {};
  std::string destination = {};
  std::string target = {};
  std::string confirm = {};
  std::string new_name = {};
  std::string server = {};
  std::string version = {};  // restore --new: a newer major version
  std::string image = {};
  bool wait = false;
};

}  // namespace

void add_backup_commands(CLI::App& app, const Runner& runner) {
  auto* backups = app.add_subcommand(
      "backups", "Backups of managed services and of apps' named volumes, and restores");
  backups->require_subcommand(1);
  auto args = std::make_shared<BackupArgs>();

  auto* ls = backups->add_subcommand("ls", "List backups, newest first");
  auto* ls_service = ls->add_option("--service", args->service, "Only this service's (id or name)");
  ls->add_option("--app", args->app, "Only the backups of this app's volumes (id or name)")
      ->excludes(ls_service);
  ls->footer("Examples:\n  berth backups ls --service orders-db\n  berth backups ls --app web");
  runner.on(ls, [args](Api& api) {
    auto path = !args->app.empty()      ? path_of(api, "apps", args->app, "/backups")
                : args->service.empty() ? Result<std::string>("/api/v1/backups")
                                        : path_of(api, "services", args->service, "/backups");
    auto items = path ? api.list_all(*path) : fail(std::move(path.error()));
    return items ? show_list(api.options(), *items, kBackupColumns) : report(items.error());
  });

  auto* run = backups->add_subcommand("run", "Back up a service, or an app's named volume, now");
  auto* run_service = run->add_option("service", args->service, "Service id or name");
  auto* run_app =
      run->add_option("--app", args->app, "Back up a named volume of this app (id or name)");
  auto* run_volume = run->add_option("--volume", args->volume,
                                     "With --app: the volume's name (the mount's source)");
  run_app->needs(run_volume)->excludes(run_service);
  run_volume->needs(run_app);
  run->add_option("--destination", args->destination, "Backup destination id or name")->required();
  run->add_flag("--wait,-w", args->wait, "Wait until it is stored; fail when it fails");
  run->footer(
      "Examples:\n  berth backups run orders-db --destination offsite --wait\n"
      "  berth backups run --app web --volume data --destination offsite --wait");
  runner.on(run, [args](Api& api) {
    if (args->service.empty() && args->app.empty()) {
      return complain("name a service, or an app's volume with --app and --volume", kUsage);
    }
    auto path = args->app.empty() ? path_of(api, "services", args->service, "/backups")
                                  : path_of(api, "apps", args->app,
                                            "/volumes/" + url_encode(args->volume) + "/backups");
    auto destination =
        path ? api.resolve("backup-destinations", args->destination) : fail(path.error());
    if (!destination) {
      return report(destination.error());
    }
    auto answer = api.call("POST", *path, nlohmann::json{{"destination_id", *destination}},
                           {{"Idempotency-Key", new_idempotency_key()}});
    if (!answer) {
      return report(answer.error());
    }
    return done_or_wait(
        api, *answer, args->wait,
        args->app.empty()
            ? fmt::format("Backing up {} ({})", cell(*answer, "service_name"), cell(*answer, "id"))
            : fmt::format("Backing up the volume {} of {} ({})", cell(*answer, "volume"),
                          cell(*answer, "service_name"), cell(*answer, "id")),
        "backups", "backup", kBackupFields);
  });

  auto* show = backups->add_subcommand("show", "Show a backup: where, how large, its SHA-256");
  show->add_option("backup", args->target, "Backup id (bkp_…)")->required();
  runner.on(show, [args](Api& api) {
    auto item = api.get("/api/v1/backups/" + url_encode(args->target));
    return item ? show_object(api.options(), *item, kBackupFields) : report(item.error());
  });

  auto* restore = backups->add_subcommand(
      "restore",
      "Restore a backup into its service (a safety backup is taken first) or into a new service");
  restore->add_option("backup", args->target, "Backup id (bkp_…)")->required();
  restore->add_option("--confirm", args->confirm, "The service's name, instead of typing it");
  auto* new_option = restore->add_option(
      "--new", args->new_name,
      "Create a service of this name (same engine and image) and restore into it");
  restore->add_option("--server", args->server, "With --new: its server (id or name)")
      ->needs(new_option);
  restore
      ->add_option("--version", args->version,
                   "With --new: a newer major version of the engine (e.g. 17 for a backup of "
                   "PostgreSQL 15): a major upgrade")
      ->needs(new_option);
  restore
      ->add_option("--image", args->image,
                   "With --new: the new service's image (default: the backup's, or with "
                   "--version the engine's official image of it)")
      ->needs(new_option);
  new_option->excludes("--confirm");
  restore->add_flag("--wait,-w", args->wait, "Wait until it is restored; fail when it fails");
  restore->footer(
      "Examples:\n  berth backups restore bkp_01j… --confirm orders-db --wait\n"
      "  berth backups restore bkp_01j… --new orders-copy --server web-2 --wait\n"
      "  berth backups restore bkp_01j… --new orders-pg17 --version 17 --wait");
  runner.on(restore, [args, restore](Api& api) {
    const std::string backup_path = "/api/v1/backups/" + url_encode(args->target);
    if (!args->new_name.empty()) {
      nlohmann::json body{{"target", "new"}, {"name", args->new_name}};
      for (const auto& [field, value] :
           {std::pair{"version", &args->version}, std::pair{"image", &args->image}}) {
        if (!value->empty()) {
          body[field] = *value;
        }
      }
      if (!args->server.empty()) {
        auto server = api.resolve("servers", args->server);
        if (!server) {
          return report(server.error());
        }
        body["server_id"] = *server;
      }
      auto answer = api.call("POST", backup_path + "/restore", body,
                             {{"Idempotency-Key", new_idempotency_key()}});
      if (!answer) {
        return report(answer.error());
      }
      return done_or_wait(api, *answer, args->wait,
                          fmt::format("Restoring {} into the new service {} ({})", args->target,
                                      args->new_name, cell(*answer, "id")),
                          "restores", "restore", kRestoreFields);
    }
    auto backup = api.get(backup_path);
    if (!backup) {
      return report(backup.error());
    }
    const std::string name = cell(*backup, "service_name");
    std::string typed = args->confirm;
    if (restore->count("--confirm") == 0) {
      if (cell(*backup, "subject") == "volume") {
        fmt::print(stderr,
                   "Restoring puts this backup of the volume {} into a fresh volume and "
                   "redeploys app {} onto it (the old volume is kept).\nType its name to "
                   "confirm: ",
                   cell(*backup, "volume"), name);
      } else {
        fmt::print(stderr,
                   "Restoring replaces the data of service {} with this backup's (a safety "
                   "backup is taken first).\nType its name to confirm: ",
                   name);
      }
      if (!std::getline(std::cin, typed) || typed != name) {
        return complain(isatty(STDIN_FILENO) == 0 && typed.empty()
                            ? "not restored: pass --confirm " + name
                            : "not restored: the name did not match",
                        isatty(STDIN_FILENO) == 0 && typed.empty() ? kUsage : kFailed);
      }
    }
    auto answer = api.call("POST", backup_path + "/restore", nlohmann::json{{"confirm", typed}},
                           {{"Idempotency-Key", new_idempotency_key()}});
    if (!answer) {
      return report(answer.error());
    }
    return done_or_wait(
        api, *answer, args->wait,
        fmt::format("Restoring {} into {} ({})", args->target, name, cell(*answer, "id")),
        "restores", "restore", kRestoreFields);
  });

  auto* drill = backups->add_subcommand(
      "drill", "Prove a backup restores: into a scratch container, checked, then removed");
  drill->add_option("backup", args->target, "Backup id (bkp_…)")->required();
  drill->add_flag("--wait,-w", args->wait, "Wait until it is verified; fail when it fails");
  drill->footer("Example:\n  berth backups drill bkp_01j… --wait");
  runner.on(drill, [args](Api& api) {
    auto answer = api.call("POST", "/api/v1/backups/" + url_encode(args->target) + "/drill",
                           nlohmann::json::object(), {{"Idempotency-Key", new_idempotency_key()}});
    if (!answer) {
      return report(answer.error());
    }
    return done_or_wait(api, *answer, args->wait,
                        fmt::format("Drilling {} ({})", args->target, cell(*answer, "id")),
                        "drills", "drill", kDrillFields);
  });

  auto* drills = backups->add_subcommand("drills", "List a backup's restore drills, newest first");
  drills->add_option("backup", args->target, "Backup id (bkp_…)")->required();
  runner.on(drills, [args](Api& api) {
    auto items = api.list_all("/api/v1/backups/" + url_encode(args->target) + "/drills");
    return items ? show_list(api.options(), *items, kDrillColumns) : report(items.error());
  });

  add_backup_schedule_commands(backups, runner);
}

}  // namespace berth::cli
