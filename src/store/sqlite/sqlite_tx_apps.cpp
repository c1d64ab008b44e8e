// SqliteTx: projects, apps and env vars.
#include <fmt/format.h>

#include "store/sqlite/sqlite_app_columns.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kProjectColumns =
    "id, team_id, name, description, created_at, updated_at";

constexpr std::string_view kAppColumns =
    "id, team_id, project_id, name, server_id, source, settings, hostname, status, "
    "config_version, deployed_config_version, current_deployment_id, webhook_secret_sealed, "
    "created_at, updated_at";

constexpr std::string_view kEnvColumns =
    "scope, scope_id, key, secret, value, value_sealed, updated_at";

Result<ProjectRecord> read_project(const SqliteStatement& row) {
  RowReader read(row, "projects");
  ProjectRecord project;
  project.id = read.text(0);
  project.team_id = read.text(1);
  project.name = read.text(2);
  project.description = read.text(3);
  project.created_at = read.time(4);
  project.updated_at = read.time(5);
  return read.finish(std::move(project));
}

Result<AppRecord> read_app(const SqliteStatement& row) {
  RowReader read(row, "apps");
  AppRecord app;
  app.id = read.text(0);
  app.team_id = read.text(1);
  app.project_id = read.text(2);  // NULL reads as ""
  app.name = read.text(3);
  app.server_id = read.text(4);
  app.source = json_column(read, 5);
  app.settings = json_column(read, 6);
  app.hostname = read.text(7);  // NULL reads as ""
  app.status = read.text(8);
  app.config_version = read.integer(9);
  app.deployed_config_version = read.integer(10);
  app.current_deployment_id = read.text(11);
  app.webhook_secret_sealed = read.text(12);
  app.created_at = read.time(13);
  app.updated_at = read.time(14);
  return read.finish(std::move(app));
}

Result<EnvVarRecord> read_env_var(const SqliteStatement& row) {
  RowReader read(row, "env_vars");
  EnvVarRecord var;
  var.scope = read.text(0);
  var.scope_id = read.text(1);
  var.key = read.text(2);
  var.secret = read.flag(3);
  var.value = read.text(4);
  var.value_sealed = read.text(5);
  var.updated_at = read.time(6);
  return read.finish(std::move(var));
}

Result<void> check_project(SqliteConnection& connection, const ProjectRecord& project) {
  return check_free(connection, "project_name_taken",
                    fmt::format("the team already has a project named '{}'", project.name),
                    "SELECT count(*) FROM projects WHERE team_id = ?1 AND name = ?2 AND id <> ?3",
                    project.team_id, project.name, project.id);
}

// The status word, the name free within the team and the hostname free on the server.
Result<void> check_app(SqliteConnection& connection, const AppRecord& app) {
  if (auto known = check_one_of("status", app.status, kAppStatuses); !known) {
    return known;
  }
  if (auto free =
          check_free(connection, "app_name_taken",
                     fmt::format("the team already has an app named '{}'", app.name),
                     "SELECT count(*) FROM apps WHERE team_id = ?1 AND name = ?2 AND id <> ?3",
                     app.team_id, app.name, app.id);
      !free) {
    return free;
  }
  if (app.hostname.empty()) {
    return {};  // stored as NULL: any number of apps may have none
  }
  return check_free(connection, "hostname_taken",
                    fmt::format("another app on this server already answers to '{}'", app.hostname),
                    "SELECT count(*) FROM apps WHERE server_id = ?1 AND hostname = ?2 AND id <> ?3",
                    app.server_id, app.hostname, app.id);
}

Result<void> insert_env_var(SqliteConnection& connection, const EnvVarRecord& var) {
  if (auto known = check_one_of("scope", var.scope, kEnvScopes); !known) {
    return known;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO env_vars ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (scope, scope_id, key) DO UPDATE SET secret = excluded.secret, "
      "value = excluded.value, value_sealed = excluded.value_sealed, "
      "updated_at = excluded.updated_at",
      kEnvColumns);
  return run_sql(connection, sql, var.scope, var.scope_id, var.key, var.secret, var.value,
                 var.value_sealed, var.updated_at);
}

}  // namespace

Result<void> SqliteTx::create_project(const ProjectRecord& project) {
  if (auto checked = check_project(connection_, project); !checked) {
    return checked;
  }
  static const std::string sql =
      fmt::format("INSERT INTO projects ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", kProjectColumns);
  return run_sql(connection_, sql, project.id, project.team_id, project.name, project.description,
                 project.created_at, project.updated_at);
}

Result<std::optional<ProjectRecord>> SqliteTx::get_project(std::string_view team_id,
                                                           std::string_view id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM projects WHERE id = ?2 AND (?1 = '' OR team_id = ?1)", kProjectColumns);
  return query_row(connection_, sql, read_project, team_id, id);
}

Result<void> SqliteTx::update_project(const ProjectRecord& project) {
  if (auto checked = check_project(connection_, project); !checked) {
    return checked;
  }
  return execute_one(connection_,
                     "UPDATE projects SET team_id = ?2, name = ?3, description = ?4, "
                     "created_at = ?5, updated_at = ?6 WHERE id = ?1",
                     project.id, project.team_id, project.name, project.description,
                     project.created_at, project.updated_at);
}

Result<void> SqliteTx::delete_project(std::string_view id) {
  // Its apps stay, in no project (ON DELETE SET NULL); its env vars go (a trigger).
  return execute_one(connection_, "DELETE FROM projects WHERE id = ?1", id);
}

