// How the SQLite backend applies its numbered migrations at open().
#include "store/sqlite/sqlite_migrations.hpp"

#include <gtest/gtest.h>

#include <array>

#include "core/time_format.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite_test_support.hpp"
#include "store/store_contract.hpp"
#include "store/store_contract_app_records.hpp"

namespace berth {

namespace {

const Migration kExtra{2, "extra",
                       "CREATE TABLE extra (x TEXT NOT NULL);\n"
                       "INSERT INTO extra (x) VALUES ('seeded');\n"};

// Its second statement fails, after the first has created a table.
const Migration kBroken{2, "broken",
                        "CREATE TABLE half_done (x TEXT);\n"
                        "INSERT INTO no_such_table VALUES (1);\n"};

// Ends the transaction the store opened for it, which would make it only partly atomic.
const Migration kSelfCommitting{2, "self_committing",
                                "CREATE TABLE early (x TEXT);\n"
                                "COMMIT;\n"};

class SqliteMigrationTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Store>> open(std::span<const Migration> migrations, const Clock& clock) {
    return SqliteStore::open({.path = path(), .clock = &clock}, migrations);
  }

  std::string path() const { return dir_.file("berth.db"); }

  TempDir dir_;
};

}  // namespace

TEST_F(SqliteMigrationTest, EmbeddedMigrationsAreNumberedInOrder) {
  const auto migrations = sqlite_migrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(migrations[i].name.empty());
    EXPECT_FALSE(migrations[i].sql.empty());
  }
  EXPECT_EQ(migrations[0].name, "init");
  EXPECT_NE(migrations[0].sql.find("CREATE TABLE audit_log"), std::string_view::npos);
}

TEST_F(SqliteMigrationTest, InitCreatesTheTablesAndIndexes) {
  const FixedClock clock(test_time(0));
  {
    auto store = open(sqlite_migrations().first(1), clock);
    ASSERT_TRUE(store.has_value()) << describe(store.error());
  }
  const auto names = RawDb(path()).rows(
      "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
  const std::vector<std::vector<std::string>> expected{
      {"index", "audit_log_actor_at"}, {"index", "audit_log_at"},
      {"index", "audit_log_team_at"},  {"table", "audit_log"},
      {"table", "instance_settings"},  {"table", "schema_migrations"},
  };
  EXPECT_EQ(names, expected);
}

TEST_F(SqliteMigrationTest, RecordsEachMigrationWithNameAndTime) {
  const FixedClock clock(test_time(7, 250));
  auto store = open(sqlite_migrations(), clock);
  ASSERT_TRUE(store.has_value()) << describe(store.error());
  const auto rows = RawDb(path()).rows(
      "SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), sqlite_migrations().size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], std::to_string(sqlite_migrations()[i].version));
    EXPECT_EQ(rows[i][1], sqlite_migrations()[i].name);
    EXPECT_EQ(rows[i][2], "2026-11-22T10:00:07.250Z");
  }
}

TEST_F(SqliteMigrationTest, AppliesOnlyTheMissingMigrations) {
  const std::array<Migration, 2> both{sqlite_migrations()[0], kExtra};
  {
    auto store = open(std::span(both).first(1), FixedClock(test_time(1)));
    ASSERT_TRUE(store.has_value()) << describe(store.error());
    EXPECT_EQ((*store)->schema_version().value_or(-1), 1);
  }
  auto store = open(both, FixedClock(test_time(2)));
  ASSERT_TRUE(store.has_value()) << describe(store.error());
  EXPECT_EQ((*store)->schema_version().value_or(-1), 2);

  RawDb db(path());
  const std::vector<std::vector<std::string>> expected{
      {"1", format_rfc3339(test_time(1))},  // untouched by the second open
      {"2", format_rfc3339(test_time(2))},
  };
  EXPECT_EQ(db.rows("SELECT version, applied_at FROM schema_migrations ORDER BY version"),
            expected);
  EXPECT_EQ(db.text("SELECT x FROM extra"), "seeded");
}

TEST_F(SqliteMigrationTest, FailedMigrationLeavesNothingBehind) {
  const std::array<Migration, 2> broken{sqlite_migrations()[0], kBroken};
  auto failed = open(broken, FixedClock(test_time(1)));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, ErrorKind::internal);
  EXPECT_EQ(failed.error().message, "internal error");  // SQLite's words stay in the detail
  EXPECT_NE(failed.error().internal_detail.find("0002_broken"), std::string::npos)
      << failed.error().internal_detail;
  EXPECT_NE(failed.error().internal_detail.find("no_such_table"), std::string::npos)
      << failed.error().internal_detail;
  {
    RawDb db(path());
    EXPECT_EQ(db.text("SELECT max(version) FROM schema_migrations"), "1");
    EXPECT_EQ(db.text("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'"), "0");
  }
  // Migration 1 was committed on its own, so the fixed binary carries on from there.
  const std::array<Migration, 2> fixed{sqlite_migrations()[0], kExtra};
  auto store = open(fixed, FixedClock(test_time(2)));
  ASSERT_TRUE(store.has_value()) << describe(store.error());
  EXPECT_EQ((*store)->schema_version().value_or(-1), 2);
}

