// berth backups schedule …: a service's backup policy, or an app's named volume's (--app,
// --volume) (docs/backups.md "Scheduled backups and retention"): show it, set it, remove it.
#include <fmt/format.h>

#include "cli/command.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kPolicyFields = {{"service", "service_id"},
                                           {"app", "app_id"},
                                           {"mount", "mount_target"},
                                           {"schedule", "schedule"},
                                           {"timezone", "timezone"},
                                           {"destination", "destination_id"},
                                           {"enabled", "enabled"},
                                           {"keep last", "retention.keep_last"},
                                           {"keep daily", "retention.keep_daily"},
                                           {"keep weekly", "retention.keep_weekly"},
                                           {"keep monthly", "retention.keep_monthly"},
                                           {"next run", "next_run_at"},
                                           {"last run", "last_run.backup_id"},
                                           {"last status", "last_run.status"},
                                           {"last at", "last_run.at"}};

struct ScheduleArgs {
  std::string service = {};
  std::string app = {};
  std::string volume = {};
  std::string schedule = {};
  std::string timezone = "UTC";
  std::string destination = {};
  bool disabled = false;
  std::int64_t keep_last = 7;
  std::int64_t keep_daily = 0;
  std::int64_t keep_weekly = 0;
  std::int64_t keep_monthly = 0;
};

// The policy's path: the service's, or (--app and --volume) the app's volume's.
Result<std::string> policy_path(Api& api, const ScheduleArgs& args) {
  if (!args.app.empty()) {
    return path_of(api, "apps", args.app, "/volumes/" + url_encode(args.volume) + "/backup-policy");
  }
  return path_of(api, "services", args.service, "/backup-policy");
}

// What the command names: "orders-db" or "web's volume data".
std::string subject_of(const ScheduleArgs& args) {
  return args.app.empty() ? args.service : args.app + "'s volume " + args.volume;
}

// The service positional, or --app with --volume (one of the two).
void add_subject_options(CLI::App* command, ScheduleArgs& args) {
  auto* service = command->add_option("service", args.service, "Service id or name");
  auto* app = command->add_option("--app", args.app, "A named volume of this app (id or name)");
  auto* volume =
      command->add_option("--volume", args.volume, "With --app: the volume's name (its source)");
  app->needs(volume)->excludes(service);
  volume->needs(app);
}

constexpr const char* kNoSubject = "name a service, or an app's volume with --app and --volume";

}  // namespace

void add_backup_schedule_commands(CLI::App* backups, const Runner& runner) {
  auto* schedule = backups->add_subcommand(
      "schedule", "A service's (or an app volume's) backup schedule and retention");
  schedule->require_subcommand(1);
  auto args = std::make_shared<ScheduleArgs>();

  auto* show =
      schedule->add_subcommand("show", "Show a service's (or volume's) backup policy and next run");
  add_subject_options(show, *args);
  runner.on(show, [args](Api& api) {
    if (args->service.empty() && args->app.empty()) {
      return complain(kNoSubject, kUsage);
    }
    auto path = policy_path(api, *args);
    auto item = path ? api.get(*path) : fail(std::move(path.error()));
    return item ? show_object(api.options(), *item, kPolicyFields) : report(item.error());
  });

  auto* set = schedule->add_subcommand(
      "set", "Back a service (or an app's named volume) up on a schedule (cron)");
  add_subject_options(set, *args);
  set->add_option("--cron", args->schedule,
                  "minute hour day-of-month month day-of-week, or @daily, @hourly, @weekly")
      ->required();
  set->add_option("--timezone", args->timezone, "IANA time zone the schedule is read in")
      ->default_val("UTC");
  set->add_option("--destination", args->destination, "Backup destination id or name")->required();
  set->add_option("--keep-last", args->keep_last, "Keep the newest N backups")->default_val(7);
  set->add_option("--keep-daily", args->keep_daily, "Also the newest of each of N days");
  set->add_option("--keep-weekly", args->keep_weekly, "Also the newest of each of N ISO weeks");
  set->add_option("--keep-monthly", args->keep_monthly, "Also the newest of each of N months");
  set->add_flag("--disabled", args->disabled, "Keep the policy without running it");
  set->footer(
      "Example:\n  berth backups schedule set orders-db --cron '30 2 * * *' "
      "--timezone Europe/Berlin --destination offsite --keep-daily 14 --keep-monthly 12\n"
      "  berth backups schedule set --app web --volume data --cron '@daily' "
      "--destination offsite --keep-last 14");
  runner.on(set, [args](Api& api) {
    if (args->service.empty() && args->app.empty()) {
      return complain(kNoSubject, kUsage);
    }
    auto path = policy_path(api, *args);
    auto destination =
        path ? api.resolve("backup-destinations", args->destination) : fail(path.error());
    if (!destination) {
      return report(destination.error());
    }
    const nlohmann::json body{{"schedule", args->schedule},
                              {"timezone", args->timezone},
                              {"destination_id", *destination},
                              {"enabled", !args->disabled},
                              {"retention",
                               {{"keep_last", args->keep_last},
                                {"keep_daily", args->keep_daily},
                                {"keep_weekly", args->keep_weekly},
                                {"keep_monthly", args->keep_monthly}}}};
    auto answer = api.call("PUT", *path, body);
    if (!answer) {
      return report(answer.error());
    }
    return show_object(api.options(), *answer, kPolicyFields);
  });

  auto* rm = schedule->add_subcommand(
      "rm", "Stop a service's or volume's scheduled backups (backups stay)");
  add_subject_options(rm, *args);
  runner.on(rm, [args](Api& api) {
    if (args->service.empty() && args->app.empty()) {
      return complain(kNoSubject, kUsage);
    }
    auto path = policy_path(api, *args);
    auto answer = path ? api.call("DELETE", *path) : fail(std::move(path.error()));
    return answer ? show_done(api.options(),
                              nlohmann::json{{"id", args->app.empty() ? args->service : args->app}},
                              "Scheduled backups of " + subject_of(*args) + " stopped")
                  : report(answer.error());
  });
}

}  // namespace berth::cli
