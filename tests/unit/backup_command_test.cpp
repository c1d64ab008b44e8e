// The pieces of `berthd backup` below the command line: the online store snapshot, the
// passphrase sources, the atomic 0600 write, and reading (never creating) the instance keys.

#include "berthd/backup_command.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "berthd/instance_secrets.hpp"
#include "core/clock.hpp"
#include "store/sqlite/sqlite_snapshot.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/fakes.hpp"
#include "support/scoped_env.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

namespace fs = std::filesystem;

using testing::ScopedEnv;

void write_text(const fs::path& path, const std::string& text, fs::perms mode) {
  std::ofstream(path) << text;
  fs::permissions(path, mode, fs::perm_options::replace);
}

unsigned mode_of(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 0777;
}

Result<void> put(Store& store, const std::string& key, const std::string& value) {
  return store.write([&](Tx& tx) { return tx.put_setting(key, value, SystemClock().now()); });
}

std::string setting(Store& store, const std::string& key) {
  std::string value;
  (void)store.read([&](Tx& tx) -> Result<void> {
    auto got = tx.get_setting(key);
    value = got && *got ? **got : "<missing>";
    return {};
  });
  return value;
}

TEST(StoreSnapshotTest, CopiesALiveStoreAtOneCommitWhileAWriterCarriesOn) {
  testing::TempDir dir;
  const std::string path = dir.file("berth.db");
  auto opened = SqliteStore::open({.path = path});
  ASSERT_TRUE(opened.has_value());
  auto& store = **opened;
  ASSERT_TRUE(put(store, "instance_id", "ins_snapshot").has_value());
  // Two settings always written together: a torn copy would show them apart.
  std::atomic<bool> stop = false;
  std::atomic<int> commits = 0;
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      const std::string value = std::to_string(i);
      auto done = store.write([&](Tx& tx) -> Result<void> {
        const auto now = SystemClock().now();
        if (auto first = tx.put_setting("pair.a", value, now); !first) {
          return first;
        }
        return tx.put_setting("pair.b", value, now);
      });
      if (done) {
        ++commits;
      }
    }
  });
  while (commits < 20) {
    std::this_thread::yield();
  }
  std::vector<StoreSnapshot> snapshots;
  for (int i = 0; i < 5; ++i) {
    auto snapshot = snapshot_sqlite_store(path, std::chrono::seconds(5));
    ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
    snapshots.push_back(std::move(*snapshot));
  }
  stop = true;
  writer.join();
  for (const auto& snapshot : snapshots) {
    EXPECT_EQ(snapshot.summary.instance_id, "ins_snapshot");
    EXPECT_GT(snapshot.summary.schema_version, 0);
    auto summary = inspect_sqlite_image(snapshot.image);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_EQ(summary->instance_id, "ins_snapshot");
    // Write the image out and open it as berthd would: the pair agrees.
    const std::string copy = dir.file("copy.db");
    fs::remove(copy);
    std::ofstream(copy, std::ios::binary) << snapshot.image;
    auto reopened = SqliteStore::open({.path = copy});
    ASSERT_TRUE(reopened.has_value());
    const std::string a = setting(**reopened, "pair.a");
    EXPECT_NE(a, "<missing>");
    EXPECT_EQ(a, setting(**reopened, "pair.b"));
    (*reopened)->close();
  }
}

TEST(StoreSnapshotTest, AMissingDatabaseFailsAndIsNotCreated) {
  testing::TempDir dir;
  auto snapshot = snapshot_sqlite_store(dir.file("nothing.db"), std::chrono::seconds(1));
  ASSERT_FALSE(snapshot.has_value());
  EXPECT_FALSE(fs::exists(dir.file("nothing.db")));
}

TEST(StoreSnapshotTest, InspectRefusesWhatIsNotASoundBerthDatabase) {
  EXPECT_FALSE(inspect_sqlite_image("not a database at all").has_value());
  EXPECT_FALSE(inspect_sqlite_image("").has_value());
  testing::TempDir dir;
  auto opened = SqliteStore::open({.path = dir.file("berth.db")});
  ASSERT_TRUE(opened.has_value());
  ASSERT_TRUE(put(**opened, "instance_id", "ins_1").has_value());
  auto snapshot = snapshot_sqlite_store(dir.file("berth.db"), std::chrono::seconds(1));
  ASSERT_TRUE(snapshot.has_value());
  // The same database cut in half.
  EXPECT_FALSE(inspect_sqlite_image(snapshot->image.substr(0, snapshot->image.size() / 2)));
}

TEST(BackupPassphraseTest, AFileReadableByOthersIsRefused) {
  testing::TempDir dir;
  const fs::path file = dir.path() / "passphrase";
  write_text(file, "a long enough passphrase\n", fs::perms::owner_read | fs::perms::group_read);
  auto read = read_backup_passphrase(file.string(), false);
  ASSERT_FALSE(read.has_value());
  EXPECT_NE(read.error().message.find("chmod 600"), std::string::npos) << read.error().message;
}

TEST(BackupPassphraseTest, AnOwnerOnlyFileGivesItsFirstLineAndWinsOverTheEnvironment) {
  testing::TempDir dir;
  ScopedEnv env("BERTH_BACKUP_PASSPHRASE", "from the environment");
  const fs::path file = dir.path() / "passphrase";
  write_text(file, "from the file  \r\nsecond line\n", fs::perms::owner_read);
  auto read = read_backup_passphrase(file.string(), true);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(*read, "from the file  ");
  auto from_env = read_backup_passphrase("", true);
  ASSERT_TRUE(from_env.has_value());
  EXPECT_EQ(*from_env, "from the environment");
}

TEST(BackupPassphraseTest, EmptyIsRefused) {
  testing::TempDir dir;
  const fs::path file = dir.path() / "passphrase";
  write_text(file, "\n", fs::perms::owner_read);
  EXPECT_FALSE(read_backup_passphrase(file.string(), false).has_value());
  ScopedEnv env("BERTH_BACKUP_PASSPHRASE", "");
  EXPECT_FALSE(read_backup_passphrase("", false).has_value());
}

TEST(BackupWriteTest, WritesOwnerOnlyAndReplacesAtomically) {
  testing::TempDir dir;
  const fs::path target = dir.path() / "berth.backup";
  write_text(target, "old",
             fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  ASSERT_TRUE(write_file_atomically(target.string(), "new contents").has_value());
  std::ifstream in(target);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "new contents");
  EXPECT_EQ(mode_of(target), 0600U);
  // Nothing else is left in the directory (no temporary file).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
  EXPECT_FALSE(write_file_atomically((dir.path() / "no-such-dir" / "f").string(), "x"));
}

TEST(BackupKeysTest, ReadsTheKeysButNeverCreatesOne) {
  testing::TempDir dir;
  ScopedEnv session("BERTH_SESSION_KEY", std::nullopt);
  ScopedEnv master("BERTH_MASTER_KEY", std::nullopt);
  auto missing = load_instance_secrets(dir.path().string());
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("missing"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.path() / "session.key"));
  testing::CountingRandom random;
  auto created = load_or_create_instance_secrets(dir.path().string(), random);
  ASSERT_TRUE(created.has_value());
  auto read = load_instance_secrets(dir.path().string());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->session_key, created->session_key);
  EXPECT_EQ(read->master_key, created->master_key);
}

}  // namespace
}  // namespace berth