TEST_F(SqliteMigrationTest, MigrationThatEndsItsOwnTransactionFails) {
  const std::array<Migration, 2> migrations{sqlite_migrations()[0], kSelfCommitting};
  auto failed = open(migrations, FixedClock(test_time(1)));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, ErrorKind::internal);
  EXPECT_NE(failed.error().internal_detail.find("0002_self_committing"), std::string::npos)
      << failed.error().internal_detail;
  EXPECT_EQ(RawDb(path()).text("SELECT max(version) FROM schema_migrations"), "1");
}

TEST_F(SqliteMigrationTest, IdentityMigrationAddsItsTablesAndKeepsAuditRows) {
  {
    auto store = open(sqlite_migrations().first(1), FixedClock(test_time(1)));
    ASSERT_TRUE(store.has_value()) << describe(store.error());
  }
  RawDb(path()).exec(
      "INSERT INTO audit_log (id, at, actor, action) "
      "VALUES ('aud_1', '2026-11-22T10:00:00.000Z', 'system', 'instance.initialize')");
  auto store = open(sqlite_migrations().first(2), FixedClock(test_time(2)));
  ASSERT_TRUE(store.has_value()) << describe(store.error());

  // Rows written before the column existed read as successes.
  auto page = read_value<Page<AuditEntry>>(**store, [](Tx& tx) { return tx.list_audit({}); });
  ASSERT_TRUE(page.has_value()) << describe(page.error());
  ASSERT_EQ(page->items.size(), 1U);
  EXPECT_EQ(page->items[0].outcome, "success");

  const auto tables = RawDb(path()).rows(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "ORDER BY name");
  const std::vector<std::vector<std::string>> expected{
      {"api_keys"},
      {"audit_log"},
      {"instance_settings"},
      {"invitations"},
      {"memberships"},
      {"recovery_codes"},
      {"refresh_tokens"},
      {"schema_migrations"},
      {"sessions"},
      {"teams"},
      {"users"},
  };
  EXPECT_EQ(tables, expected);
}

TEST_F(SqliteMigrationTest, DomainsMigrationMakesEveryHostnameItsAppsPrimaryDomain) {
  {
    auto store = open(sqlite_migrations().first(6), FixedClock(test_time(1)));
    ASSERT_TRUE(store.has_value()) << describe(store.error());
    AppRecord shared = test_app(2, 1, 2);
    shared.hostname = "app-1.example.test";  // unique per server only, before domains
    shared.created_at = test_time(50);
    AppRecord none = test_app(3, 1, 1);
    none.hostname.clear();
    BERTH_ASSERT_OK(seed_apps(**store, {.teams = {test_team(1)},
                                        .servers = {test_server(1, 1), test_server(2, 1)},
                                        .apps = {test_app(1, 1, 1), shared, none}}));
  }
  auto store = open(sqlite_migrations(), FixedClock(test_time(2)));
  ASSERT_TRUE(store.has_value()) << describe(store.error());
  const auto domains_of = [&](int app) {
    auto found = read_value<std::vector<DomainRecord>>(
        **store, [&](Tx& tx) { return tx.list_app_domains(app_id(app)); });
    EXPECT_TRUE(found.has_value());
    return found.value_or(std::vector<DomainRecord>{});
  };
  const auto first = domains_of(1);
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].hostname, "app-1.example.test");
  EXPECT_TRUE(first[0].is_primary);
  EXPECT_EQ(first[0].tls, "");
  EXPECT_TRUE(first[0].https_redirect);
  EXPECT_EQ(first[0].dns_status, "pending_dns");
  EXPECT_EQ(first[0].id, "dom_" + app_id(1).substr(4));
  EXPECT_TRUE(domains_of(2).empty());  // the older app keeps the shared name
  EXPECT_TRUE(domains_of(3).empty());
  auto proxy = read_value<std::optional<ProxySettingsRecord>>(
      **store, [](Tx& tx) { return tx.get_proxy_settings(server_id(1)); });
  ASSERT_TRUE(proxy.has_value());
}

}  // namespace berth
