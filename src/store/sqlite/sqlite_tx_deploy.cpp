// SqliteTx: deployments and their event log, webhook deliveries, deploy hooks, proxy settings
// and the apps' edge rules.
#include <fmt/format.h>

#include <algorithm>

#include "store/sqlite/sqlite_app_columns.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kDeploymentColumns =
    "id, team_id, app_id, server_id, state, trigger, created_by, ref, image, rollback_of, "
    "artifact, spec, config_version, container_name, host_port, step, cancel_requested, "
    "error_code, error_message, last_seq, created_at, started_at, finished_at";

constexpr std::string_view kHookColumns =
    "id, team_id, app_id, token_hash, created_by, created_at, last_used_at";

constexpr std::string_view kProxyColumns =
    "server_id, base_domain, http_port, https_port, tls, updated_at, public_addresses, acme_ca, "
    "acme_ca_root, acme_email";

Result<DeploymentRecord> read_deployment(const SqliteStatement& row) {
  RowReader read(row, "deployments");
  DeploymentRecord deployment;
  deployment.id = read.text(0);
  deployment.team_id = read.text(1);
  deployment.app_id = read.text(2);
  deployment.server_id = read.text(3);
  if (const auto state = parse_deployment_state(read.text(4))) {
    deployment.state = *state;
  } else {
    read.malformed(4);
  }
  deployment.trigger = read.text(5);
  deployment.created_by = read.text(6);
  deployment.ref = read.text(7);
  deployment.image = read.text(8);
  deployment.rollback_of = read.text(9);
  deployment.artifact = json_column(read, 10);
  deployment.spec = json_column(read, 11);
  deployment.config_version = read.integer(12);
  deployment.container_name = read.text(13);
  deployment.host_port = read.integer(14);
  deployment.step = read.text(15);
  deployment.cancel_requested = read.flag(16);
  deployment.error_code = read.text(17);
  deployment.error_message = read.text(18);
  deployment.last_seq = read.integer(19);
  deployment.created_at = read.time(20);
  deployment.started_at = read.optional_time(21);
  deployment.finished_at = read.optional_time(22);
  return read.finish(std::move(deployment));
}

Result<DeploymentEventRecord> read_deployment_event(const SqliteStatement& row) {
  RowReader read(row, "deployment_events");
  DeploymentEventRecord event;
  event.deployment_id = read.text(0);
  event.seq = read.integer(1);
  event.event = read.text(2);
  event.data = json_column(read, 3);
  event.at = read.time(4);
  return read.finish(std::move(event));
}

Result<DeployHookRecord> read_hook(const SqliteStatement& row) {
  RowReader read(row, "deploy_hooks");
  DeployHookRecord hook;
  hook.id = read.text(0);
  hook.team_id = read.text(1);
  hook.app_id = read.text(2);
  hook.token_hash = read.text(3);
  hook.created_by = read.text(4);
  hook.created_at = read.time(5);
  hook.last_used_at = read.optional_time(6);
  return read.finish(std::move(hook));
}

Result<ProxySettingsRecord> read_proxy(const SqliteStatement& row) {
  RowReader read(row, "proxy_settings");
  ProxySettingsRecord settings;
  settings.server_id = read.text(0);
  settings.base_domain = read.text(1);
  settings.http_port = read.integer(2);
  settings.https_port = read.integer(3);
  settings.tls = read.text(4);
  settings.updated_at = read.time(5);
  for (const auto& address : json_column(read, 6)) {
    if (address.is_string()) {
      settings.public_addresses.push_back(address.get<std::string>());
    }
  }
  settings.acme_ca = read.text(7);
  settings.acme_ca_root = read.text(8);
  settings.acme_email = read.text(9);
  return read.finish(std::move(settings));
}

Result<void> check_deployment(const DeploymentRecord& deployment) {
  return check_one_of("trigger", deployment.trigger, kDeploymentTriggers);
}

}  // namespace

Result<void> SqliteTx::create_deployment(const DeploymentRecord& deployment) {
  if (auto checked = check_deployment(deployment); !checked) {
    return checked;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO deployments ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
      kDeploymentColumns);
  const auto& d = deployment;
  return run_sql(connection_, sql, d.id, d.team_id, d.app_id, d.server_id,
                 std::string(state_name(d.state)), d.trigger, d.created_by, d.ref, d.image,
                 d.rollback_of, json_text(d.artifact), json_text(d.spec), d.config_version,
                 d.container_name, d.host_port, d.step, d.cancel_requested, d.error_code,
                 d.error_message, d.last_seq, d.created_at, d.started_at, d.finished_at);
}

