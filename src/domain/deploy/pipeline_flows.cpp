// The three shapes of a deployment (a container, a workflow, a stop) and how one ends. The
// steps they are made of live in pipeline.cpp.
#include "domain/deploy/pipeline.hpp"
#include "domain/deploy/pipeline_run.hpp"
#include "store/job_state.hpp"

namespace berth {

using nlohmann::json;

Result<void> Pipeline::deploy_container(Run& run) {
  if (auto resolved = resolve_artifact(run); !resolved) {
    return resolved;
  }
  // With the host's network two versions cannot listen on one port: the old one goes first
  // (a short outage, which the docs say).
  if (run.settings.network_mode == "host" && run.previous && run.previous_running &&
      !run.previous->container_name.empty()) {
    remove_container(run, "stop-previous", run.previous->container_name);
    run.previous_running = false;
  }
  if (auto started = start_container(run); !started) {
    return started;
  }
  if (auto healthy = check_health(run, run.dep.host_port); !healthy) {
    return healthy;
  }
  if (auto switched = switch_route(run, run.dep.host_port); !switched) {
    return switched;
  }
  retire_previous(run);
  return {};
}

Result<void> Pipeline::deploy_workflow(Run& run) {
  const json steps = run.source.value("steps", json::array());
  std::size_t index = 0;
  for (const auto& step : steps) {
    ++index;
    const std::string name = "step " + std::to_string(index) + ": " + step.value("name", "");
    json argv = step.contains("run") ? step["run"]
                                     : json::array({"/bin/sh", "-c", step.value("shell", "")});
    auto env = run.env;
    const json step_env = step.value("env", json::object());
    for (const auto& [key, value] : step_env.items()) {
      env[key] = value.get<std::string>();
    }
    auto ran =
        job(run, name,
            NewJob{.kind = "exec",
                   .args = {{"argv", std::move(argv)}, {"env", env}},
                   .timeout_ms = static_cast<std::int64_t>(step.value("timeout_s", 600)) * 1000});
    if (!ran) {
      if (ran.error().code == "canceled" || !step.value("continue_on_error", false)) {
        return fail(std::move(ran.error()));
      }
      log_.say(run.dep.id, name, "continuing: the step may fail (continue_on_error)");
    }
  }
  run.dep.artifact = {{"workflow_steps", steps.size()}};
  const auto port = run.settings.port.value_or(0);
  run.dep.host_port = port;
  if (auto saved = save(run); !saved) {
    return saved;
  }
  if (port > 0) {
    if (auto healthy = check_health(run, port); !healthy) {
      return healthy;
    }
  }
  return switch_route(run, port);
}

Result<void> Pipeline::stop_app(Run& run) {
  auto unrouted = route(run, 0, [](AppRecord& app) { app.status = "stopped"; });
  if (!unrouted) {
    return unrouted;
  }
  if (run.previous && run.previous_running && !run.previous->container_name.empty()) {
    auto stopped =
        job(run, "stop",
            NewJob{.kind = "docker.stop",
                   .args = {{"container", run.previous->container_name}, {"timeout_seconds", 10}},
                   .timeout_ms = 60'000});
    if (!stopped) {
      return fail(std::move(stopped.error()));
    }
    remove_container(run, "remove", run.previous->container_name);
  }
  return {};
}

void Pipeline::finish(Run& run, const Result<void>& outcome) {
  if (!outcome) {
    // The new container goes before the deployment ends, so a finished deployment never leaves
    // one behind; the step that failed is what the record keeps.
    const std::string failed_step = run.dep.step;
    if (run.started && !run.switched && !run.dep.container_name.empty() && !stopping_.load()) {
      remove_container(run, "cleanup", run.dep.container_name);
    }
    run.dep.step = failed_step;
    run.dep.state =
        outcome.error().code == "canceled" ? DeploymentState::canceled : DeploymentState::failed;
    run.dep.error_code = outcome.error().code.empty() ? "step_failed" : outcome.error().code;
    run.dep.error_message = outcome.error().message;
  } else {
    run.dep.state = DeploymentState::succeeded;
    run.dep.error_code.clear();
    run.dep.error_message.clear();
  }
  run.dep.finished_at = ctx_.clock().now();
  // The deployment's end and the app's status change together: nobody sees one without the
  // other.
  (void)ctx_.store().write([&](Tx& tx) -> Result<void> {
    if (auto ended = tx.update_deployment(run.dep); !ended) {
      return ended;
    }
    if (outcome || run.switched) {
      return {};
    }
    // The old version keeps serving; an app that never served shows the failure.
    return change_app(tx, run, [&](AppRecord& app) {
      app.status = app.current_deployment_id.empty() ? "failed"
                   : run.previous_running            ? "running"
                                                     : "stopped";
    });
  });
  log_.append(run.dep.id, "done",
              {{"state", state_name(run.dep.state)},
               {"step", run.dep.step},
               {"error_code", run.dep.error_code},
               {"error_message", run.dep.error_message},
               {"artifact", run.dep.artifact}});
}

}  // namespace berth
