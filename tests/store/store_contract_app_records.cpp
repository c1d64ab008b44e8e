#include "store/store_contract_app_records.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/time_format.hpp"

namespace berth {

std::string project_id(int n) { return fmt::format("prj_{:04}", n); }
std::string app_id(int n) { return fmt::format("app_{:04}", n); }
std::string deployment_id(int n) { return fmt::format("dep_{:04}", n); }
std::string hook_id(int n) { return fmt::format("dhk_{:04}", n); }

ProjectRecord test_project(int n, int team) {
  ProjectRecord project{.id = project_id(n),
                        .team_id = team_id(team),
                        .name = fmt::format("project-{}", n),
                        .description = fmt::format("Project number {}", n)};
  project.created_at = test_time(n);
  project.updated_at = test_time(n);
  return project;
}

AppRecord test_app(int n, int team, int server, int project) {
  AppRecord app{.id = app_id(n),
                .team_id = team_id(team),
                .project_id = project == 0 ? "" : project_id(project),
                .name = fmt::format("app-{}", n),
                .server_id = server_id(server),
                .source = {{"type", "image"}, {"image", fmt::format("nginx:{}", n)}},
                .settings = {{"port", 80}},
                .hostname = fmt::format("app-{}.example.test", n)};
  app.created_at = test_time(n);
  app.updated_at = test_time(n);
  return app;
}

AppRecord full_app(int n, int team, int server, int project) {
  AppRecord app = test_app(n, team, server, project);
  app.source = {{"type", "git"},
                {"repository", "https://git.example.test/acme/site.git"},
                {"branch", "main"},
                {"build_args", {{"NODE_ENV", "production"}}}};
  app.settings = {{"port", 3000},
                  {"health", {{"path", "/healthz"}, {"retries", 3}}},
                  {"volumes", {{{"name", "data"}, {"path", "/data"}}}},
                  {"privileged", false}};
  app.status = "running";
  app.config_version = 7;
  app.deployed_config_version = 6;
  app.current_deployment_id = deployment_id(n);
  app.webhook_secret_sealed = "sealed:v1:webhook";
  app.updated_at = test_time(n + 100, 5);
  return app;
}

EnvVarRecord test_env(std::string scope, std::string scope_id, std::string key) {
  EnvVarRecord var{.scope = std::move(scope), .scope_id = std::move(scope_id), .key = key};
  var.value = "value-of-" + key;
  var.updated_at = test_time(1);
  return var;
}

EnvVarRecord secret_env(std::string scope, std::string scope_id, std::string key) {
  EnvVarRecord var = test_env(std::move(scope), std::move(scope_id), key);
  var.secret = true;
  var.value = "";
  var.value_sealed = "sealed:v1:" + key;
  return var;
}

DeploymentRecord test_deployment(int n, int team, int app, int server) {
  DeploymentRecord deployment{.id = deployment_id(n),
                              .team_id = team_id(team),
                              .app_id = app_id(app),
                              .server_id = server_id(server),
                              .created_by = user_id(1)};
  deployment.created_at = test_time(n);
  return deployment;
}

DeploymentRecord full_deployment(int n, int team, int app, int server) {
  DeploymentRecord deployment = test_deployment(n, team, app, server);
  deployment.state = DeploymentState::failed;
  deployment.trigger = "rollback";
  deployment.ref = "v1.2.3";
  deployment.image = "registry.example.test/site:1.2.3";
  deployment.rollback_of = deployment_id(n + 100);
  deployment.artifact = {{"image", "site:abc"}, {"image_id", "sha256:0123"}, {"commit", "abc"}};
  deployment.spec = {{"source", {{"type", "image"}}}, {"settings", {{"port", 8080}}}};
  deployment.config_version = 4;
  deployment.container_name = fmt::format("berth-app-{}-{}", app, n);
  deployment.host_port = 49153;
  deployment.step = "health_check";
  deployment.cancel_requested = true;
  deployment.error_code = "unhealthy";
  deployment.error_message = "the health check failed 3 times";
  deployment.started_at = test_time(n + 1, 100);
  deployment.finished_at = test_time(n + 9, 900);
  return deployment;
}

DeploymentEventRecord test_deploy_event(int deployment, int n, std::string event) {
  DeploymentEventRecord record{
      .deployment_id = deployment_id(deployment), .event = std::move(event), .data = {{"n", n}}};
  record.at = test_time(n);
  return record;
}

DeployHookRecord test_hook(int n, int team, int app) {
  DeployHookRecord hook{.id = hook_id(n),
                        .team_id = team_id(team),
                        .app_id = app_id(app),
                        .token_hash = fmt::format("hook-hash-{}", n),
                        .created_by = user_id(1)};
  hook.created_at = test_time(n);
  return hook;
}

ProxySettingsRecord test_proxy(int server) {
  ProxySettingsRecord settings{.server_id = server_id(server),
                               .base_domain = fmt::format("s{}.example.test", server),
                               .http_port = 8080,
                               .https_port = 8443,
                               .tls = "internal"};
  settings.public_addresses = {"203.0.113.7", "2001:db8::7"};
  settings.updated_at = test_time(server);
  return settings;
}

Result<void> seed_apps(Store& store, const AppSeed& records) {
  return store.write([&](Tx& tx) {
    Result<void> done;
    // Stops at the first failure; the transaction then rolls back.
    const auto each = [&](const auto& list, auto create) {
      for (const auto& record : list) {
        if (done) {
          done = (tx.*create)(record);
        }
      }
    };
    each(records.teams, &Tx::create_team);
    each(records.servers, &Tx::create_server);
    each(records.projects, &Tx::create_project);
    each(records.apps, &Tx::create_app);
    each(records.deployments, &Tx::create_deployment);
    each(records.hooks, &Tx::create_deploy_hook);
    return done;
  });
}

std::string to_text(const ProjectRecord& project) {
  return fmt::format("project {} team={} name={} description={} created={} updated={}", project.id,
                     project.team_id, project.name, project.description,
                     time_text(project.created_at), time_text(project.updated_at));
}

std::string to_text(const AppRecord& app) {
  return fmt::format(
      "app {} team={} project={} name={} server={} source={} settings={} hostname={} status={} "
      "config={}/{} current={} webhook_secret={} created={} updated={}",
      app.id, app.team_id, app.project_id, app.name, app.server_id, app.source.dump(),
      app.settings.dump(), app.hostname, app.status, app.config_version,
      app.deployed_config_version, app.current_deployment_id, app.webhook_secret_sealed,
      time_text(app.created_at), time_text(app.updated_at));
}

std::string to_text(const EnvVarRecord& var) {
  return fmt::format("env {}:{} {} secret={} value={} sealed={} updated={}", var.scope,
                     var.scope_id, var.key, var.secret, var.value, var.value_sealed,
                     time_text(var.updated_at));
}

std::string to_text(const DeploymentRecord& d) {
  return fmt::format(
      "deployment {} team={} app={} server={} state={} trigger={} by={} ref={} image={} "
      "rollback_of={} artifact={} spec={} config={} container={} port={} step={} cancel={} "
      "error={}:{} last_seq={} created={} started={} finished={}",
      d.id, d.team_id, d.app_id, d.server_id, state_name(d.state), d.trigger, d.created_by, d.ref,
      d.image, d.rollback_of, d.artifact.dump(), d.spec.dump(), d.config_version, d.container_name,
      d.host_port, d.step, d.cancel_requested, d.error_code, d.error_message, d.last_seq,
      time_text(d.created_at), time_text(d.started_at), time_text(d.finished_at));
}

std::string to_text(const DeploymentEventRecord& event) {
  return fmt::format("event {}#{} {} at={} data={}", event.deployment_id, event.seq, event.event,
                     time_text(event.at), event.data.dump());
}

std::string to_text(const DeployHookRecord& hook) {
  return fmt::format("hook {} team={} app={} hash={} by={} created={} used={}", hook.id,
                     hook.team_id, hook.app_id, hook.token_hash, hook.created_by,
                     time_text(hook.created_at), time_text(hook.last_used_at));
}

std::string to_text(const ProxySettingsRecord& settings) {
  return fmt::format(
      "proxy {} domain={} http={} https={} tls={} public={} acme_ca={} acme_ca_root={} "
      "acme_email={} updated={}",
      settings.server_id, settings.base_domain, settings.http_port, settings.https_port,
      settings.tls, fmt::join(settings.public_addresses, ","), settings.acme_ca,
      settings.acme_ca_root, settings.acme_email, time_text(settings.updated_at));
}

}  // namespace berth
