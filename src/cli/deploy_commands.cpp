// berth deploy | rollback | restart | stop | start | logs, berth deployments …, berth webhook.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/stream_output.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kDeploymentColumns = {{"ID", "id"},       {"STATE", "state"},
                                                {"STEP", "step"},   {"TRIGGER", "trigger"},
                                                {"IMAGE", "image"}, {"CREATED", "created_at"}};
const std::vector<Column> kDeploymentFields = {{"id", "id"},
                                               {"app", "app_id"},
                                               {"state", "state"},
                                               {"step", "step"},
                                               {"trigger", "trigger"},
                                               {"image", "image"},
                                               {"ref", "ref"},
                                               {"error", "error_code"},
                                               {"message", "error_message"},
                                               {"created", "created_at"},
                                               {"finished", "finished_at"}};

// Prints a deployment's events as they come until `done`; the exit code (1 when it did not
// succeed, with the failing step on stderr). Resumes after a dropped connection.
int follow_deployment(Api& api, const std::string& id) {
  install_interrupt_handler();
  nlohmann::json done;
  const bool json = api.options().json;
  auto streamed = api.stream(
      "/api/v1/deployments/" + id + "/events", "",
      [&](const client::SseEvent& event) {
        const auto data = nlohmann::json::parse(event.data, nullptr, false);
        if (json) {  // one object per line, for jq
          fmt::print("{}\n", nlohmann::json{{"event", event.event}, {"data", data}}.dump());
          std::fflush(stdout);
        } else if (event.event == "output") {
          write_output(data);
        } else if (event.event == "step") {
          const auto status = data.value("status", "");
          const auto step = data.value("step", "");
          if (status == "started") {
            fmt::print("{}\n", paint("==> " + step, "1"));
          } else if (status == "failed") {
            fmt::print("{}\n", paint("    " + step + " failed", "31"));
          } else if (status == "succeeded") {
            fmt::print("{}\n",
                       paint(fmt::format("    {} done ({} ms)", step, data.value("duration_ms", 0)),
                             "32"));
          }
          std::fflush(stdout);
        }
        if (event.event == "done") {
          done = data;
          return false;
        }
        return true;
      },
      {.cancel = &interrupted()});
  if (!streamed) {
    return report(streamed.error());
  }
  if (done.is_null()) {
    fmt::print(stderr, "berth: stopped following deployment {} (it goes on)\n", id);
    return 130;
  }
  const auto state = done.value("state", "");
  if (state == "succeeded") {
    if (!json && !api.options().quiet) {
      fmt::print("{}\n", paint("Deployment " + id + " succeeded", "32"));
    }
    return kOk;
  }
  fmt::print(stderr, "berth: deployment {} {} at step {}: {}: {}\n", id, state,
             done.value("step", "-"), done.value("error_code", "-"),
             done.value("error_message", ""));
  return kFailed;
}

// POSTs an app action that answers with a deployment, then follows it when asked to.
int start_deployment(Api& api, const std::string& app, const std::string& action,
                     const std::optional<nlohmann::json>& body, bool wait) {
  auto path = path_of(api, "apps", app, action);
  if (!path) {
    return report(path.error());
  }
  // The key makes the POST safe to retry: berthd answers a repeat with the first deployment.
  auto answer = api.call("POST", *path, body ? body : nlohmann::json::object(),
                         {{"Idempotency-Key", new_idempotency_key()}});
  if (!answer) {
    return report(answer.error());
  }
  const auto id = answer->value("id", "");
  if (!wait) {
    return show_done(api.options(), *answer,
                     fmt::format("Deployment {} queued (berth deployments show {})", id, id));
  }
  if (!api.options().json && !api.options().quiet) {
    fmt::print("Deployment {}\n", id);
  }
  return follow_deployment(api, id);
}

struct DeployArgs {
  std::string app, image, ref, deployment;
  bool wait = false;
};

}  // namespace

