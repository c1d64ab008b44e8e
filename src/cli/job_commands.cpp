// berth jobs …: the work that runs on a server.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/stream_output.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kJobColumns = {
    {"ID", "id"},          {"KIND", "kind"},        {"STATE", "state"},
    {"EXIT", "exit_code"}, {"SERVER", "server_id"}, {"CREATED", "created_at"}};
const std::vector<Column> kJobFields = {{"id", "id"},
                                        {"kind", "kind"},
                                        {"state", "state"},
                                        {"exit code", "exit_code"},
                                        {"server", "server_id"},
                                        {"error", "error"},
                                        {"created", "created_at"},
                                        {"started", "started_at"},
                                        {"finished", "finished_at"}};

int run_job(Api& api, const std::string& server, std::vector<std::string> argv, int timeout_s) {
  // CLI11 keeps the `--` that ends berth's own flags when the parent app falls through.
  if (!argv.empty() && argv.front() == "--") {
    argv.erase(argv.begin());
  }
  if (argv.empty()) {
    return complain("give the command to run after --", kUsage);
  }
  auto path = path_of(api, "servers", server, "/jobs");
  if (!path) {
    return report(path.error());
  }
  nlohmann::json body{{"kind", "exec"}, {"args", {{"argv", argv}}}};
  if (timeout_s > 0) {
    body["timeout_ms"] = timeout_s * 1000;
  }
  auto job = api.call("POST", *path, body, {{"Idempotency-Key", new_idempotency_key()}});
  if (!job) {
    return report(job.error());
  }
  install_interrupt_handler();
  auto done = follow_job(api, job->value("id", ""));
  if (!done) {
    return report(done.error());
  }
  if (done->is_null()) {  // Ctrl-C: the job goes on; say how to find it
    fmt::print(stderr, "berth: stopped following job {} (it keeps running)\n",
               job->value("id", ""));
    return 130;
  }
  if (api.options().json) {
    fmt::print("{}\n", done->dump(2));
  }
  const auto state = done->value("state", "");
  const auto& exit_code = (*done)["exit_code"];
  if (exit_code.is_number_integer()) {
    return exit_code.get<int>();
  }
  if (state != "succeeded") {
    fmt::print(stderr, "berth: job {} ended {}: {}\n", job->value("id", ""), state,
               cell(*done, "error"));
    return kFailed;
  }
  return kOk;
}

}  // namespace

void add_job_commands(CLI::App& app, const Runner& runner) {
  auto* jobs = app.add_subcommand("jobs", "Jobs: work that runs on a server");
  jobs->require_subcommand(1);

  auto server = std::make_shared<std::string>();
  auto argv = std::make_shared<std::vector<std::string>>();
  auto timeout = std::make_shared<int>(0);
  auto* run = jobs->add_subcommand("run",
                                   "Run a command on a server and stream its output; "
                                   "exits with the command's exit code");
  run->add_option("server", *server, "Server id or name")->required();
  run->add_option("argv", *argv, "The command and its arguments (after --)")->required();
  run->add_option("--timeout", *timeout, "Seconds before the job is killed");
  run->positionals_at_end();
  runner.on(run,
            [server, argv, timeout](Api& api) { return run_job(api, *server, *argv, *timeout); });

  auto* ls = jobs->add_subcommand("ls", "List a server's jobs");
  ls->add_option("server", *server, "Server id or name")->required();
  runner.on(ls, [server](Api& api) {
    auto path = path_of(api, "servers", *server, "/jobs");
    auto items = path ? api.get(*path + "?per_page=50") : fail(std::move(path.error()));
    return items ? show_list(api.options(), (*items)["data"], kJobColumns) : report(items.error());
  });

  auto job = std::make_shared<std::string>();
  auto* show = jobs->add_subcommand("show", "Show a job");
  show->add_option("job", *job, "Job id")->required();
  runner.on(show, [job](Api& api) {
    auto item = api.get("/api/v1/jobs/" + *job);
    return item ? show_object(api.options(), *item, kJobFields) : report(item.error());
  });
  auto* cancel = jobs->add_subcommand("cancel", "Cancel a job (kills its process group)");
  cancel->add_option("job", *job, "Job id")->required();
  runner.on(cancel, [job](Api& api) {
    auto answer = api.call("POST", "/api/v1/jobs/" + *job + "/cancel");
    return answer ? show_done(api.options(), *answer, "Canceling " + *job) : report(answer.error());
  });
  auto* logs = jobs->add_subcommand("logs", "Print a job's output (follows it while it runs)");
  logs->add_option("job", *job, "Job id")->required();
  runner.on(logs, [job](Api& api) {
    install_interrupt_handler();
    auto done = follow_job(api, *job);
    return done ? kOk : report(done.error());
  });
}

}  // namespace berth::cli
