// Binds the Store contract to SQLite, and tests what only the SQLite backend promises.
#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_migrations.hpp"
#include "store/sqlite_test_support.hpp"
#include "store/store_contract.hpp"

namespace berth {

namespace {

class SqliteInstance final : public StoreFixtureInstance {
 public:
  Result<std::unique_ptr<Store>> open() override {
    return SqliteStore::open({.path = path(), .read_connections = 4});
  }

  int latest_schema_version() const override { return sqlite_migrations().back().version; }

  std::vector<MigrationRecord> recorded_migrations() override {
    RawDb db(path());
    std::vector<MigrationRecord> records;
    for (const auto& row : db.rows("SELECT version, applied_at FROM schema_migrations "
                                   "ORDER BY version")) {
      records.push_back({.version = std::stoi(row.at(0)), .applied_at = row.at(1)});
    }
    return records;
  }

  std::string path() const { return dir_.file("berth.db"); }

 private:
  TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(StoreBackend{
                             .name = "sqlite",
                             .make = [] { return std::make_unique<SqliteInstance>(); }}),
                         store_backend_name);

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open(SqliteOptions options = {}) {
    if (options.path.empty()) {
      options.path = path();
    }
    auto opened = SqliteStore::open(options);
    EXPECT_TRUE(opened.has_value()) << describe(opened.error());
    return opened ? std::move(*opened) : nullptr;
  }

  std::string path() const { return dir_.file("berth.db"); }

  TempDir dir_;
};

std::vector<SqliteConnectionInfo> info_of(Store& store) {
  auto info = dynamic_cast<SqliteStore&>(store).connection_info();
  EXPECT_TRUE(info.has_value()) << describe(info.error());
  return info.value_or(std::vector<SqliteConnectionInfo>{});
}

unsigned mode_of(const std::string& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 0777U;
}

}  // namespace

TEST_F(SqliteStoreTest, EveryConnectionUsesWalAndForeignKeys) {
  auto store = open({.read_connections = 3, .busy_timeout = std::chrono::milliseconds(1234)});
  ASSERT_NE(store, nullptr);
  const auto infos = info_of(*store);
  ASSERT_EQ(infos.size(), 4U);  // the writer, then three readers
  for (std::size_t i = 0; i < infos.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(infos[i].writer, i == 0);
    EXPECT_EQ(infos[i].journal_mode, "wal");
    EXPECT_TRUE(infos[i].foreign_keys);
    EXPECT_EQ(infos[i].busy_timeout_ms, 1234);
    EXPECT_EQ(infos[i].query_only, i != 0);  // readers cannot write
  }
  EXPECT_EQ(infos[0].synchronous, 1);  // NORMAL
  // WAL is a property of the file: another program opening it sees it too.
  EXPECT_EQ(RawDb(path()).text("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, DatabaseFilesArePrivate) {
  // With no umask to help, SQLite alone would create the file 0644.
  const mode_t saved = ::umask(0);
  auto store = open();
  ::umask(saved);
  ASSERT_NE(store, nullptr);
  BERTH_ASSERT_OK(put_setting(*store, "k", "v"));
  EXPECT_EQ(mode_of(path()), 0600U);
  ASSERT_TRUE(std::filesystem::exists(path() + "-wal"));
  EXPECT_EQ(mode_of(path() + "-wal"), 0600U);
}

TEST_F(SqliteStoreTest, RefusesADatabaseFromANewerBerthd) {
  const int latest = sqlite_migrations().back().version;
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
  }
  RawDb(path()).exec(
      "INSERT INTO schema_migrations (version, name, applied_at) "
      "VALUES (99, 'from_the_future', '2030-01-01T00:00:00.000Z')");
  auto reopened = SqliteStore::open({.path = path()});
  ASSERT_FALSE(reopened.has_value());
  EXPECT_EQ(reopened.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(reopened.error().message,
            "database schema version 99 is newer than this berthd supports (" +
                std::to_string(latest) + "); upgrade berthd or restore a matching backup");
}

TEST_F(SqliteStoreTest, RejectsBadOptions) {
  auto no_path = SqliteStore::open({.path = ""});
  ASSERT_FALSE(no_path.has_value());
  EXPECT_EQ(no_path.error().kind, ErrorKind::invalid);

  auto no_readers = SqliteStore::open({.path = path(), .read_connections = 0});
  ASSERT_FALSE(no_readers.has_value());
  EXPECT_EQ(no_readers.error().kind, ErrorKind::invalid);
}

TEST_F(SqliteStoreTest, MissingDirectoryIsUnavailable) {
  const std::string missing = dir_.file("no/such/dir/berth.db");
  auto opened = SqliteStore::open({.path = missing});
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().kind, ErrorKind::unavailable);
  EXPECT_NE(opened.error().message.find(missing), std::string::npos) << opened.error().message;
}

TEST_F(SqliteStoreTest, WriterHeldByAnotherProcessIsUnavailable) {
  auto store = open({.busy_timeout = std::chrono::milliseconds(50)});
  ASSERT_NE(store, nullptr);
  BERTH_ASSERT_OK(put_setting(*store, "k", "before"));
  {
    RawDb other(path());
    other.exec("BEGIN IMMEDIATE");  // holds the write lock, as another process could
    bool ran = false;
    auto write = store->write([&](Tx& tx) {
      ran = true;
      return tx.put_setting("k", "after", test_time(1));
    });
    ASSERT_FALSE(write.has_value());
    EXPECT_EQ(write.error().kind, ErrorKind::unavailable) << describe(write.error());
    EXPECT_FALSE(ran);
    // WAL: reading goes on while someone else holds the write lock.
    EXPECT_EQ(setting_value(*store, "k"), "before");
    other.exec("ROLLBACK");
  }
  BERTH_ASSERT_OK(put_setting(*store, "k", "after"));
  EXPECT_EQ(setting_value(*store, "k"), "after");
}

TEST_F(SqliteStoreTest, NestedWriteFailsInsteadOfDeadlocking) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  BERTH_ASSERT_OK(store->write([&](Tx& tx) -> Result<void> {
    auto nested = store->write([](Tx&) -> Result<void> { return {}; });
    EXPECT_FALSE(nested.has_value());
    EXPECT_EQ(nested.error().kind, ErrorKind::internal);
    return tx.put_setting("outer", "kept", test_time(1));
  }));
  EXPECT_EQ(setting_value(*store, "outer"), "kept");
}