Result<Page<ProjectRecord>> SqliteTx::list_projects(std::string_view team_id, std::int64_t page,
                                                    std::int64_t per_page) {
  Filters filters;
  filters.add(true, "team_id = ?", {std::string(team_id)});
  return filtered_page(connection_, "projects", kProjectColumns, filters, "name, id", read_project,
                       page, per_page);
}

Result<void> SqliteTx::create_app(const AppRecord& app) {
  if (auto checked = check_app(connection_, app); !checked) {
    return checked;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO apps ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14, ?15)",
      kAppColumns);
  return run_sql(connection_, sql, app.id, app.team_id, NullIfEmpty{app.project_id}, app.name,
                 app.server_id, json_text(app.source), json_text(app.settings),
                 NullIfEmpty{app.hostname}, app.status, app.config_version,
                 app.deployed_config_version, app.current_deployment_id, app.webhook_secret_sealed,
                 app.created_at, app.updated_at);
}

Result<std::optional<AppRecord>> SqliteTx::get_app(std::string_view team_id, std::string_view id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM apps WHERE id = ?2 AND (?1 = '' OR team_id = ?1)", kAppColumns);
  return query_row(connection_, sql, read_app, team_id, id);
}

Result<void> SqliteTx::update_app(const AppRecord& app) {
  if (auto checked = check_app(connection_, app); !checked) {
    return checked;
  }
  return execute_one(
      connection_,
      "UPDATE apps SET team_id = ?2, project_id = ?3, name = ?4, server_id = ?5, source = ?6, "
      "settings = ?7, hostname = ?8, status = ?9, config_version = ?10, "
      "deployed_config_version = ?11, current_deployment_id = ?12, "
      "webhook_secret_sealed = ?13, created_at = ?14, updated_at = ?15 WHERE id = ?1",
      app.id, app.team_id, NullIfEmpty{app.project_id}, app.name, app.server_id,
      json_text(app.source), json_text(app.settings), NullIfEmpty{app.hostname}, app.status,
      app.config_version, app.deployed_config_version, app.current_deployment_id,
      app.webhook_secret_sealed, app.created_at, app.updated_at);
}

Result<void> SqliteTx::delete_app(std::string_view id) {
  // Deployments and their events, deploy hooks and webhook deliveries go with it (ON DELETE
  // CASCADE); its env vars too (a trigger).
  return execute_one(connection_, "DELETE FROM apps WHERE id = ?1", id);
}

Result<Page<AppRecord>> SqliteTx::list_apps(const AppQuery& query) {
  Filters filters;
  filters.add(true, "team_id = ?", {query.team_id});
  filters.add(!query.project_id.empty(), "project_id = ?", {query.project_id});
  filters.add(!query.server_id.empty(), "server_id = ?", {query.server_id});
  filters.add(!query.q.empty(), "name LIKE ? ESCAPE '\\'", {contains_pattern(query.q)});
  return filtered_page(connection_, "apps", kAppColumns, filters, "name, id", read_app, query.page,
                       query.per_page);
}

Result<std::vector<AppRecord>> SqliteTx::list_server_apps(std::string_view server_id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM apps WHERE server_id = ?1 ORDER BY name, id", kAppColumns);
  return query_rows(connection_, sql, read_app, server_id);
}

Result<std::int64_t> SqliteTx::count_project_apps(std::string_view project_id) {
  return query_integer(connection_, "SELECT count(*) FROM apps WHERE project_id = ?1", project_id);
}

Result<std::int64_t> SqliteTx::count_server_apps(std::string_view server_id) {
  return query_integer(connection_, "SELECT count(*) FROM apps WHERE server_id = ?1", server_id);
}

Result<void> SqliteTx::put_env_var(const EnvVarRecord& var) {
  return insert_env_var(connection_, var);
}

Result<bool> SqliteTx::delete_env_var(std::string_view scope, std::string_view scope_id,
                                      std::string_view key) {
  auto deleted =
      execute(connection_, "DELETE FROM env_vars WHERE scope = ?1 AND scope_id = ?2 AND key = ?3",
              scope, scope_id, key);
  if (!deleted) {
    return fail(std::move(deleted.error()));
  }
  return *deleted > 0;
}

Result<std::vector<EnvVarRecord>> SqliteTx::list_env_vars(std::string_view scope,
                                                          std::string_view scope_id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM env_vars WHERE scope = ?1 AND scope_id = ?2 ORDER BY key", kEnvColumns);
  return query_rows(connection_, sql, read_env_var, scope, scope_id);
}

Result<void> SqliteTx::replace_env_vars(std::string_view scope, std::string_view scope_id,
                                        const std::vector<EnvVarRecord>& vars) {
  if (auto known = check_one_of("scope", scope, kEnvScopes); !known) {
    return known;
  }
  if (auto cleared = run_sql(connection_, "DELETE FROM env_vars WHERE scope = ?1 AND scope_id = ?2",
                             scope, scope_id);
      !cleared) {
    return cleared;
  }
  for (const auto& var : vars) {
    // The set belongs to the scope named in the call, whatever each record says.
    EnvVarRecord scoped = var;
    scoped.scope = std::string(scope);
    scoped.scope_id = std::string(scope_id);
    if (auto put = insert_env_var(connection_, scoped); !put) {
      return put;
    }
  }
  return {};
}

}  // namespace berth