Result<std::optional<DeploymentRecord>> SqliteTx::get_deployment(std::string_view team_id,
                                                                 std::string_view id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM deployments WHERE id = ?2 AND (?1 = '' OR team_id = ?1)", kDeploymentColumns);
  return query_row(connection_, sql, read_deployment, team_id, id);
}

Result<void> SqliteTx::update_deployment(const DeploymentRecord& deployment) {
  if (auto checked = check_deployment(deployment); !checked) {
    return checked;
  }
  // The state machine holds here too, whatever the caller read before: a deployment that has
  // ended never starts again, even when two writers race (a cancel and the pipeline's end).
  auto stored = query_row(
      connection_, "SELECT state FROM deployments WHERE id = ?1",
      [](const SqliteStatement& row) -> Result<std::string> { return row.column_text(0); },
      deployment.id);
  if (!stored) {
    return fail(std::move(stored.error()));
  }
  if (!*stored) {
    return fail(Error::not_found());
  }
  const auto from = parse_deployment_state(**stored);
  if (from && *from != deployment.state && !can_move(*from, deployment.state)) {
    Error error = Error::conflict(fmt::format("a deployment cannot move from {} to {}",
                                              state_name(*from), state_name(deployment.state)));
    error.code = "illegal_transition";
    return fail(std::move(error));
  }
  // last_seq never drops below the events actually stored: a caller that read the deployment
  // before events were appended must not undo what append_deployment_event raised.
  const auto& d = deployment;
  return execute_one(
      connection_,
      "UPDATE deployments SET team_id = ?2, app_id = ?3, server_id = ?4, state = ?5, "
      "trigger = ?6, created_by = ?7, ref = ?8, image = ?9, rollback_of = ?10, artifact = ?11, "
      "spec = ?12, config_version = ?13, container_name = ?14, host_port = ?15, step = ?16, "
      "cancel_requested = ?17, error_code = ?18, error_message = ?19, "
      "last_seq = max(?20, coalesce((SELECT max(seq) FROM deployment_events "
      "WHERE deployment_id = ?1), 0)), "
      "created_at = ?21, started_at = ?22, finished_at = ?23 WHERE id = ?1",
      d.id, d.team_id, d.app_id, d.server_id, std::string(state_name(d.state)), d.trigger,
      d.created_by, d.ref, d.image, d.rollback_of, json_text(d.artifact), json_text(d.spec),
      d.config_version, d.container_name, d.host_port, d.step, d.cancel_requested, d.error_code,
      d.error_message, d.last_seq, d.created_at, d.started_at, d.finished_at);
}

Result<Page<DeploymentRecord>> SqliteTx::list_deployments(const DeploymentQuery& query) {
  std::vector<std::string> states;
  for (const auto& [state, name] : kDeploymentStates) {
    if (std::ranges::find(query.states, state) != query.states.end()) {
      states.emplace_back(name);
    }
  }
  Filters filters;
  filters.add(!query.team_id.empty(), "team_id = ?", {query.team_id});
  filters.add(!query.app_id.empty(), "app_id = ?", {query.app_id});
  filters.add(!states.empty(), fmt::format("state IN ({})", placeholders(states.size())), states);
  return filtered_page(connection_, "deployments", kDeploymentColumns, filters,
                       "created_at DESC, id DESC", read_deployment, query.page, query.per_page);
}

Result<std::int64_t> SqliteTx::append_deployment_event(const DeploymentEventRecord& event) {
  if (auto known = check_one_of("event", event.event, kDeploymentEvents); !known) {
    return fail(std::move(known.error()));
  }
  // Writers are serialised, so raising last_seq and reading it back is one step.
  auto raised = execute(connection_, "UPDATE deployments SET last_seq = last_seq + 1 WHERE id = ?1",
                        event.deployment_id);
  if (!raised) {
    return fail(std::move(raised.error()));
  }
  if (*raised == 0) {
    return fail(Error::conflict("events of a deployment that does not exist"));
  }
  auto seq = query_integer(connection_, "SELECT last_seq FROM deployments WHERE id = ?1",
                           event.deployment_id);
  if (!seq) {
    return fail(std::move(seq.error()));
  }
  if (auto stored =
          run_sql(connection_,
                  "INSERT INTO deployment_events (deployment_id, seq, event, data, at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5)",
                  event.deployment_id, *seq, event.event, json_text(event.data), event.at);
      !stored) {
    return fail(std::move(stored.error()));
  }
  return *seq;
}

