// SFTP destinations against a real OpenSSH server in a network namespace (system: root):
// SftpClient puts, streams, reads and removes files with a password and with a key, refuses a
// changed host key before sending a credential, and says plainly when the folder is missing or
// the password wrong; through berthd's API a first successful test pins the host key and a
// later test against a replaced server fails at connect.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "backup/sftp_client.hpp"
#include "integration/fleet_fixture.hpp"
#include "system/sshd_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using backup::BodySink;
using backup::BodySource;
using backup::SftpClient;
using backup::SftpSettings;
using nlohmann::json;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SftpDestinationTest : public FleetTest {
 protected:
  void SetUp() override {
    if (const std::string reason = SshdFixture::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    server_ = std::make_unique<SftpServerFixture>();
    sshd_ = &server_->sshd();
  }

  void TearDown() override {
    if (HasFailure() && sshd_) {
      std::cerr << "--- sshd log ---\n" << sshd_->log() << "---\n";
    }
    FleetTest::TearDown();
  }

  std::string folder() const { return server_->folder(); }

  SftpSettings settings() const {
    return SftpSettings{.host = sshd_->address(),
                        .port = 22,
                        .user = SshdFixture::kUser,
                        .folder = folder(),
                        .password = sshd_->password(),
                        .host_key_fingerprint = sshd_->host_key_fingerprint()};
  }

  std::unique_ptr<SftpServerFixture> server_;
  SshdFixture* sshd_ = nullptr;
};

TEST_F(SftpDestinationTest, PutStreamGetAndRemoveWithAPasswordAndWithAKey) {
  auto client = SftpClient::connect(settings());
  ASSERT_TRUE(client) << client.error().message << " " << client.error().internal_detail;
  EXPECT_EQ(client->host_key(), sshd_->host_key_fingerprint());
  ASSERT_TRUE(client->put("small.txt", "hello over sftp"));
  EXPECT_EQ(slurp(fs::path(folder()) / "small.txt"), "hello over sftp");
  EXPECT_EQ(fs::status(fs::path(folder()) / "small.txt").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  constexpr std::uint64_t kSize = 3 * 1024 * 1024 + 5;
  std::uint64_t sent = 0;
  const BodySource source = [&](char* buffer, std::size_t size) -> Result<std::size_t> {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size, kSize - sent));
    for (std::size_t i = 0; i < n; ++i) {
      buffer[i] = static_cast<char>('A' + (sent + i) % 26);
    }
    sent += n;
    return n;
  };
  auto put = client->put_stream("big.bin", source);
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(fs::file_size(fs::path(folder()) / "big.bin"), kSize);
  std::uint64_t received = 0;
  bool in_order = true;
  const BodySink sink = [&](std::string_view chunk) -> Result<void> {
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      in_order = in_order && chunk[i] == static_cast<char>('A' + (received + i) % 26);
    }
    received += chunk.size();
    return {};
  };
  ASSERT_TRUE(client->get("big.bin", sink));
  EXPECT_EQ(received, kSize);
  EXPECT_TRUE(in_order);
  ASSERT_TRUE(client->remove("big.bin"));
  EXPECT_FALSE(fs::exists(fs::path(folder()) / "big.bin"));

  SftpSettings with_key = settings();
  with_key.password.clear();
  with_key.private_key = sshd_->private_key();
  auto keyed = SftpClient::connect(with_key);
  ASSERT_TRUE(keyed) << keyed.error().message;
  auto read = keyed->get_small("small.txt", 1024);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, "hello over sftp");
}

TEST_F(SftpDestinationTest, ClearErrorsForAChangedHostKeyAWrongPasswordAndAMissingFolder) {
  SftpSettings pinned_elsewhere = settings();
  pinned_elsewhere.host_key_fingerprint = "SHA256:" + std::string(43, 'A');
  auto changed = SftpClient::connect(pinned_elsewhere);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, "host_key_changed");
  EXPECT_EQ(changed.error().details["actual"], sshd_->host_key_fingerprint());
  // Refused before authenticating: sshd saw no password attempt from this connection.
  EXPECT_EQ(sshd_->log().find("Failed password"), std::string::npos) << sshd_->log();

  SftpSettings wrong = settings();
  wrong.password = "not the password";
  auto refused = SftpClient::connect(wrong);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "ssh_auth_failed");
  // ... which sshd does log (so its absence above means something).
  EXPECT_NE(sshd_->log().find("Failed password"), std::string::npos) << sshd_->log();

  SftpSettings missing = settings();
  missing.folder = folder() + "/not-there";
  auto client = SftpClient::connect(missing);
  ASSERT_TRUE(client);
  auto put = client->put("x.txt", "x");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, "sftp_missing");
}

TEST_F(SftpDestinationTest, TheFirstSuccessfulTestPinsTheHostKeyAndAReplacedServerFails) {
  start_fleet();
  const HttpResponse made = api("POST", "/api/v1/backup-destinations",
                                {{"name", "nas"},
                                 {"kind", "sftp"},
                                 {"sftp",
                                  {{"host", sshd_->address()},
                                   {"user", SshdFixture::kUser},
                                   {"path", folder()},
                                   {"password", sshd_->password()}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json()["sftp"]["host_key_fingerprint"], "");
  EXPECT_EQ(made.json()["sftp"]["auth"], "password");
  const std::string id = made.json()["id"];

  HttpResponse tested = api("POST", "/api/v1/backup-destinations/" + id + "/test");
  ASSERT_EQ(tested.status, 200) << tested.body;
  EXPECT_EQ(tested.json()["ok"], true) << tested.body;
  std::vector<std::string> steps;
  const json first = tested.json();
  for (const auto& step : first["steps"]) {
    steps.push_back(step["step"]);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"connect", "write", "read", "compare", "delete"}));
  EXPECT_EQ(tested.json()["host_key_fingerprint"], sshd_->host_key_fingerprint());
  EXPECT_EQ(api("GET", "/api/v1/backup-destinations/" + id).json()["sftp"]["host_key_fingerprint"],
            sshd_->host_key_fingerprint());
  EXPECT_TRUE(fs::is_empty(folder()));  // the probe file is gone

  sshd_->change_host_key();
  tested = api("POST", "/api/v1/backup-destinations/" + id + "/test");
  ASSERT_EQ(tested.status, 200) << tested.body;
  EXPECT_EQ(tested.json()["ok"], false);
  ASSERT_EQ(tested.json()["steps"].size(), 1U) << tested.body;
  EXPECT_EQ(tested.json()["steps"][0]["step"], "connect");
  EXPECT_EQ(tested.json()["steps"][0]["code"], "host_key_changed");

  // The password is nowhere in what berthd answers, stores or logs.
  const std::string answers = api("GET", "/api/v1/backup-destinations").body +
                              api("GET", "/api/v1/audit-log?per_page=100").body;
  EXPECT_EQ(answers.find(sshd_->password()), std::string::npos);
  berthd_->stop();
  for (const auto& entry : fs::recursive_directory_iterator(berthd_->data_dir())) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(slurp(entry.path()).find(sshd_->password()), std::string::npos) << entry.path();
    }
  }
  EXPECT_EQ(berthd_->log().find(sshd_->password()), std::string::npos);
}

}  // namespace
}  // namespace berth::testing