void add_deploy_commands(CLI::App& app, const Runner& runner) {
  auto args = std::make_shared<DeployArgs>();
  auto* deploy = app.add_subcommand("deploy", "Deploy an app (--wait streams it live)");
  deploy->add_option("app", args->app, "App id or name")->required();
  auto* image = deploy->add_option("--image", args->image, "Deploy this image instead");
  deploy->add_option("--ref", args->ref, "Deploy this git ref instead")->excludes(image);
  deploy->add_flag("--wait,-w", args->wait, "Follow the deployment; fail when it fails");
  runner.on(deploy, [args](Api& api) {
    nlohmann::json body = nlohmann::json::object();
    if (!args->image.empty()) {
      body["image"] = args->image;
    }
    if (!args->ref.empty()) {
      body["ref"] = args->ref;
    }
    return start_deployment(api, args->app, "/deployments", body, args->wait);
  });

  auto* rollback = app.add_subcommand("rollback", "Deploy an earlier deployment's artifact again");
  rollback->add_option("app", args->app, "App id or name")->required();
  rollback->add_option("deployment", args->deployment,
                       "The deployment (default: the last good one before the current)");
  rollback->add_flag("--wait,-w", args->wait, "Follow the deployment");
  runner.on(rollback, [args](Api& api) {
    nlohmann::json body = nlohmann::json::object();
    if (!args->deployment.empty()) {
      body["deployment_id"] = args->deployment;
    }
    return start_deployment(api, args->app, "/rollback", body, args->wait);
  });

  for (const auto* verb : {"restart", "stop", "start"}) {
    const std::string name = verb;
    auto* cmd = app.add_subcommand(name, name == "restart" ? "Restart an app (no downtime)"
                                         : name == "stop"  ? "Stop an app and remove its route"
                                                           : "Start a stopped app");
    cmd->add_option("app", args->app, "App id or name")->required();
    cmd->add_flag("--wait,-w", args->wait, "Follow the deployment");
    runner.on(cmd, [args, name](Api& api) {
      return start_deployment(api, args->app, "/" + name, std::nullopt, args->wait);
    });
  }

  auto follow = std::make_shared<bool>(false);
  auto tail = std::make_shared<int>(-1);
  auto* logs = app.add_subcommand("logs", "The running container's output");
  logs->add_option("app", args->app, "App id or name")->required();
  logs->add_flag("-f,--follow", *follow, "Keep streaming until Ctrl-C or the container stops");
  logs->add_option("--tail", *tail, "Start with the last N lines");
  runner.on(logs, [args, follow, tail](Api& api) {
    return print_container_logs(api, "apps", args->app, *follow, *tail);
  });

  auto* deployments = app.add_subcommand("deployments", "An app's deployments");
  deployments->require_subcommand(1);
  auto* ls = deployments->add_subcommand("ls", "List an app's deployments, newest first");
  ls->add_option("app", args->app, "App id or name")->required();
  runner.on(ls, [args](Api& api) {
    auto path = path_of(api, "apps", args->app, "/deployments?per_page=50");
    auto items = path ? api.get(*path) : fail(std::move(path.error()));
    return items ? show_list(api.options(), (*items)["data"], kDeploymentColumns)
                 : report(items.error());
  });
  auto* show = deployments->add_subcommand("show", "Show a deployment (--follow: its events)");
  show->add_option("deployment", args->deployment, "Deployment id")->required();
  show->add_flag("-f,--follow", *follow, "Stream its events until it ends");
  runner.on(show, [args, follow](Api& api) {
    if (*follow) {
      return follow_deployment(api, args->deployment);
    }
    auto item = api.get("/api/v1/deployments/" + args->deployment);
    return item ? show_object(api.options(), *item, kDeploymentFields) : report(item.error());
  });
  auto* cancel = deployments->add_subcommand("cancel", "Cancel a deployment");
  cancel->add_option("deployment", args->deployment, "Deployment id")->required();
  runner.on(cancel, [args](Api& api) {
    auto answer = api.call("POST", "/api/v1/deployments/" + args->deployment + "/cancel");
    return answer ? show_done(api.options(), *answer, "Canceling " + args->deployment)
                  : report(answer.error());
  });

  auto* webhook = app.add_subcommand("webhook", "An app's git webhook");
  webhook->require_subcommand(1);
  auto* rotate = webhook->add_subcommand("rotate", "Mint a new webhook URL secret (shown once)");
  rotate->add_option("app", args->app, "App id or name")->required();
  runner.on(rotate, [args](Api& api) {
    auto path = path_of(api, "apps", args->app, "/webhook/rotate");
    auto answer = path ? api.call("POST", *path) : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    return show_object(api.options(), *answer, {{"url", "url"}, {"secret", "secret"}});
  });
}

}  // namespace berth::cli
