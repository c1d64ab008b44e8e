#pragma once
/// The SQLite implementation of Tx: the settings and audit log statements, run on the
/// connection of the transaction that SqliteStore opened. Internal to berth_store_sqlite.

#include "store/sqlite/sqlite_connection.hpp"
#include "store/store.hpp"

namespace berth {

class SqliteTx final : public Tx {
 public:
  /// `connection` must have a transaction open for as long as this object is used.
  explicit SqliteTx(SqliteConnection& connection) : connection_(connection) {}

  Result<std::optional<std::string>> get_setting(std::string_view key) override;
  Result<void> put_setting(std::string_view key, std::string_view value, TimePoint at) override;
  Result<std::map<std::string, std::string>> list_settings() override;

  Result<void> append_audit(const AuditEntry& entry) override;
  /// Fails `invalid` when page < 1 or per_page is outside 1..kMaxAuditPerPage.
  Result<Page<AuditEntry>> list_audit(const AuditQuery& query) override;

  static constexpr std::int64_t kMaxAuditPerPage = 1000;

 private:
  SqliteConnection& connection_;
};

}  // namespace berth
