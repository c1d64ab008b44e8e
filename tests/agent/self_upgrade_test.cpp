// The agent's binary replacement (agent.upgrade) in a temporary directory: the checksum is
// checked before anything is renamed, and every failure leaves the old file and no debris.

#include "agent/self_upgrade.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "core/crypto.hpp"
#include "support/temp_dir.hpp"

namespace berth::agent {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Delivers `bytes` in chunks of `chunk` bytes, as a download would.
BinaryFetch fetch_of(std::string bytes, std::size_t chunk = 7) {
  return [bytes = std::move(bytes), chunk](const ChunkWriter& write) -> Result<void> {
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
      if (!write(std::string_view(bytes).substr(at, chunk))) {
        return fail(Error::unavailable("write refused"));
      }
    }
    return {};
  };
}

std::size_t entries_in(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}));
}

class SelfUpgradeTest : public ::testing::Test {
 protected:
  berth::testing::TempDir dir_;
  fs::path exe_ = dir_.path() / "berth-agent";
  void SetUp() override {
    write_file(exe_, "old binary");
    fs::permissions(exe_, fs::perms::owner_all);
  }
};

TEST_F(SelfUpgradeTest, ReplacesTheBinaryWhenTheChecksumMatches) {
  const std::string next(100'000, 'n');
  auto replaced = replace_executable(exe_, crypto::sha256_hex(next), fetch_of(next, 4096));
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_EQ(replaced->bytes, next.size());
  EXPECT_EQ(replaced->sha256, crypto::sha256_hex(next));
  EXPECT_EQ(read_file(exe_), next);
  struct stat info {};
  ASSERT_EQ(::stat(exe_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0755u);
  EXPECT_EQ(entries_in(dir_.path()), 1u);  // no temporary file left
}

TEST_F(SelfUpgradeTest, AcceptsAnUpperCaseChecksum) {
  std::string sha = crypto::sha256_hex("new");
  for (char& c : sha) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  ASSERT_TRUE(replace_executable(exe_, sha, fetch_of("new")));
  EXPECT_EQ(read_file(exe_), "new");
}

TEST_F(SelfUpgradeTest, AWrongChecksumKeepsTheOldBinary) {
  auto replaced =
      replace_executable(exe_, crypto::sha256_hex("what berthd announced"), fetch_of("tampered"));
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().code, "checksum_mismatch");
  EXPECT_NE(replaced.error().message.find(crypto::sha256_hex("tampered")), std::string::npos);
  EXPECT_EQ(read_file(exe_), "old binary");
  EXPECT_EQ(entries_in(dir_.path()), 1u);
}

TEST_F(SelfUpgradeTest, AFailedDownloadKeepsTheOldBinary) {
  const BinaryFetch broken = [](const ChunkWriter& write) -> Result<void> {
    write("half a bin");
    return fail(Error::unavailable("connection reset"));
  };
  auto replaced = replace_executable(exe_, crypto::sha256_hex("x"), broken);
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().code, "download_failed");
  EXPECT_NE(replaced.error().message.find("connection reset"), std::string::npos);
  EXPECT_EQ(read_file(exe_), "old binary");
  EXPECT_EQ(entries_in(dir_.path()), 1u);
}

TEST_F(SelfUpgradeTest, RefusesAMalformedChecksumBeforeFetching) {
  bool fetched = false;
  const BinaryFetch fetch = [&](const ChunkWriter&) -> Result<void> {
    fetched = true;
    return {};
  };
  EXPECT_FALSE(replace_executable(exe_, "abc", fetch));
  EXPECT_FALSE(replace_executable(exe_, std::string(64, 'g'), fetch));
  EXPECT_FALSE(fetched);
  EXPECT_EQ(read_file(exe_), "old binary");
}

TEST_F(SelfUpgradeTest, ADirectoryItCannotWriteFailsCleanly) {
  const fs::path missing = dir_.path() / "gone" / "berth-agent";
  auto replaced = replace_executable(missing, crypto::sha256_hex("x"), fetch_of("x"));
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().code, "write_failed");
  EXPECT_EQ(read_file(exe_), "old binary");
}

}  // namespace
}  // namespace berth::agent
