#include "domain/deploy/pipeline.hpp"

#include <algorithm>

#include "core/crypto.hpp"
#include "domain/apps/env_service.hpp"
#include "domain/deploy/pipeline_run.hpp"
#include "domain/services/service_spec.hpp"
#include "store/job_state.hpp"

namespace berth {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kMinDrain{2000};

namespace {

Error step_error(const JobRecord& job) {
  Error error =
      job.state == job_state::canceled
          ? Error::conflict("the deployment was canceled")
          : Error::unprocessable(job.error_message.empty() ? "the step's job ended " + job.state
                                                           : job.error_message);
  error.code = job.state == job_state::canceled ? "canceled"
               : job.error_code.empty()         ? "step_failed"
                                                : job.error_code;
  return error;
}

std::int64_t ms(double seconds) { return static_cast<std::int64_t>(seconds * 1000.0); }

// The values of the env vars a git source names in secret_build_args, from the app's resolved
// env (sealed at rest, masked in the job's shown arguments).
Result<json> secret_build_args(const json& source, const std::map<std::string, std::string>& env) {
  json values = json::object();
  for (const auto& name : source.value("secret_build_args", json::array())) {
    const auto found = env.find(name.get<std::string>());
    if (found == env.end()) {
      return fail(Error::validation(
          "source.secret_build_args",
          "secret build arg " + name.get<std::string>() + " is not an env var of the app"));
    }
    values[found->first] = found->second;
  }
  return values;
}

}  // namespace

std::string container_name_of(std::string_view app_name, std::string_view deployment_id) {
  std::string suffix(deployment_id.substr(deployment_id.find('_') + 1));
  std::transform(suffix.begin(), suffix.end(), suffix.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return "berth-" + std::string(app_name) + "-" + suffix;
}

bool Pipeline::cancel_requested(const std::string& deployment_id) {
  auto found = read_value<std::optional<DeploymentRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.get_deployment("", deployment_id); });
  return found && *found && (**found).cancel_requested;
}

Result<JobRecord> Pipeline::job(Run& run, const std::string& step, const NewJob& job) {
  run.dep.step = step;
  (void)save(run);
  auto done = steps_.run(
      run.dep.id, run.dep.team_id, run.dep.server_id, step, job,
      // Cleanup must run even for a canceled deployment.
      [&] { return step != "cleanup" && !run.switched && cancel_requested(run.dep.id); });
  if (!done) {
    log_.step(run.dep.id, step, "failed", {{"error", done.error().message}});
    return fail(std::move(done.error()));
  }
  if (done->state != job_state::succeeded) {
    log_.step(run.dep.id, step, "failed",
              {{"job_id", done->id},
               {"error_code", done->error_code},
               {"error", done->error_message},
               {"exit_code", done->exit_code ? json(*done->exit_code) : json(nullptr)}});
    return fail(step_error(*done));
  }
  log_.step(run.dep.id, step, "succeeded",
            {{"job_id", done->id}, {"duration_ms", done->duration_ms}});
  return done;
}

Result<void> Pipeline::save(Run& run) {
  return ctx_.store().write([&](Tx& tx) { return tx.update_deployment(run.dep); });
}

Result<void> Pipeline::load(Run& run) {
  return ctx_.store().read([&](Tx& tx) -> Result<void> {
    auto app = tx.get_app("", run.dep.app_id);
    if (!app) {
      return fail(std::move(app.error()));
    }
    if (!*app) {
      return fail(Error::not_found("the app was deleted"));
    }
    run.app = std::move(**app);
    if (!run.app.current_deployment_id.empty()) {
      auto previous = tx.get_deployment("", run.app.current_deployment_id);
      if (!previous) {
        return fail(std::move(previous.error()));
      }
      run.previous = std::move(*previous);
      run.previous_running = run.app.status != "stopped";
    }
    auto env = resolve_app_env(tx, ctx_.services.master_key, run.app);
    if (!env) {
      return fail(std::move(env.error()));
    }
    run.env = std::move(*env);
    auto links = tx.list_app_links(run.app.id);
    if (!links) {
      return fail(std::move(links.error()));
    }
    if (!links->empty()) {
      run.networks.push_back(project_network_name(run.app.project_id));
    }
    auto server = tx.get_server("", run.dep.server_id);
    if (!server) {
      return fail(std::move(server.error()));
    }
    if (*server && !(*server)->deploy_private_sealed.empty()) {
      auto key = crypto::open_sealed(ctx_.services.master_key, (*server)->deploy_private_sealed);
      if (!key) {
        return fail(std::move(key.error()));
      }
      run.deploy_key = std::move(*key);
    }
    run.source = run.dep.spec.value("source", json::object());
    run.settings = settings_from_json(run.dep.spec.value("settings", json::object()));
    return {};
  });
}