TEST_F(SqliteStoreTest, ReadersWaitForTheOnlyConnection) {
  auto store = open({.read_connections = 1});
  ASSERT_NE(store, nullptr);
  BERTH_ASSERT_OK(put_setting(*store, "k", "v"));
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (setting_value(*store, "k") == "v") {
          ++good;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(good.load(), 100);
}

TEST_F(SqliteStoreTest, MalformedStoredValueIsInternal) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  BERTH_ASSERT_OK(store->write([](Tx& tx) {
    return tx.create_team({.id = "team_1", .name = "T", .created_at = test_time(1)});
  }));
  RawDb(path()).exec("UPDATE teams SET created_at = 'yesterday'");
  auto team =
      read_value<std::optional<TeamRecord>>(*store, [](Tx& tx) { return tx.get_team("team_1"); });
  ASSERT_FALSE(team.has_value());
  EXPECT_EQ(team.error().kind, ErrorKind::internal);
  EXPECT_NE(team.error().internal_detail.find("yesterday"), std::string::npos)
      << team.error().internal_detail;
}

TEST(SqliteErrorTest, MapsResultCodesToErrorKinds) {
  const Error constraint = sqlite_error(SQLITE_CONSTRAINT_PRIMARYKEY, "INSERT",
                                        "UNIQUE constraint failed: audit_log.id");
  EXPECT_EQ(constraint.kind, ErrorKind::conflict);
  EXPECT_EQ(constraint.message.find("UNIQUE"), std::string::npos);
  EXPECT_NE(constraint.internal_detail.find("UNIQUE constraint failed"), std::string::npos);

  const Error busy = sqlite_error(SQLITE_BUSY, "BEGIN IMMEDIATE", "database is locked");
  EXPECT_EQ(busy.kind, ErrorKind::unavailable);
  EXPECT_EQ(sqlite_error(SQLITE_LOCKED, "x", "locked").kind, ErrorKind::unavailable);

  const Error io = sqlite_error(SQLITE_IOERR_WRITE, "COMMIT", "disk I/O error");
  EXPECT_EQ(io.kind, ErrorKind::internal);
  EXPECT_EQ(io.message, "internal error");
  EXPECT_NE(io.internal_detail.find("disk I/O error"), std::string::npos);
}

}  // namespace berth