Result<std::vector<DeploymentEventRecord>> SqliteTx::list_deployment_events(
    std::string_view deployment_id, std::int64_t after_seq, std::int64_t limit) {
  if (auto checked = check_limit(limit); !checked) {
    return fail(std::move(checked.error()));
  }
  return query_rows(connection_,
                    "SELECT deployment_id, seq, event, data, at FROM deployment_events "
                    "WHERE deployment_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                    read_deployment_event, deployment_id, after_seq, limit);
}

Result<bool> SqliteTx::record_webhook_delivery(std::string_view app_id,
                                               std::string_view delivery_id, TimePoint at) {
  auto inserted = execute(connection_,
                          "INSERT INTO webhook_deliveries (app_id, delivery_id, received_at) "
                          "VALUES (?1, ?2, ?3) ON CONFLICT (app_id, delivery_id) DO NOTHING",
                          app_id, delivery_id, at);
  if (!inserted) {
    return fail(std::move(inserted.error()));
  }
  return *inserted > 0;
}

Result<std::int64_t> SqliteTx::prune_webhook_deliveries(TimePoint before) {
  return execute(connection_, "DELETE FROM webhook_deliveries WHERE received_at < ?1", before);
}

Result<void> SqliteTx::create_deploy_hook(const DeployHookRecord& hook) {
  static const std::string sql = fmt::format(
      "INSERT INTO deploy_hooks ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", kHookColumns);
  return run_sql(connection_, sql, hook.id, hook.team_id, hook.app_id, hook.token_hash,
                 hook.created_by, hook.created_at, hook.last_used_at);
}

Result<std::optional<DeployHookRecord>> SqliteTx::find_deploy_hook_by_hash(std::string_view hash) {
  static const std::string sql =
      fmt::format("SELECT {} FROM deploy_hooks WHERE token_hash = ?1", kHookColumns);
  return query_row(connection_, sql, read_hook, hash);
}

Result<std::vector<DeployHookRecord>> SqliteTx::list_deploy_hooks(std::string_view app_id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM deploy_hooks WHERE app_id = ?1 ORDER BY created_at DESC, id DESC",
                  kHookColumns);
  return query_rows(connection_, sql, read_hook, app_id);
}

Result<bool> SqliteTx::delete_deploy_hook(std::string_view app_id, std::string_view id) {
  auto deleted =
      execute(connection_, "DELETE FROM deploy_hooks WHERE app_id = ?1 AND id = ?2", app_id, id);
  if (!deleted) {
    return fail(std::move(deleted.error()));
  }
  return *deleted > 0;
}

Result<void> SqliteTx::touch_deploy_hook(std::string_view id, TimePoint at) {
  return execute_one(connection_, "UPDATE deploy_hooks SET last_used_at = ?2 WHERE id = ?1", id,
                     at);
}

Result<std::optional<ProxySettingsRecord>> SqliteTx::get_proxy_settings(
    std::string_view server_id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM proxy_settings WHERE server_id = ?1", kProxyColumns);
  return query_row(connection_, sql, read_proxy, server_id);
}

Result<void> SqliteTx::put_proxy_settings(const ProxySettingsRecord& settings) {
  if (auto known = check_one_of("tls", settings.tls, kProxyTls); !known) {
    return known;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO proxy_settings ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT (server_id) DO UPDATE SET base_domain = excluded.base_domain, "
      "http_port = excluded.http_port, https_port = excluded.https_port, tls = excluded.tls, "
      "updated_at = excluded.updated_at, public_addresses = excluded.public_addresses, "
      "acme_ca = excluded.acme_ca, acme_ca_root = excluded.acme_ca_root, "
      "acme_email = excluded.acme_email",
      kProxyColumns);
  return run_sql(connection_, sql, settings.server_id, settings.base_domain, settings.http_port,
                 settings.https_port, settings.tls, settings.updated_at,
                 json_text(nlohmann::json(settings.public_addresses)), settings.acme_ca,
                 settings.acme_ca_root, settings.acme_email);
}

}  // namespace berth

namespace berth {

namespace {

Result<AppEdgeRecord> read_app_edge(const SqliteStatement& row) {
  RowReader read(row, "app_edge");
  AppEdgeRecord edge;
  edge.app_id = read.text(0);
  edge.rules = json_column(read, 1);
  edge.updated_at = read.time(2);
  return read.finish(std::move(edge));
}

}  // namespace

Result<std::optional<AppEdgeRecord>> SqliteTx::get_app_edge(std::string_view app_id) {
  return query_row(connection_, "SELECT app_id, rules, updated_at FROM app_edge WHERE app_id = ?1",
                   read_app_edge, app_id);
}

Result<void> SqliteTx::put_app_edge(const AppEdgeRecord& edge) {
  return run_sql(connection_,
                 "INSERT INTO app_edge (app_id, rules, updated_at) VALUES (?1, ?2, ?3) "
                 "ON CONFLICT (app_id) DO UPDATE SET rules = excluded.rules, "
                 "updated_at = excluded.updated_at",
                 edge.app_id, json_text(edge.rules), edge.updated_at);
}

}  // namespace berth
