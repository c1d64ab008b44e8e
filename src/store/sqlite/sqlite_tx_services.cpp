// SqliteTx: managed services and their links.
#include <fmt/format.h>

#include "store/sqlite/sqlite_app_columns.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kServiceColumns =
    "id, team_id, project_id, server_id, name, engine, spec, status, status_message, "
    "container_name, volume_name, credentials_sealed, created_at, updated_at";

constexpr std::string_view kServiceStatuses[] = {"new",     "deploying", "running", "stopping",
                                                 "stopped", "failed",    "deleting"};

constexpr std::string_view kLinkColumns = "app_id, service_id, env_prefix, env_keys, created_at";

Result<ServiceRecord> read_service(const SqliteStatement& row) {
  RowReader read(row, "services");
  ServiceRecord service;
  service.id = read.text(0);
  service.team_id = read.text(1);
  service.project_id = read.text(2);
  service.server_id = read.text(3);
  service.name = read.text(4);
  service.engine = read.text(5);
  service.spec = json_column(read, 6);
  service.status = read.text(7);
  service.status_message = read.text(8);
  service.container_name = read.text(9);
  service.volume_name = read.text(10);
  service.credentials_sealed = read.text(11);
  service.created_at = read.time(12);
  service.updated_at = read.time(13);
  return read.finish(std::move(service));
}

Result<ServiceLinkRecord> read_link(const SqliteStatement& row) {
  RowReader read(row, "service_links");
  ServiceLinkRecord link;
  link.app_id = read.text(0);
  link.service_id = read.text(1);
  link.env_prefix = read.text(2);
  const auto keys = json_column(read, 3);
  if (keys.is_array()) {
    for (const auto& key : keys) {
      if (key.is_string()) {
        link.env_keys.push_back(key.get<std::string>());
      }
    }
  }
  link.created_at = read.time(4);
  return read.finish(std::move(link));
}

Result<void> check_service(SqliteConnection& connection, const ServiceRecord& service) {
  if (auto known = check_one_of("status", service.status, kServiceStatuses); !known) {
    return known;
  }
  return check_free(connection, "service_name_taken", "a service with this name exists in the team",
                    "SELECT count(*) FROM services WHERE team_id = ?1 AND name = ?2 AND id <> ?3",
                    service.team_id, service.name, service.id);
}

}  // namespace

Result<void> SqliteTx::create_service(const ServiceRecord& service) {
  if (auto checked = check_service(connection_, service); !checked) {
    return checked;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO services ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14)",
      kServiceColumns);
  const auto& s = service;
  return run_sql(connection_, sql, s.id, s.team_id, s.project_id, s.server_id, s.name, s.engine,
                 json_text(s.spec), s.status, s.status_message, s.container_name, s.volume_name,
                 s.credentials_sealed, s.created_at, s.updated_at);
}

Result<std::optional<ServiceRecord>> SqliteTx::get_service(std::string_view team_id,
                                                           std::string_view id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM services WHERE id = ?2 AND (?1 = '' OR team_id = ?1)", kServiceColumns);
  return query_row(connection_, sql, read_service, team_id, id);
}

Result<void> SqliteTx::update_service(const ServiceRecord& service) {
  if (auto checked = check_service(connection_, service); !checked) {
    return checked;
  }
  const auto& s = service;
  return execute_one(connection_,
                     "UPDATE services SET team_id = ?2, project_id = ?3, server_id = ?4, "
                     "name = ?5, engine = ?6, spec = ?7, status = ?8, status_message = ?9, "
                     "container_name = ?10, volume_name = ?11, credentials_sealed = ?12, "
                     "created_at = ?13, updated_at = ?14 WHERE id = ?1",
                     s.id, s.team_id, s.project_id, s.server_id, s.name, s.engine,
                     json_text(s.spec), s.status, s.status_message, s.container_name, s.volume_name,
                     s.credentials_sealed, s.created_at, s.updated_at);
}

Result<void> SqliteTx::delete_service(std::string_view id) {
  return execute_one(connection_, "DELETE FROM services WHERE id = ?1", id);
}

Result<Page<ServiceRecord>> SqliteTx::list_services(const ServiceQuery& query) {
  Filters filters;
  filters.add(!query.team_id.empty(), "team_id = ?", {query.team_id});
  filters.add(!query.project_id.empty(), "project_id = ?", {query.project_id});
  filters.add(!query.status.empty(), "status = ?", {query.status});
  filters.add(!query.server_id.empty(), "server_id = ?", {query.server_id});
  filters.add(!query.engine.empty(), "engine = ?", {query.engine});
  filters.add(!query.q.empty(), "name LIKE ? ESCAPE '\\'", {contains_pattern(query.q)});
  return filtered_page(connection_, "services", kServiceColumns, filters, "name", read_service,
                       query.page, query.per_page);
}

Result<std::int64_t> SqliteTx::count_project_services(std::string_view project_id) {
  return query_integer(connection_, "SELECT count(*) FROM services WHERE project_id = ?1",
                       project_id);
}

Result<void> SqliteTx::put_service_link(const ServiceLinkRecord& link) {
  static const std::string sql = fmt::format(
      "INSERT OR REPLACE INTO service_links ({}) VALUES (?1, ?2, ?3, ?4, ?5)", kLinkColumns);
  return run_sql(connection_, sql, link.app_id, link.service_id, link.env_prefix,
                 json_text(nlohmann::json(link.env_keys)), link.created_at);
}

Result<bool> SqliteTx::delete_service_link(std::string_view app_id, std::string_view service_id) {
  auto deleted =
      execute(connection_, "DELETE FROM service_links WHERE app_id = ?1 AND service_id = ?2",
              app_id, service_id);
  if (!deleted) {
    return fail(std::move(deleted.error()));
  }
  return *deleted > 0;
}

Result<std::vector<ServiceLinkRecord>> SqliteTx::list_app_links(std::string_view app_id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM service_links WHERE app_id = ?1 ORDER BY created_at, service_id",
                  kLinkColumns);
  return query_rows(connection_, sql, read_link, app_id);
}

Result<std::vector<ServiceLinkRecord>> SqliteTx::list_service_links(std::string_view service_id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM service_links WHERE service_id = ?1 ORDER BY created_at, app_id",
                  kLinkColumns);
  return query_rows(connection_, sql, read_link, service_id);
}

}  // namespace berth
