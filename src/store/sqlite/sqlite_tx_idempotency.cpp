// SqliteTx: idempotency keys, the remembered answers of retried POSTs.
#include <fmt/format.h>

#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kIdempotencyColumns =
    "scope, key, fingerprint, created_at, completed_at, answer_sealed";

Result<IdempotencyRecord> read_idempotency_key(const SqliteStatement& row) {
  RowReader read(row, "idempotency_keys");
  IdempotencyRecord record;
  record.scope = read.text(0);
  record.key = read.text(1);
  record.fingerprint = read.text(2);
  record.created_at = read.time(3);
  record.completed_at = read.optional_time(4);
  record.answer_sealed = read.text(5);
  return read.finish(std::move(record));
}

}  // namespace

Result<void> SqliteTx::create_idempotency_key(const IdempotencyRecord& record) {
  static const std::string sql = fmt::format(
      "INSERT INTO idempotency_keys ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", kIdempotencyColumns);
  return run_sql(connection_, sql, record.scope, record.key, record.fingerprint, record.created_at,
                 record.completed_at, record.answer_sealed);
}

Result<std::optional<IdempotencyRecord>> SqliteTx::get_idempotency_key(std::string_view scope,
                                                                       std::string_view key) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM idempotency_keys WHERE scope = ?1 AND key = ?2", kIdempotencyColumns);
  return query_row(connection_, sql, read_idempotency_key, scope, key);
}

Result<void> SqliteTx::complete_idempotency_key(std::string_view scope, std::string_view key,
                                                std::string_view answer_sealed, TimePoint at) {
  return execute_one(connection_,
                     "UPDATE idempotency_keys SET answer_sealed = ?3, completed_at = ?4 "
                     "WHERE scope = ?1 AND key = ?2",
                     scope, key, answer_sealed, at);
}

Result<bool> SqliteTx::delete_idempotency_key(std::string_view scope, std::string_view key) {
  auto deleted = execute(connection_, "DELETE FROM idempotency_keys WHERE scope = ?1 AND key = ?2",
                         scope, key);
  if (!deleted) {
    return fail(std::move(deleted.error()));
  }
  return *deleted > 0;
}

Result<std::int64_t> SqliteTx::prune_idempotency_keys(TimePoint before) {
  return execute(connection_, "DELETE FROM idempotency_keys WHERE created_at < ?1", before);
}

}  // namespace berth
