// SqliteTx: servers and install tokens.
#include <fmt/format.h>

#include "store/sqlite/sqlite_fleet_columns.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kServerColumns =
    "id, team_id, name, address, labels, status, status_reason, scheduling, agent_token_hash, "
    "agent_version, facts, metrics, docker, last_seen_at, connected_at, ssh_host, ssh_port, "
    "ssh_username, ssh_host_key, ssh_credentials_sealed, deploy_public_key, "
    "deploy_private_sealed, created_at, updated_at";

constexpr std::string_view kInstallTokenColumns =
    "id, team_id, token_hash, created_by, server_id, created_at, expires_at, used_at";

Result<ServerRecord> read_server(const SqliteStatement& row) {
  RowReader read(row, "servers");
  ServerRecord server;
  server.id = read.text(0);
  server.team_id = read.text(1);
  server.name = read.text(2);
  server.address = read.text(3);
  server.labels = json_column(read, 4);
  server.status = read.text(5);
  server.status_reason = read.text(6);
  server.scheduling = read.text(7);
  server.agent_token_hash = read.text(8);  // NULL reads as ""
  server.agent_version = read.text(9);
  server.facts = json_column(read, 10);
  server.metrics = json_column(read, 11);
  server.docker = json_column(read, 12);
  server.last_seen_at = read.optional_time(13);
  server.connected_at = read.optional_time(14);
  server.ssh_host = read.text(15);
  server.ssh_port = read.integer(16);
  server.ssh_username = read.text(17);
  server.ssh_host_key = read.text(18);
  server.ssh_credentials_sealed = read.text(19);
  server.deploy_public_key = read.text(20);
  server.deploy_private_sealed = read.text(21);
  server.created_at = read.time(22);
  server.updated_at = read.time(23);
  return read.finish(std::move(server));
}

Result<InstallTokenRecord> read_install_token(const SqliteStatement& row) {
  RowReader read(row, "install_tokens");
  InstallTokenRecord token;
  token.id = read.text(0);
  token.team_id = read.text(1);
  token.token_hash = read.text(2);
  token.created_by = read.text(3);
  token.server_id = read.text(4);  // NULL reads as ""
  token.created_at = read.time(5);
  token.expires_at = read.time(6);
  token.used_at = read.optional_time(7);
  return read.finish(std::move(token));
}

// The status and scheduling words, and the name free within the team. The UNIQUE constraint
// would refuse a taken name too, but as a bare `conflict` the domain could not tell it from a
// duplicate id; writers are serialised, so checking first is not racy.
Result<void> check_server(SqliteConnection& connection, const ServerRecord& server) {
  if (auto known = check_one_of("status", server.status, kServerStatuses); !known) {
    return known;
  }
  if (auto known = check_one_of("scheduling", server.scheduling, kServerSchedulings); !known) {
    return known;
  }
  auto taken = query_integer(connection,
                             "SELECT count(*) FROM servers "
                             "WHERE team_id = ?1 AND name = ?2 AND id <> ?3",
                             server.team_id, server.name, server.id);
  if (!taken) {
    return fail(std::move(taken.error()));
  }
  if (*taken > 0) {
    Error error =
        Error::conflict(fmt::format("the team already has a server named '{}'", server.name));
    error.code = "server_name_taken";
    return fail(std::move(error));
  }
  return {};
}

}  // namespace

Result<void> SqliteTx::create_server(const ServerRecord& server) {
  if (auto checked = check_server(connection_, server); !checked) {
    return checked;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO servers ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
      kServerColumns);
  return run_sql(connection_, sql, server.id, server.team_id, server.name, server.address,
                 json_text(server.labels), server.status, server.status_reason, server.scheduling,
                 NullIfEmpty{server.agent_token_hash}, server.agent_version,
                 json_text(server.facts), json_text(server.metrics), json_text(server.docker),
                 server.last_seen_at, server.connected_at, server.ssh_host, server.ssh_port,
                 server.ssh_username, server.ssh_host_key, server.ssh_credentials_sealed,
                 server.deploy_public_key, server.deploy_private_sealed, server.created_at,
                 server.updated_at);
}

Result<std::optional<ServerRecord>> SqliteTx::get_server(std::string_view team_id,
                                                         std::string_view id) {
  // Scoped to the team unless it is "": another team's server id reads as absent.
  static const std::string sql = fmt::format(
      "SELECT {} FROM servers WHERE id = ?2 AND (?1 = '' OR team_id = ?1)", kServerColumns);
  return query_row(connection_, sql, read_server, team_id, id);
}

Result<std::optional<ServerRecord>> SqliteTx::find_server_by_agent_token_hash(
    std::string_view hash) {
  if (hash.empty()) {
    return std::optional<ServerRecord>();  // "" means "no agent", never a credential
  }
  static const std::string sql =
      fmt::format("SELECT {} FROM servers WHERE agent_token_hash = ?1", kServerColumns);
  return query_row(connection_, sql, read_server, hash);
}