void Pipeline::run(const DeploymentRecord& claimed) {
  Run run{.dep = claimed};
  log_.append(run.dep.id, "state", {{"state", "running"}, {"trigger", run.dep.trigger}});
  Result<void> outcome = load(run);
  if (outcome) {
    if (run.dep.trigger == "stop") {
      outcome = stop_app(run);
    } else if (run.source.value("type", "") == "workflow") {
      outcome = deploy_workflow(run);
    } else {
      outcome = deploy_container(run);
    }
  }
  finish(run, outcome);
}

Result<void> Pipeline::resolve_artifact(Run& run) {
  if (run.dep.artifact.contains("image")) {
    log_.step(run.dep.id, "resolve", "skipped",
              {{"reason", "reusing the artifact of deployment " + run.dep.rollback_of}});
    return {};
  }
  if (run.source.value("type", "") == "image") {
    const std::string image = run.dep.image.empty() ? run.source.value("image", "") : run.dep.image;
    auto pulled = job(run, "pull",
                      NewJob{.kind = "docker.pull",
                             .args = {{"image", image}, {"policy", run.settings.pull_policy}},
                             .timeout_ms = 30 * 60'000});
    if (!pulled) {
      return fail(std::move(pulled.error()));
    }
    run.dep.artifact = {{"image", image}, {"image_id", pulled->result.value("image_id", "")}};
    return save(run);
  }
  const std::string ref = run.dep.ref.empty() ? run.source.value("branch", "main") : run.dep.ref;
  json fetch_args = {
      {"repository", run.source.value("repository", "")}, {"ref", ref}, {"dir", run.app.name}};
  if (!run.deploy_key.empty()) {
    fetch_args["deploy_key"] = run.deploy_key;
  }
  auto fetched =
      job(run, "fetch", NewJob{.kind = "git.fetch", .args = fetch_args, .timeout_ms = 10 * 60'000});
  if (!fetched) {
    return fail(std::move(fetched.error()));
  }
  const std::string commit = fetched->result.value("commit", "");
  const std::string context = run.source.value("context", ".");
  std::string context_dir = fetched->result.value("dir", "");
  if (!context.empty() && context != ".") {
    context_dir += "/" + context;
  }
  const std::string tag = "berth/" + run.app.name + ":" + commit.substr(0, 12);
  json build_args = {{"context_dir", context_dir},
                     {"dockerfile", run.source.value("dockerfile", "Dockerfile")},
                     {"tag", tag},
                     {"build_args", run.source.value("build_args", json::object())},
                     {"labels", {{"berth.app", run.app.id}}}};
  auto secret_args = secret_build_args(run.source, run.env);
  if (!secret_args) {
    return fail(std::move(secret_args.error()));
  }
  if (!secret_args->empty()) {
    build_args["secret_build_args"] = std::move(*secret_args);
  }
  auto built =
      job(run, "build",
          NewJob{.kind = "docker.build", .args = std::move(build_args), .timeout_ms = 60 * 60'000});
  if (!built) {
    return fail(std::move(built.error()));
  }
  run.dep.artifact = {
      {"image", tag}, {"image_id", built->result.value("image_id", "")}, {"commit", commit}};
  return save(run);
}

Result<void> Pipeline::start_container(Run& run) {
  const auto port = run.settings.port.value_or(0);
  const bool host_network = run.settings.network_mode == "host";
  auto env = run.env;
  env.emplace("PORT", std::to_string(port));
  const std::string name = container_name_of(run.app.name, run.dep.id);
  // The image id when known: exactly what was pulled or built, even if the tag moved since.
  const std::string image_id = run.dep.artifact.value("image_id", "");
  json args = {{"image", image_id.empty() ? run.dep.artifact.value("image", "") : image_id},
               {"name", name},
               {"env", env},
               {"labels", {{"berth.app", run.app.id}, {"berth.deployment", run.dep.id}}},
               {"restart", "unless-stopped"},
               {"volumes", to_json(run.settings)["volumes"]},
               {"privileged", run.settings.privileged},
               {"network_mode", host_network ? "host" : "bridge"}};
  if (!host_network) {
    args["ports"] =
        json::array({{{"container", port}, {"host_port", 0}, {"host_ip", "127.0.0.1"}}});
    for (const auto& network : run.networks) {
      args["networks"].push_back({{"name", network}});
    }
  }
  if (const auto memory = run.settings.resources.memory_mb; memory > 0) {
    args["memory_bytes"] = memory * 1024 * 1024;
  }
  if (const auto cpus = run.settings.resources.cpus; cpus > 0) {
    args["nano_cpus"] = static_cast<std::int64_t>(cpus * 1e9);
  }
  if (run.settings.command && !run.settings.command->empty()) {
    args["cmd"] = *run.settings.command;
  }
  for (const auto& network : run.networks) {
    // Made with the project's first service; ensured again so the run cannot fail on it.
    auto ensured = job(run, "network",
                       NewJob{.kind = "docker.network",
                              .args = {{"action", "ensure"},
                                       {"name", network},
                                       {"labels", {{"berth.project", run.app.project_id}}}},
                              .timeout_ms = 60'000});
    if (!ensured) {
      return fail(std::move(ensured.error()));
    }
  }
  run.started = true;
  run.dep.container_name = name;
  auto started =
      job(run, "start", NewJob{.kind = "docker.run", .args = args, .timeout_ms = 5 * 60'000});
  if (!started) {
    return fail(std::move(started.error()));
  }
  std::int64_t host_port = port;
  for (const auto& binding : started->result.value("ports", json::array())) {
    if (binding.value("container_port", std::int64_t{0}) == port) {
      host_port = binding.value("host_port", port);
    }
  }
  run.dep.host_port = host_port;
  return save(run);
}

Result<void> Pipeline::check_health(Run& run, std::int64_t port) {
  const HealthCheck& health = run.settings.health;
  const std::int64_t interval = ms(health.interval_s);
  const std::int64_t timeout = ms(health.timeout_s);
  const std::int64_t retries = health.retries;
  const std::int64_t start_period = ms(health.start_period_s);
  auto checked = job(run, "health",
                     NewJob{.kind = "http.probe",
                            .args = {{"port", port},
                                     {"path", health.path},
                                     {"interval_ms", interval},
                                     {"timeout_ms", timeout},
                                     {"retries", retries},
                                     {"start_period_ms", start_period}},
                            .timeout_ms = start_period + retries * (interval + timeout) + 30'000});
  return checked ? Result<void>{} : fail(std::move(checked.error()));
}

Result<void> Pipeline::change_app(Tx& tx, const Run& run,
                                  const std::function<void(AppRecord&)>& change) {
  // Re-read in the transaction: the user may have changed the app meanwhile.
  auto app = tx.get_app("", run.app.id);
  if (!app || !*app) {
    return app ? Result<void>{} : fail(std::move(app.error()));  // deleted: nothing to record
  }
  change(**app);
  (*app)->updated_at = ctx_.clock().now();
  return tx.update_app(**app);
}

Result<void> Pipeline::update_app(Run& run, const std::function<void(AppRecord&)>& change) {
  return ctx_.store().write([&](Tx& tx) { return change_app(tx, run, change); });
}

Result<void> Pipeline::route(Run& run, std::int64_t port,
                             const std::function<void(AppRecord&)>& record) {
  const RouteChange change{
      .app_id = run.app.id, .hostname = run.app.hostname, .upstream_port = port};
  return router_.apply(
      run.dep.server_id, change,
      [&](const json& args) {
        return job(run, "switch",
                   NewJob{.kind = "proxy.apply", .args = args, .timeout_ms = 60'000});
      },
      [&]() -> Result<void> {
        run.switched = true;
        return update_app(run, record);
      });
}

Result<void> Pipeline::switch_route(Run& run, std::int64_t port) {
  return route(run, port, [&](AppRecord& app) {
    app.current_deployment_id = run.dep.id;
    app.deployed_config_version = run.dep.config_version;
    app.status = "running";
  });
}

void Pipeline::remove_container(Run& run, const std::string& step, const std::string& container) {
  auto removed = job(run, step,
                     NewJob{.kind = "docker.remove",
                            .args = {{"container", container}, {"force", true}},
                            .timeout_ms = 2 * 60'000});
  if (!removed) {
    log_.say(run.dep.id, step, "could not remove " + container + ": " + removed.error().message);
  }
}

void Pipeline::retire_previous(Run& run) {
  if (!run.previous || !run.previous_running || run.previous->container_name.empty() ||
      run.previous->container_name == run.dep.container_name) {
    return;
  }
  const std::string old = run.previous->container_name;
  // At least 2 s: Caddy looks the app's upstream up again every 250 ms (the agent's SRV
  // answer), so the old container must keep answering until Caddy has moved on.
  const auto grace =
      std::max(std::chrono::milliseconds(run.settings.drain_grace_s * 1000), kMinDrain);
  log_.say(run.dep.id, "drain",
           "letting " + old + " finish its requests for " + std::to_string(grace.count()) + " ms");
  sleeper_.sleep_for(grace, stopping_);
  auto stopped = job(run, "drain",
                     NewJob{.kind = "docker.stop",
                            .args = {{"container", old}, {"timeout_seconds", 10}},
                            .timeout_ms = 60'000});
  if (!stopped) {
    log_.say(run.dep.id, "drain", "could not stop " + old + ": " + stopped.error().message);
  }
  remove_container(run, "remove", old);
}

}  // namespace berth
