// What berthd hands the programs it starts: its sockets close on exec, and a berthd that is
// not root still runs its local agent (as its own user, with a warning) but refuses to pretend
// it can switch to another.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "integration/local_agent_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The inodes of the TCP sockets (v4 and v6) whose local port is `port`.
std::set<std::string> socket_inodes_on_port(std::uint16_t port) {
  std::set<std::string> inodes;
  char hex_port[8];
  std::snprintf(hex_port, sizeof hex_port, ":%04X", port);
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream lines(read_file(table));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (local.ends_with(hex_port)) {
        inodes.insert(inode);
      }
    }
  }
  return inodes;
}

// fd number -> whether it closes on exec, for berthd's sockets on its own port.
std::map<std::string, bool> berthd_port_sockets(pid_t pid, std::uint16_t port) {
  const auto inodes = socket_inodes_on_port(port);
  std::map<std::string, bool> out;
  const fs::path proc = "/proc/" + std::to_string(pid);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(proc / "fd", ec)) {
    const std::string target = fs::read_symlink(entry.path(), ec).string();
    if (!target.starts_with("socket:[") || !inodes.contains(target.substr(8, target.size() - 9))) {
      continue;
    }
    std::istringstream info(read_file(proc / "fdinfo" / entry.path().filename()));
    std::string key;
    std::string flags;
    while (info >> key >> flags && key != "flags:") {
    }
    out[entry.path().filename().string()] = (std::stoul(flags, nullptr, 8) & O_CLOEXEC) != 0;
  }
  return out;
}

TEST_F(BerthdTest, ItsListeningAndAcceptedSocketsCloseOnExec) {
  start();
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(client, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  // The listener and, once accepted, this connection's server side.
  std::map<std::string, bool> sockets;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((sockets = berthd_port_sockets(berthd_->pid(), port())).size() < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ::close(client);
  ASSERT_GE(sockets.size(), 2U);
  for (const auto& [fd, close_on_exec] : sockets) {
    EXPECT_TRUE(close_on_exec) << "berthd's socket fd " << fd << " would leak into a child";
  }
}

// Runs berthd as `nobody` when the test is root: the path every `make run` by a normal user
// takes.
class LocalAgentWithoutRoot : public LocalAgentTest {
 protected:
  void SetUp() override {
    if (::geteuid() == 0) {
      if (::access("/usr/bin/setpriv", X_OK) != 0) {
        GTEST_SKIP() << "running berthd as another user needs setpriv (util-linux)";
      }
      ASSERT_EQ(::chown(dir_.path().c_str(), 65534, 65534), 0);
      prefix_ = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
    }
  }
  BerthdOptions options(std::vector<std::string> args) const {
    BerthdOptions out;
    out.args = std::move(args);
    out.prefix = prefix_;
    return out;
  }
  std::vector<std::string> prefix_;
};

TEST_F(LocalAgentWithoutRoot, TheAgentRunsAsBerthdsUserAndBerthdWarns) {
  start_fleet(options({"--local-agent"}));
  const std::string server = local_server();
  ASSERT_FALSE(server.empty());
  const std::string berthd_uid = std::to_string(::geteuid() == 0 ? 65534 : ::geteuid());
  const Ran who = run(server, {"/usr/bin/id", "-u"});
  EXPECT_EQ(who.state, "succeeded");
  EXPECT_EQ(who.output, berthd_uid + "\n");
  EXPECT_NE(berthd_->log().find("local_agent.same_user"), std::string::npos) << berthd_->log();
  EXPECT_TRUE(fs::exists(berthd_->data_dir() / "local-agent" / "agent.json"));
}

TEST_F(LocalAgentWithoutRoot, AnotherUserNamedForTheAgentIsRefused) {
  try {
    start(options({"--local-agent", "--local-agent-user", "berth-someone-else"}));
    ADD_FAILURE() << "berthd started although it cannot switch to another user";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot switch users"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace berth::testing