Result<void> SqliteTx::update_server(const ServerRecord& server) {
  if (auto checked = check_server(connection_, server); !checked) {
    return checked;
  }
  return execute_one(
      connection_,
      "UPDATE servers SET team_id = ?2, name = ?3, address = ?4, labels = ?5, status = ?6, "
      "status_reason = ?7, scheduling = ?8, agent_token_hash = ?9, agent_version = ?10, "
      "facts = ?11, metrics = ?12, docker = ?13, last_seen_at = ?14, connected_at = ?15, "
      "ssh_host = ?16, ssh_port = ?17, ssh_username = ?18, ssh_host_key = ?19, "
      "ssh_credentials_sealed = ?20, deploy_public_key = ?21, deploy_private_sealed = ?22, "
      "created_at = ?23, updated_at = ?24 WHERE id = ?1",
      server.id, server.team_id, server.name, server.address, json_text(server.labels),
      server.status, server.status_reason, server.scheduling, NullIfEmpty{server.agent_token_hash},
      server.agent_version, json_text(server.facts), json_text(server.metrics),
      json_text(server.docker), server.last_seen_at, server.connected_at, server.ssh_host,
      server.ssh_port, server.ssh_username, server.ssh_host_key, server.ssh_credentials_sealed,
      server.deploy_public_key, server.deploy_private_sealed, server.created_at, server.updated_at);
}

Result<void> SqliteTx::delete_server(std::string_view id) {
  // Jobs and their output, metrics, events and install tokens go with it (ON DELETE CASCADE).
  return execute_one(connection_, "DELETE FROM servers WHERE id = ?1", id);
}

Result<Page<ServerRecord>> SqliteTx::list_servers(std::string_view team_id, std::string_view q,
                                                  std::int64_t page, std::int64_t per_page) {
  const auto offset = page_offset(page, per_page);
  if (!offset) {
    return fail(offset.error());
  }
  static constexpr std::string_view kMatch =
      "team_id = ?1 AND (name LIKE ?2 ESCAPE '\\' OR address LIKE ?2 ESCAPE '\\')";
  static const std::string count_sql = fmt::format("SELECT count(*) FROM servers WHERE {}", kMatch);
  static const std::string list_sql =
      fmt::format("SELECT {} FROM servers WHERE {} ORDER BY name, id LIMIT ?3 OFFSET ?4",
                  kServerColumns, kMatch);
  const std::string pattern = contains_pattern(q);
  auto total = query_integer(connection_, count_sql, team_id, pattern);
  if (!total) {
    return fail(std::move(total.error()));
  }
  auto items = query_rows(connection_, list_sql, read_server, team_id, pattern, per_page, *offset);
  if (!items) {
    return fail(std::move(items.error()));
  }
  return Page<ServerRecord>{.items = std::move(*items), .total = *total};
}

Result<std::vector<ServerRecord>> SqliteTx::list_servers_with_status(
    const std::vector<std::string>& statuses) {
  auto words = distinct_words("statuses", statuses, kServerStatuses);
  if (!words) {
    return fail(std::move(words.error()));
  }
  if (words->empty()) {
    return std::vector<ServerRecord>();
  }
  const std::string sql =
      fmt::format("SELECT {} FROM servers WHERE status IN ({}) ORDER BY created_at, id",
                  kServerColumns, placeholders(words->size()));
  auto statement = connection_.prepare(sql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  bind_texts(*statement, 1, *words);
  std::vector<ServerRecord> servers;
  for (;;) {
    auto row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return servers;
    }
    auto server = read_server(*statement);
    if (!server) {
      return fail(std::move(server.error()));
    }
    servers.push_back(std::move(*server));
  }
}

Result<void> SqliteTx::create_install_token(const InstallTokenRecord& token) {
  static const std::string sql =
      fmt::format("INSERT INTO install_tokens ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                  kInstallTokenColumns);
  return run_sql(connection_, sql, token.id, token.team_id, token.token_hash, token.created_by,
                 NullIfEmpty{token.server_id}, token.created_at, token.expires_at, token.used_at);
}

Result<std::optional<InstallTokenRecord>> SqliteTx::find_install_token_by_hash(
    std::string_view hash) {
  static const std::string sql =
      fmt::format("SELECT {} FROM install_tokens WHERE token_hash = ?1", kInstallTokenColumns);
  return query_row(connection_, sql, read_install_token, hash);
}

Result<bool> SqliteTx::use_install_token(std::string_view id, TimePoint at) {
  auto changed =
      execute(connection_,
              "UPDATE install_tokens SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL", id, at);
  if (!changed) {
    return fail(std::move(changed.error()));
  }
  return *changed > 0;
}

}  // namespace berth
