// The steps a package upgrade runs (docs/install.md): `berthd backup-store` copies the store of
// a running berthd into a plain SQLite file, 0600, that holds its data; `berthd migrate` on a
// current store says so; a store newer than the binary (a downgrade) is refused by migrate and
// by berthd itself, naming the binary's version and both schema versions.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>

#include "integration/berthd_test_base.hpp"
#include "integration/identity_client.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;

class StoreCommandTest : public BerthdTest {};

// One integer from `sql` on the database at `path`; -1 when it cannot be read.
long long query_int(const fs::path& path, const char* sql) {
  sqlite3* db = nullptr;
  long long value = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      value = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return value;
}

TEST_F(StoreCommandTest, BackupStoreMigrateAndTheRefusalOfANewerStore) {
  start();
  const fs::path data = berthd_->data_dir();
  IdentityClient admin(port());
  ASSERT_EQ(admin.setup(setup_token(), "admin@example.com", "a long admin password 1").status, 201);

  // While berthd runs: a consistent copy, owner-only, with the administrator in it.
  const fs::path copy = dir_.path() / "pre-upgrade.sqlite";
  std::string output;
  ASSERT_EQ(run_berthd({"backup-store", "--data-dir", data.string(), "--to", copy.string()}, output,
                       {}, std::chrono::seconds(60)),
            0)
      << output;
  EXPECT_NE(output.find("1 users"), std::string::npos) << output;
  struct stat status {};
  ASSERT_EQ(::stat(copy.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600U);
  EXPECT_EQ(query_int(copy, "SELECT count(*) FROM users WHERE email = 'admin@example.com'"), 1);
  const long long schema = query_int(copy, "SELECT max(version) FROM schema_migrations");
  ASSERT_GT(schema, 0);
  berthd_->stop();

  output.clear();
  ASSERT_EQ(
      run_berthd({"migrate", "--data-dir", data.string()}, output, {}, std::chrono::seconds(60)), 0)
      << output;
  EXPECT_NE(output.find("is at schema version " + std::to_string(schema)), std::string::npos)
      << output;

  // A newer berthd's migration recorded in the store: this one must not touch it.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((data / "berth.db").c_str(), &db), SQLITE_OK);
    const std::string insert =
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
        std::to_string(schema + 1) + ", 'from_the_future', '2030-01-01')";
    ASSERT_EQ(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  const std::string newer = "database schema version " + std::to_string(schema + 1) +
                            " is newer than this berthd supports (" + std::to_string(schema) + ")";
  output.clear();
  EXPECT_EQ(
      run_berthd({"migrate", "--data-dir", data.string()}, output, {}, std::chrono::seconds(60)),
      1);
  std::string version;
  ASSERT_EQ(run_berthd({"--version"}, version), 0);
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) {
    version.pop_back();
  }
  EXPECT_NE(output.find("berthd " + version + " cannot open the store"), std::string::npos)
      << output;
  EXPECT_NE(output.find(newer), std::string::npos) << output;
  EXPECT_NE(output.find("pre-upgrade-*.sqlite"), std::string::npos) << output;

  output.clear();
  EXPECT_EQ(run_berthd({"--listen", "127.0.0.1:0", "--data-dir", data.string()}, output, {},
                       std::chrono::seconds(60)),
            1);
  EXPECT_NE(output.find(newer), std::string::npos) << output;
  EXPECT_NE(output.find("(a downgrade)"), std::string::npos) << output;
}

}  // namespace
}  // namespace berth::testing
