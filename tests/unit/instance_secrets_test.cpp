#include "berthd/instance_secrets.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "support/fakes.hpp"
#include "support/scoped_env.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

namespace fs = std::filesystem;

using testing::ScopedEnv;

class InstanceSecretsTest : public ::testing::Test {
 protected:
  std::string read_file(const std::string& name) const {
    std::ifstream in(dir_.file(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void write_file(const std::string& name, const std::string& content) const {
    std::ofstream out(dir_.file(name), std::ios::binary | std::ios::trunc);
    out << content;
  }
  static std::string as_string(const crypto::Key& key) { return {key.begin(), key.end()}; }

  berth::testing::TempDir dir_;
  berth::testing::CountingRandom random_;
  ScopedEnv no_session_env_{"BERTH_SESSION_KEY", std::nullopt};
  ScopedEnv no_master_env_{"BERTH_MASTER_KEY", std::nullopt};
};

// base64 of the bytes 0x00..0x1f and of 32 bytes of 0xff.
constexpr const char* kCountingKeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr const char* kFfKeyBase64 = "//////////////////////////////////////////8";

TEST_F(InstanceSecretsTest, GeneratesPrivateKeyFilesOnFirstStart) {
  auto secrets = load_or_create_instance_secrets(dir_.path().string(), random_);
  ASSERT_TRUE(secrets) << secrets.error().message;
  EXPECT_NE(secrets->session_key, secrets->master_key);
  for (const auto& [name, key] : {std::pair{"session.key", secrets->session_key},
                                  std::pair{"master.key", secrets->master_key}}) {
    const std::string path = dir_.file(name);
    struct stat status {};
    ASSERT_EQ(::stat(path.c_str(), &status), 0) << name;
    EXPECT_TRUE(S_ISREG(status.st_mode)) << name;
    EXPECT_EQ(status.st_mode & 07777, 0600U) << name;
    EXPECT_EQ(status.st_size, 32) << name;
    EXPECT_EQ(read_file(name), as_string(key)) << name;
  }
  // Nothing else is left behind (no temporary files).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_.path()), fs::directory_iterator()), 2);
}

TEST_F(InstanceSecretsTest, KeepsPrivateModeUnderAPermissiveUmask) {
  const mode_t old_umask = ::umask(0);
  auto secrets = load_or_create_instance_secrets(dir_.path().string(), random_);
  ::umask(old_umask);
  ASSERT_TRUE(secrets) << secrets.error().message;
  struct stat status {};
  ASSERT_EQ(::stat(dir_.file("master.key").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600U);
}

TEST_F(InstanceSecretsTest, ReusesTheFilesOnLaterStarts) {
  auto first = load_or_create_instance_secrets(dir_.path().string(), random_);
  ASSERT_TRUE(first) << first.error().message;
  auto second = load_or_create_instance_secrets(dir_.path().string(), random_);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->session_key, first->session_key);
  EXPECT_EQ(second->master_key, first->master_key);
}

TEST_F(InstanceSecretsTest, PrefersTheEnvironment) {
  ScopedEnv session("BERTH_SESSION_KEY", kCountingKeyBase64);
  ScopedEnv master("BERTH_MASTER_KEY", kFfKeyBase64);
  auto secrets = load_or_create_instance_secrets(dir_.path().string(), random_);
  ASSERT_TRUE(secrets) << secrets.error().message;
  crypto::Key counting{};
  for (std::size_t i = 0; i < counting.size(); ++i) {
    counting[i] = static_cast<std::uint8_t>(i);
  }
  crypto::Key ff{};
  ff.fill(0xff);
  EXPECT_EQ(secrets->session_key, counting);
  EXPECT_EQ(secrets->master_key, ff);
  EXPECT_FALSE(fs::exists(dir_.file("session.key")));
  EXPECT_FALSE(fs::exists(dir_.file("master.key")));
}

TEST_F(InstanceSecretsTest, EnvironmentOverridesAnExistingFile) {
  write_file("master.key", std::string(32, 'm'));
  ScopedEnv master("BERTH_MASTER_KEY", kFfKeyBase64);
  auto secrets = load_or_create_instance_secrets(dir_.path().string(), random_);
  ASSERT_TRUE(secrets) << secrets.error().message;
  EXPECT_EQ(secrets->master_key[0], 0xff);
  EXPECT_TRUE(fs::exists(dir_.file("session.key")));  // the other key still comes from its file
}

TEST_F(InstanceSecretsTest, RefusesMalformedEnvironmentKeys) {
  for (const std::string bad : {"", "not base64!", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd",
                                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ=="}) {
    ScopedEnv master("BERTH_MASTER_KEY", bad);
    auto secrets = load_or_create_instance_secrets(dir_.path().string(), random_);
    ASSERT_FALSE(secrets) << "'" << bad << "'";
    EXPECT_EQ(secrets.error().kind, ErrorKind::unavailable);
    EXPECT_NE(secrets.error().message.find("BERTH_MASTER_KEY"), std::string::npos);
    if (!bad.empty()) {
      EXPECT_EQ(secrets.error().message.find(bad), std::string::npos);
    }
  }
  EXPECT_FALSE(fs::exists(dir_.file("master.key")));
}

TEST_F(InstanceSecretsTest, RefusesAKeyFileOfTheWrongSize) {
  for (const std::size_t size : {0, 31, 33, 44}) {
    write_file("session.key", std::string(size, 'k'));
    auto secrets = load_or_create_instance_secrets(dir_.path().string(), random_);
    ASSERT_FALSE(secrets) << size;
    EXPECT_EQ(secrets.error().kind, ErrorKind::unavailable);
    EXPECT_NE(secrets.error().message.find(dir_.file("session.key")), std::string::npos);
    if (size > 0) {
      EXPECT_EQ(secrets.error().message.find(std::string(size, 'k')), std::string::npos);
    }
    EXPECT_EQ(read_file("session.key"), std::string(size, 'k'));  // left alone
  }
}

TEST_F(InstanceSecretsTest, RefusesAKeyPathThatIsNotAFile) {
  fs::create_directory(dir_.file("master.key"));
  auto secrets = load_or_create_instance_secrets(dir_.path().string(), random_);
  ASSERT_FALSE(secrets);
  EXPECT_EQ(secrets.error().kind, ErrorKind::unavailable);
  EXPECT_NE(secrets.error().message.find("master.key"), std::string::npos);
}

TEST_F(InstanceSecretsTest, FailsClearlyWithoutADataDirectory) {
  auto secrets = load_or_create_instance_secrets(dir_.file("missing"), random_);
  ASSERT_FALSE(secrets);
  EXPECT_EQ(secrets.error().kind, ErrorKind::unavailable);
  EXPECT_NE(secrets.error().message.find("session.key"), std::string::npos);
}

}  // namespace
}  // namespace berth
