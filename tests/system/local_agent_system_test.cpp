// berthd --local-agent run as root: the agent on berthd's own machine runs as a system user of
// its own, so a job there cannot read berthd's keys, database or environment, and a crashed
// berthd restarts on its port at once (no orphaned agent holds it).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/local_agent_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Not the default name: the tests must not take over an operator's berth-agent user.
constexpr const char* kAgentUser = "berth-test-agent";
constexpr const char* kSecret = "env-secret-7f3a9c";

class LocalAgentAsItsOwnUser : public LocalAgentTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "berthd switches the local agent to its own user only when run as root";
    }
    if (::access("/usr/sbin/useradd", X_OK) != 0) {
      GTEST_SKIP() << "useradd is not installed (package passwd)";
    }
    BerthdOptions options;
    options.args = {"--local-agent", "--local-agent-user", kAgentUser};
    options.env = {{"BERTH_TEST_SECRET", kSecret}};
    start_fleet(options);
    state_dir_ = agent_state_dir();
  }

  void TearDown() override {
    LocalAgentTest::TearDown();
    berthd_.reset();
    if (state_dir_.starts_with("/var/lib/berth-agent/ins_")) {
      std::error_code ignored;
      fs::remove_all(state_dir_, ignored);
    }
  }

  // Alive and not a zombie (the container's init may not reap an orphan).
  static bool running(pid_t pid) {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
  }

  static uid_t owner_of(const fs::path& path) {
    struct stat info {};
    return ::lstat(path.c_str(), &info) == 0 ? info.st_uid : 0;
  }

  std::string state_dir_;
};

TEST_F(LocalAgentAsItsOwnUser, AJobCannotReadBerthdsKeysDatabaseOrEnvironment) {
  const std::string server = local_server();
  ASSERT_FALSE(server.empty());
  const fs::path data = berthd_->data_dir();
  std::string key = read_file(data / "master.key");
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) {
    key.pop_back();
  }
  ASSERT_FALSE(key.empty());

  const Ran master = run(server, {"/bin/cat", (data / "master.key").string()});
  EXPECT_EQ(master.state, "failed");
  EXPECT_NE(master.output.find("Permission denied"), std::string::npos) << master.output;
  EXPECT_EQ(master.output.find(key), std::string::npos);

  const Ran environ =
      run(server, {"/bin/cat", "/proc/" + std::to_string(berthd_->pid()) + "/environ"});
  EXPECT_EQ(environ.state, "failed");
  EXPECT_NE(environ.output.find("Permission denied"), std::string::npos) << environ.output;
  EXPECT_EQ(environ.output.find(kSecret), std::string::npos);

  const Ran listing = run(server, {"/bin/ls", data.string()});
  EXPECT_EQ(listing.state, "failed");
  EXPECT_NE(listing.output.find("Permission denied"), std::string::npos) << listing.output;
  EXPECT_EQ(listing.output.find("berth.db"), std::string::npos);

  const Ran database = run(server, {"/bin/cat", (data / "berth.db").string()});
  EXPECT_EQ(database.state, "failed");
  EXPECT_NE(database.output.find("Permission denied"), std::string::npos) << database.output;
}

TEST_F(LocalAgentAsItsOwnUser, TheAgentRunsAsItsUserWithNothingOfBerthds) {
  const std::string server = local_server();
  ASSERT_FALSE(server.empty());
  const Ran who = run(server, {"/usr/bin/id", "-un"});
  EXPECT_EQ(who.state, "succeeded");
  EXPECT_EQ(who.output, std::string(kAgentUser) + "\n");

  const pid_t agent = agent_pid();
  ASSERT_GT(agent, 0);
  const fs::path proc = "/proc/" + std::to_string(agent);
  const std::string environment = read_file(proc / "environ");
  EXPECT_EQ(environment.find(kSecret), std::string::npos) << environment;
  EXPECT_EQ(environment.find("BERTH_"), std::string::npos) << environment;
  // Only its own descriptors: none of berthd's files, sockets or pipes.
  const std::string data = berthd_->data_dir().string();
  for (const auto& entry : fs::directory_iterator(proc / "fd")) {
    std::error_code ec;
    const std::string target = fs::read_symlink(entry.path(), ec).string();
    EXPECT_FALSE(target.starts_with(data)) << entry.path() << " -> " << target;
    EXPECT_FALSE(target.starts_with(dir_.path().string())) << entry.path() << " -> " << target;
  }
  // Its state dir is its own and private (others reach only handover/ by name: Caddy may be
  // another user); berthd's data dir no longer holds one.
  ASSERT_FALSE(state_dir_.empty());
  EXPECT_EQ(owner_of(state_dir_), owner_of(proc));
  EXPECT_EQ(owner_of(fs::path(state_dir_) / "agent.json"), owner_of(proc));
  EXPECT_EQ(fs::status(state_dir_).permissions() & fs::perms::all,
            fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  EXPECT_FALSE(fs::exists(berthd_->data_dir() / "local-agent"));
}

TEST_F(LocalAgentAsItsOwnUser, AfterKillDashNineBerthdRestartsOnItsPortAndTheServerReturns) {
  const std::string server = local_server();
  ASSERT_FALSE(server.empty());
  const pid_t old_agent = agent_pid();
  ASSERT_GT(old_agent, 0);
  berthd_->send_signal(SIGKILL);
  ASSERT_TRUE(berthd_->wait_exit(10s).has_value());
  // At once: a port still held by an orphaned agent would make this throw.
  restart_berthd();
  wait_server_status(server, "online", 60s);
  const pid_t new_agent = agent_pid();
  EXPECT_GT(new_agent, 0);
  EXPECT_NE(new_agent, old_agent);
  // The old agent died with its berthd (PR_SET_PDEATHSIG) instead of lingering.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (running(old_agent) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE(running(old_agent)) << "the agent of the killed berthd still runs";
}

// An install from before the agent had its own user: its state in <data-dir>/local-agent,
// owned by root. The next start moves it to the agent's directory, hands it over, and the
// local server comes back as the same server.
TEST_F(LocalAgentAsItsOwnUser, AnOlderInstallsRootOwnedStateIsMovedAndHandedOver) {
  const std::string server = local_server();
  ASSERT_FALSE(server.empty());
  ASSERT_EQ(berthd_->stop(), 0);
  const fs::path old_dir = berthd_->data_dir() / "local-agent";
  fs::rename(state_dir_, old_dir);
  for (const auto& entry : fs::recursive_directory_iterator(old_dir)) {
    ASSERT_EQ(::lchown(entry.path().c_str(), 0, 0), 0);
  }
  ASSERT_EQ(::lchown(old_dir.c_str(), 0, 0), 0);

  restart_berthd();
  wait_server_status(server, "online", 60s);
  EXPECT_EQ(agent_state_dir(), state_dir_);
  EXPECT_FALSE(fs::exists(old_dir));
  const uid_t agent_uid = owner_of("/proc/" + std::to_string(agent_pid()));
  EXPECT_NE(agent_uid, 0U);
  for (const auto& entry : fs::recursive_directory_iterator(state_dir_)) {
    EXPECT_EQ(owner_of(entry.path()), agent_uid) << entry.path();
  }
  const Ran who = run(server, {"/usr/bin/id", "-un"});
  EXPECT_EQ(who.output, std::string(kAgentUser) + "\n");
}

}  // namespace
}  // namespace berth::testing
