#pragma once
/// Test records for the apps and deployments parts of the Store contract (projects, apps, env
/// vars, deployments and their events, deploy hooks, proxy settings), in the manner of
/// store_contract_fleet_records.hpp: builders with distinct values derived from a number,
/// one-transaction seeding, and a text form of each record so that a test compares whole
/// records and a failure prints every field.

#include <string>
#include <vector>

#include "store/store_contract_fleet_records.hpp"

namespace berth {

std::string project_id(int n);     // "prj_0001"
std::string app_id(int n);         // "app_0001"
std::string deployment_id(int n);  // "dep_0001"
std::string hook_id(int n);        // "dhk_0001"

/// prj_000n of team_id(team), named "project-n", created and updated at test_time(n).
ProjectRecord test_project(int n, int team);
/// app_000n of team_id(team) named "app-n" on server_id(server) with hostname
/// "app-n.example.test", from image "nginx:n", created and updated at test_time(n); in
/// project_id(project) unless project is 0.
AppRecord test_app(int n, int team, int server, int project = 0);
/// test_app with every column away from its default (a git source, settings, a sealed
/// webhook secret, a current deployment).
AppRecord full_app(int n, int team, int server, int project = 0);
/// A plain var `key`="value-of-<key>" of an app (scope "app") or project, at test_time(1).
EnvVarRecord test_env(std::string scope, std::string scope_id, std::string key);
/// test_env holding a sealed secret instead of a value.
EnvVarRecord secret_env(std::string scope, std::string scope_id, std::string key);
/// dep_000n of app_id(app) in team_id(team) on server_id(server): queued by the API,
/// created at test_time(n).
DeploymentRecord test_deployment(int n, int team, int app, int server);
/// test_deployment with every column away from its default: a failed rollback.
DeploymentRecord full_deployment(int n, int team, int app, int server);
/// An event of deployment_id(deployment) at test_time(n), data {"n": n}.
DeploymentEventRecord test_deploy_event(int deployment, int n, std::string event = "output");
/// dhk_000n of app_id(app) in team_id(team), hash "hook-hash-n", created at test_time(n).
DeployHookRecord test_hook(int n, int team, int app);
/// Proxy settings of server_id(server) with base domain "sn.example.test", updated at
/// test_time(server).
ProxySettingsRecord test_proxy(int server);

/// Records created in one write transaction, in this member order.
struct AppSeed {
  std::vector<TeamRecord> teams = {};
  std::vector<ServerRecord> servers = {};
  std::vector<ProjectRecord> projects = {};
  std::vector<AppRecord> apps = {};
  std::vector<DeploymentRecord> deployments = {};
  std::vector<DeployHookRecord> hooks = {};
};
Result<void> seed_apps(Store& store, const AppSeed& records);

std::string to_text(const ProjectRecord& project);
std::string to_text(const AppRecord& app);
std::string to_text(const EnvVarRecord& var);
std::string to_text(const DeploymentRecord& deployment);
std::string to_text(const DeploymentEventRecord& event);
std::string to_text(const DeployHookRecord& hook);
std::string to_text(const ProxySettingsRecord& settings);

}  // namespace berth
