// berth servers … and berth jobs …: the fleet and the work that runs on it.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/stream_output.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kServerColumns = {{"ID", "id"},           {"NAME", "name"},
                                            {"STATUS", "status"},   {"SCHEDULING", "scheduling"},
                                            {"ADDRESS", "address"}, {"LAST SEEN", "last_seen_at"}};
const std::vector<Column> kServerFields = {{"id", "id"},
                                           {"name", "name"},
                                           {"status", "status"},
                                           {"reason", "status_reason"},
                                           {"scheduling", "scheduling"},
                                           {"address", "address"},
                                           {"agent", "agent_version"},
                                           {"labels", "labels"},
                                           {"last seen", "last_seen_at"},
                                           {"created", "created_at"}};
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

// A server action: POST /servers/{id}/<verb>, then the answer.
void add_server_action(CLI::App* servers, const Runner& runner, const std::string& verb,
                       const std::string& what, const std::string& done) {
  auto server = std::make_shared<std::string>();
  auto* cmd = servers->add_subcommand(verb == "revoke-agent" ? "revoke" : verb, what);
  cmd->add_option("server", *server, "Server id or name")->required();
  runner.on(cmd, [server, verb, done](Api& api) {
    auto path = path_of(api, "servers", *server, "/" + verb);
    if (!path) {
      return report(path.error());
    }
    auto answer = api.call("POST", *path);
    if (!answer) {
      return report(answer.error());
    }
    return show_done(api.options(), *answer, fmt::format("{} {}", done, *server));
  });
}

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

void add_server_commands(CLI::App& app, const Runner& runner) {
  auto* servers = app.add_subcommand("servers", "The team's servers");
  servers->require_subcommand(1);
  add_list_command(servers, runner, "servers", "List servers", kServerColumns);
  add_show_command(servers, runner, "servers", "Show a server", kServerFields);
  auto server = std::make_shared<std::string>();
  add_server_action(servers, runner, "cordon", "Place no new deployments on a server", "Cordoned");
  add_server_action(servers, runner, "uncordon", "Make a cordoned server schedulable",
                    "Uncordoned");
  add_server_action(servers, runner, "drain", "Cordon a server and cancel its queued jobs",
                    "Draining");
  add_server_action(servers, runner, "revoke-agent",
                    "Revoke the server's agent token and disconnect it", "Revoked the agent of");

  add_delete_command(servers, runner, "servers",
                     "Delete a server with its jobs, metrics and events");

  auto new_name = std::make_shared<std::string>();
  auto* rename = servers->add_subcommand("rename", "Rename a server");
  rename->add_option("server", *server, "Server id or name")->required();
  rename->add_option("name", *new_name, "The new name")->required();
  runner.on(rename, [server, new_name](Api& api) {
    auto path = path_of(api, "servers", *server);
    auto answer = path ? api.call("PATCH", *path, nlohmann::json{{"name", *new_name}})
                       : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer, "Renamed to " + *new_name)
                  : report(answer.error());
  });

  auto ttl = std::make_shared<int>(0);
  auto* token = servers->add_subcommand("install-token", "Mint a one-time install command");
  token->add_option("--ttl", *ttl, "Seconds the token lives (60-604800; default 3600)");
  runner.on(token, [ttl](Api& api) {
    nlohmann::json body = nlohmann::json::object();
    if (*ttl > 0) {
      body["ttl_seconds"] = *ttl;
    }
    auto answer = api.call("POST", "/api/v1/servers/install-tokens", body);
    if (!answer) {
      return report(answer.error());
    }
    if (api.options().json || api.options().quiet) {
      return show_done(api.options(), *answer, "");
    }
    fmt::print("Run this on the server as root (expires {}):\n\n  {}\n",
               cell(*answer, "expires_at"), cell(*answer, "install_command"));
    return kOk;
  });

  auto range = std::make_shared<std::string>("1h");
  auto* metrics = servers->add_subcommand("metrics", "A server's metrics over a time range");
  metrics->add_option("server", *server, "Server id or name")->required();
  metrics->add_option("--range", *range, "1h, 6h, 24h or 7d")
      ->check(CLI::IsMember({"1h", "6h", "24h", "7d"}));
  runner.on(metrics, [server, range](Api& api) {
    auto path = path_of(api, "servers", *server, "/metrics?range=" + *range);
    auto answer = path ? api.get(*path) : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    if (api.options().json) {
      fmt::print("{}\n", answer->dump(2));
      return kOk;
    }
    const auto& points = (*answer)["points"];
    nlohmann::json rows = points.is_array() ? points : nlohmann::json::array();
    std::vector<Column> columns;
    if (!rows.empty() && rows[0].is_object()) {
      for (const auto& [key, value] : rows[0].items()) {
        columns.push_back({key, key});
      }
    }
    return show_list(api.options(), rows, columns);
  });
}

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
