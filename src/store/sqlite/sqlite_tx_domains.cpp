// SqliteTx: domains.
#include <fmt/format.h>

#include "store/sqlite/sqlite_app_columns.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kDomainColumns =
    "id, team_id, app_id, hostname, path_prefix, is_primary, tls, redirect_to, https_redirect, "
    "hsts, cert_chain, cert_key_sealed, cert_info, dns_status, dns_records, dns_checked_at, "
    "created_at, updated_at, certificate_status";

constexpr std::string_view kDomainTls[] = {"", "acme", "internal", "off", "custom"};
constexpr std::string_view kDnsStatuses[] = {"pending_dns", "ok", "elsewhere"};

Result<DomainRecord> read_domain(const SqliteStatement& row) {
  RowReader read(row, "domains");
  DomainRecord domain;
  domain.id = read.text(0);
  domain.team_id = read.text(1);
  domain.app_id = read.text(2);
  domain.hostname = read.text(3);
  domain.path_prefix = read.text(4);
  domain.is_primary = read.flag(5);
  domain.tls = read.text(6);
  domain.redirect_to = read.text(7);
  domain.https_redirect = read.flag(8);
  domain.hsts = read.flag(9);
  domain.cert_chain = read.text(10);
  domain.cert_key_sealed = read.text(11);
  domain.cert_info = json_column(read, 12);
  domain.dns_status = read.text(13);
  domain.dns_records = json_column(read, 14);
  domain.dns_checked_at = read.optional_time(15);
  domain.created_at = read.time(16);
  domain.updated_at = read.time(17);
  domain.certificate_status = json_column(read, 18);
  return read.finish(std::move(domain));
}

// The closed words, and (hostname, path prefix) free across the instance.
Result<void> check_domain(SqliteConnection& connection, const DomainRecord& domain) {
  if (auto known = check_one_of("tls", domain.tls, kDomainTls); !known) {
    return known;
  }
  if (auto known = check_one_of("dns_status", domain.dns_status, kDnsStatuses); !known) {
    return known;
  }
  return check_free(connection, "hostname_taken", "this hostname is already in use",
                    "SELECT count(*) FROM domains WHERE hostname = ?1 AND path_prefix = ?2 "
                    "AND id <> ?3",
                    domain.hostname, domain.path_prefix, domain.id);
}

}  // namespace

Result<void> SqliteTx::create_domain(const DomainRecord& domain) {
  if (auto checked = check_domain(connection_, domain); !checked) {
    return checked;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO domains ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14, ?15, ?16, ?17, ?18, ?19)",
      kDomainColumns);
  const auto& d = domain;
  return run_sql(connection_, sql, d.id, d.team_id, d.app_id, d.hostname, d.path_prefix,
                 d.is_primary, d.tls, d.redirect_to, d.https_redirect, d.hsts, d.cert_chain,
                 d.cert_key_sealed, json_text(d.cert_info), d.dns_status, json_text(d.dns_records),
                 d.dns_checked_at, d.created_at, d.updated_at, json_text(d.certificate_status));
}

Result<std::optional<DomainRecord>> SqliteTx::get_domain(std::string_view team_id,
                                                         std::string_view id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM domains WHERE id = ?2 AND (?1 = '' OR team_id = ?1)", kDomainColumns);
  return query_row(connection_, sql, read_domain, team_id, id);
}

Result<void> SqliteTx::update_domain(const DomainRecord& domain) {
  if (auto checked = check_domain(connection_, domain); !checked) {
    return checked;
  }
  const auto& d = domain;
  return execute_one(
      connection_,
      "UPDATE domains SET team_id = ?2, app_id = ?3, hostname = ?4, path_prefix = ?5, "
      "is_primary = ?6, tls = ?7, redirect_to = ?8, https_redirect = ?9, hsts = ?10, "
      "cert_chain = ?11, cert_key_sealed = ?12, cert_info = ?13, dns_status = ?14, "
      "dns_records = ?15, dns_checked_at = ?16, created_at = ?17, updated_at = ?18, "
      "certificate_status = ?19 WHERE id = ?1",
      d.id, d.team_id, d.app_id, d.hostname, d.path_prefix, d.is_primary, d.tls, d.redirect_to,
      d.https_redirect, d.hsts, d.cert_chain, d.cert_key_sealed, json_text(d.cert_info),
      d.dns_status, json_text(d.dns_records), d.dns_checked_at, d.created_at, d.updated_at,
      json_text(d.certificate_status));
}

Result<void> SqliteTx::delete_domain(std::string_view id) {
  return execute_one(connection_, "DELETE FROM domains WHERE id = ?1", id);
}

Result<Page<DomainRecord>> SqliteTx::list_domains(const DomainQuery& query) {
  Filters filters;
  filters.add(true, "team_id = ?", {query.team_id});
  filters.add(!query.app_id.empty(), "app_id = ?", {query.app_id});
  filters.add(!query.dns_status.empty(), "dns_status = ?", {query.dns_status});
  filters.add(!query.q.empty(), "hostname LIKE ? ESCAPE '\\'", {contains_pattern(query.q)});
  return filtered_page(connection_, "domains", kDomainColumns, filters, "hostname, path_prefix",
                       read_domain, query.page, query.per_page);
}

Result<std::vector<DomainRecord>> SqliteTx::list_app_domains(std::string_view app_id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM domains WHERE app_id = ?1 ORDER BY hostname, path_prefix", kDomainColumns);
  return query_rows(connection_, sql, read_domain, app_id);
}

Result<std::vector<DomainRecord>> SqliteTx::list_server_domains(std::string_view server_id) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM domains WHERE app_id IN (SELECT id FROM apps WHERE server_id = ?1) "
      "ORDER BY app_id, hostname, path_prefix",
      kDomainColumns);
  return query_rows(connection_, sql, read_domain, server_id);
}

Result<std::vector<DomainRecord>> SqliteTx::find_domains_by_hostname(std::string_view hostname) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM domains WHERE hostname = ?1 ORDER BY path_prefix", kDomainColumns);
  return query_rows(connection_, sql, read_domain, hostname);
}

Result<std::vector<std::string>> SqliteTx::list_domains_to_check(TimePoint before,
                                                                 std::int64_t limit) {
  auto statement = connection_.prepare(
      "SELECT id FROM domains WHERE dns_checked_at IS NULL OR dns_checked_at < ?1 "
      "ORDER BY dns_checked_at IS NOT NULL, dns_checked_at, id LIMIT ?2");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  bind_all(*statement, before, limit);
  std::vector<std::string> ids;
  while (true) {
    auto row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return ids;
    }
    ids.push_back(statement->column_text(0));
  }
}

}  // namespace berth
