// Adoption against a real OpenSSH server in a network namespace. The agent is a stand-in shell
// script that records its `enroll` arguments and idles for `run`, so the test sees the upload,
// the enrolment and the detached start without a berthd.

#include "ssh/libssh_installer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "support/temp_dir.hpp"
#include "system/netns_fixture.hpp"
#include "system/sshd_fixture.hpp"

namespace berth::ssh {
namespace {

namespace fs = std::filesystem;
using berth::testing::NetnsFixture;
using berth::testing::SshdFixture;
using berth::testing::TempDir;

constexpr const char* kServerUrl = "https://berth.example.test:8443";
constexpr const char* kToken = "itk_Xy-12_secret";

constexpr const char* kStandInAgent = R"(#!/bin/sh
state="$(dirname "$0")/../state"
case "$1" in
  enroll) printf '%s\n' "$@" > "$state/enroll-args" ;;
  run) echo "$$" > "$state/run-started"; while :; do sleep 1; done ;;
  *) exit 64 ;;
esac
)";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

/// Alive and not a zombie (an orphan's zombie may wait a while for a reaper in a container).
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string ignored;
  std::string state;
  return static_cast<bool>(stat >> ignored >> ignored >> state) && state != "Z";
}

template <class Predicate>
bool eventually(Predicate predicate) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return predicate();
}

class AdoptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = SshdFixture::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    netns_ = std::make_unique<NetnsFixture>();
    sshd_ = std::make_unique<SshdFixture>(*netns_);
    // The remote user must reach its install directory; the work dir itself stays root's.
    fs::permissions(work_.path(), fs::perms::owner_all | fs::perms::others_exec,
                    fs::perm_options::replace);
    fs::create_directory(install_dir());
    ASSERT_EQ(::chown(install_dir().c_str(), sshd_->user_uid(), sshd_->user_gid()), 0);
    std::ofstream(agent_path()) << kStandInAgent;
    fs::permissions(agent_path(), fs::perms::owner_all, fs::perm_options::replace);
  }

  void TearDown() override {
    if (HasFailure() && sshd_) {
      std::cerr << "--- sshd log ---\n" << sshd_->log() << "--- progress ---\n";
      for (const std::string& line : progress_) {
        std::cerr << line << '\n';
      }
    }
  }

  std::string install_dir() const { return work_.file("install"); }
  std::string agent_path() const { return work_.file("agent-stand-in"); }
  fs::path state_dir() const { return fs::path(install_dir()) / "state"; }

  AdoptionTarget password_target(std::string password) const {
    return {.host = sshd_->address(),
            .port = 22,
            .username = SshdFixture::kUser,
            .auth = {.password = std::move(password), .private_key = {}, .passphrase = {}},
            .expected_host_key = {}};
  }

  AdoptionTarget key_target() const {
    AdoptionTarget target = password_target({});
    target.auth.private_key = sshd_->private_key();
    return target;
  }

  AdoptionPlan plan() const {
    return {.agent_binary_path = agent_path(),
            .server_url = kServerUrl,
            .install_token = kToken,
            .install_dir = install_dir()};
  }

  Result<AdoptionReport> adopt(const AdoptionTarget& target, LibsshInstallerOptions options = {}) {
    options.connect_timeout = std::chrono::seconds(5);
    options.command_timeout = std::chrono::seconds(30);
    LibsshInstaller installer(options);
    return installer.adopt(
        target, plan(), [this](std::string_view line) { progress_.emplace_back(line); },
        cancelled_);
  }

  /// The pid recorded for the detached agent, once it runs.
  pid_t wait_for_running_agent() {
    pid_t pid = -1;
    const bool started = eventually([&] {
      std::ifstream in(state_dir() / "agent.pid");
      return static_cast<bool>(in >> pid) && running(pid) &&
             fs::exists(state_dir() / "run-started");
    });
    EXPECT_TRUE(started) << "agent.log:\n" << read_file(state_dir() / "agent.log");
    return pid;
  }

  void expect_installed_and_started() {
    const fs::path agent = fs::path(install_dir()) / "bin" / "berth-agent";
    EXPECT_EQ(read_file(agent), kStandInAgent);
    EXPECT_EQ(fs::status(agent).permissions() & fs::perms::all, static_cast<fs::perms>(0755));
    EXPECT_FALSE(fs::exists(fs::path(install_dir()) / "bin" / "berth-agent.tmp"));
    EXPECT_EQ(fs::status(state_dir()).permissions() & fs::perms::all, static_cast<fs::perms>(0700));
    EXPECT_EQ(read_file(state_dir() / "enroll-args"),
              fmt::format("enroll\n--server\n{}\n--install-token\n{}\n--state-dir\n{}\n",
                          kServerUrl, kToken, state_dir().string()));
    wait_for_running_agent();
  }

  void expect_nothing_uploaded() {
    EXPECT_FALSE(fs::exists(fs::path(install_dir()) / "bin"));
    EXPECT_FALSE(fs::exists(state_dir()));
  }

  void expect_no_secret_in_progress() {
    for (const std::string& line : progress_) {
      EXPECT_EQ(line.find(kToken), std::string::npos) << line;
      EXPECT_EQ(line.find(sshd_->password()), std::string::npos) << line;
    }
  }

  TempDir work_;
  std::unique_ptr<NetnsFixture> netns_;
  std::unique_ptr<SshdFixture> sshd_;
  std::vector<std::string> progress_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(AdoptionTest, WithAPasswordUploadsEnrollsAndStartsTheAgentDetached) {
  const auto report = adopt(password_target(sshd_->password()));
  ASSERT_TRUE(report.has_value()) << report.error().code << ": " << report.error().message << " "
                                  << report.error().details.dump();
  EXPECT_EQ(report->host_key, sshd_->host_key_fingerprint());  // as OpenSSH prints it
  EXPECT_EQ(report->host_key_type, "ssh-ed25519");
  EXPECT_FALSE(report->systemd);
  expect_installed_and_started();
  expect_no_secret_in_progress();
}

TEST_F(AdoptionTest, WithAPrivateKeyAndAgainReplacesTheRunningAgent) {
  AdoptionTarget target = key_target();
  const auto first = adopt(target);
  ASSERT_TRUE(first.has_value()) << first.error().code << ": " << first.error().details.dump();
  expect_installed_and_started();
  const pid_t first_agent = wait_for_running_agent();

  // Re-adoption with the recorded key: the binary is replaced and the old agent stopped.
  target.expected_host_key = first->host_key;
  fs::remove(state_dir() / "enroll-args");
  fs::remove(state_dir() / "run-started");
  const auto second = adopt(target);
  ASSERT_TRUE(second.has_value()) << second.error().code << ": " << second.error().details.dump();
  expect_installed_and_started();
  const pid_t second_agent = wait_for_running_agent();
  EXPECT_NE(second_agent, first_agent);
  EXPECT_TRUE(eventually([&] { return !running(first_agent); }));
}

TEST_F(AdoptionTest, AChangedHostKeyIsRefusedBeforeAuthenticating) {
  const std::string recorded = sshd_->host_key_fingerprint();
  sshd_->change_host_key();
  AdoptionTarget target = password_target(sshd_->password());
  target.expected_host_key = recorded;

  const auto report = adopt(target);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().kind, ErrorKind::conflict);
  EXPECT_EQ(report.error().code, "host_key_changed");
  EXPECT_EQ(report.error().details.at("expected"), recorded);
  EXPECT_EQ(report.error().details.at("actual"), sshd_->host_key_fingerprint());
  expect_nothing_uploaded();
  for (const std::string& line : progress_) {
    EXPECT_EQ(line.find("authenticating"), std::string::npos) << line;
  }
  // sshd saw no authentication attempt at all, so no password left this machine.
  EXPECT_EQ(sshd_->log().find("password for"), std::string::npos) << sshd_->log();
}

TEST_F(AdoptionTest, AWrongPasswordIsAnAuthenticationFailure) {
  const auto report = adopt(password_target("not-" + sshd_->password()));
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().kind, ErrorKind::invalid);
  EXPECT_EQ(report.error().code, "ssh_auth_failed");
  expect_nothing_uploaded();
}

TEST_F(AdoptionTest, AnotherArchitectureIsRefusedBeforeUploading) {
  const auto report = adopt(key_target(), {.local_arch = "riscv128"});
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().kind, ErrorKind::unprocessable);
  EXPECT_EQ(report.error().code, "arch_mismatch");
  expect_nothing_uploaded();
}

TEST_F(AdoptionTest, CancellingStopsBetweenSteps) {
  LibsshInstaller installer({.connect_timeout = std::chrono::seconds(5)});
  const auto report = installer.adopt(
      key_target(), plan(),
      [this](std::string_view line) {
        // Cancelled while authenticating: the adoption stops before creating anything.
        if (line.starts_with("authenticating")) {
          cancelled_ = true;
        }
      },
      cancelled_);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, "canceled");
  expect_nothing_uploaded();
}

TEST_F(AdoptionTest, AnUnreachableServerIsReportedAsSuch) {
  netns_->link_down();
  const auto report = adopt(key_target());
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(report.error().code, "ssh_unreachable");
  netns_->link_up();
}

}  // namespace
}  // namespace berth::ssh
