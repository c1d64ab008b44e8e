// `GET /api/v1/admin/doctor` with its failures staged for real (issue 17): berthd and a real
// agent on this machine, then Docker stopped (the agent's Docker socket refuses connections, as
// a stopped dockerd's does), Caddy stopped (the agent's Caddy killed) and a full disk (the data
// directory on a small tmpfs, filled), an agent whose clock reads two minutes ahead (the
// agent's BERTH_AGENT_CLOCK_OFFSET_MS: libfaketime crashes under AddressSanitizer) and the
// panel's name resolving elsewhere, or here without a certificate (`berthd doctor` inside a
// network namespace whose /etc/hosts says where panel.test is). Each must show as its check's
// error (or warning) with its fix.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "integration/fleet_fixture.hpp"
#include "integration/identity_client.hpp"
#include "system/acme_ca_fixture.hpp"
#include "system/caddy_fixture.hpp"
#include "system/docker_fixture.hpp"
#include "system/netns_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// A Unix socket file nobody listens on: connect() is refused, as after `systemctl stop docker`.
void make_dead_socket(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  ASSERT_LT(text.size(), sizeof(address.sun_path));
  std::copy(text.begin(), text.end(), address.sun_path);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ::close(fd);
}

class DoctorSystemTest : public FleetTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root (a tmpfs for the full disk, and the agent's Docker socket)";
    }
  }

  void TearDown() override {
    FleetTest::TearDown();
    berthd_.reset();  // off the tmpfs before it goes
    if (!tmpfs_.empty()) {
      ::umount2(tmpfs_.c_str(), MNT_DETACH);
    }
  }

  void sign_in() {
    admin_ = std::make_unique<IdentityClient>(port());
    ASSERT_EQ(admin_->login("admin@example.com", "a long admin password 1").status, 200);
  }

  // Polls the doctor until `name` has `status`; that check (the last one seen on timeout).
  json wait_check(const std::string& name, const std::string& status,
                  std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    json last;
    for (;;) {
      const HttpResponse doctor = admin_->get("/api/v1/admin/doctor");
      EXPECT_EQ(doctor.status, 200) << doctor.body;
      for (const auto& check : doctor.json().value("checks", json::array())) {
        if (check.value("name", "") == name) {
          last = check;
        }
      }
      if (last.value("status", "") == status || std::chrono::steady_clock::now() > deadline) {
        return last;
      }
      std::this_thread::sleep_for(200ms);
    }
  }

  // Enrols (once) and starts the agent "local" with `extra` flags; waits until it has said hello
  // and sent a heartbeat (online, or degraded when its Docker does not answer).
  std::string start_agent(std::vector<std::string> extra,
                          std::map<std::string, std::string> env = {}) {
    const fs::path state = agent_dir("local");
    if (server_id_.empty()) {
      server_id_ = enrol(state);
    }
    agents_.push_back(std::make_unique<AgentProcess>(state, std::vector<std::string>{},
                                                     std::move(extra), "", std::move(env)));
    wait_for("/api/v1/servers/" + server_id_, [](const json& s) {
      const auto status = s.value("status", "");
      return (status == "online" || status == "degraded") && !s["docker"].empty();
    });
    return server_id_;
  }

  std::unique_ptr<IdentityClient> admin_;
  fs::path tmpfs_;
  std::string server_id_;
};

TEST_F(DoctorSystemTest, DockerStoppedIsTheLocalRuntimesErrorWithItsFix) {
  start_fleet();
  sign_in();
  const fs::path dead = dir_.path() / "docker.sock";
  make_dead_socket(dead);
  start_agent({"--docker-socket", dead.string()});
  const json check = wait_check("local_runtime", "error");
  EXPECT_EQ(check["status"], "error") << check.dump();
  EXPECT_NE(check["detail"].get<std::string>().find("Docker on this machine"), std::string::npos)
      << check.dump();
  EXPECT_NE(check["fix"].get<std::string>().find("systemctl start docker"), std::string::npos)
      << check.dump();

  // Docker back (the machine's Engine): the check clears.
  const auto& engine = shared_docker_engine();
  if (!engine.ready) {
    std::cerr << "no Docker Engine to clear the check with: " << engine.reason << '\n';
    return;
  }
  agents_.back()->stop();
  start_agent({"--docker-socket", engine.socket_path});
  const json cleared = wait_check("local_runtime", "ok");
  EXPECT_EQ(cleared["status"], "ok") << cleared.dump();
}

TEST_F(DoctorSystemTest, CaddyStoppedIsTheLocalRuntimesErrorWithItsFix) {
  const auto& engine = shared_docker_engine();
  if (!engine.ready) {
    GTEST_SKIP() << engine.reason;
  }
  if (const auto reason = CaddyProcess::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  start_fleet();
  sign_in();
  auto caddy = std::make_unique<CaddyProcess>(dir_.path() / "caddy");
  const std::string server_id =
      start_agent({"--docker-socket", engine.socket_path, "--caddy-admin", caddy->admin_address()});
  // The agent routes through this Caddy once it has a table (the proxy settings apply one).
  const HttpResponse put = api(
      "PUT", "/api/v1/servers/" + server_id + "/proxy",
      {{"http_port", free_loopback_port()}, {"https_port", free_loopback_port()}, {"tls", "off"}});
  ASSERT_EQ(put.status, 200) << put.body;
  const json running = wait_check("local_runtime", "ok");
  EXPECT_EQ(running["status"], "ok") << running.dump();
  wait_for("/api/v1/servers/" + server_id, [](const json& s) {
    return s["docker"].value("caddy", json::object()).value("status", "") == "online";
  });

  caddy.reset();  // SIGTERM, then SIGKILL: Caddy is gone
  const json check = wait_check("local_runtime", "error");
  EXPECT_EQ(check["status"], "error") << check.dump();
  EXPECT_NE(check["detail"].get<std::string>().find("Caddy on this machine"), std::string::npos)
      << check.dump();
  EXPECT_NE(check["fix"].get<std::string>().find("Start Caddy"), std::string::npos) << check.dump();
}

TEST_F(DoctorSystemTest, AnAgentsClockTwoMinutesAheadIsAnErrorWithItsFix) {
  start_fleet();
  sign_in();
  const fs::path dead = dir_.path() / "docker.sock";
  make_dead_socket(dead);
  start_agent({"--docker-socket", dead.string()});
  const json in_step = wait_check("clock_skew", "ok");
  EXPECT_EQ(in_step["status"], "ok") << in_step.dump();
  EXPECT_NE(in_step["detail"].get<std::string>().find("1 agent(s)"), std::string::npos)
      << in_step.dump();

  // The same agent restarted on "a machine whose clock drifted" 120 s ahead: every time it
  // reads, and so every envelope's send time, is that far off.
  agents_.back()->stop();
  start_agent({"--docker-socket", dead.string()}, {{"BERTH_AGENT_CLOCK_OFFSET_MS", "120000"}});
  const json ahead = wait_check("clock_skew", "error");
  EXPECT_EQ(ahead["status"], "error") << ahead.dump();
  const std::string name = api("GET", "/api/v1/servers/" + server_id_).json().value("name", "");
  EXPECT_NE(ahead["detail"].get<std::string>().find(name + " (+12"), std::string::npos)
      << ahead.dump();
  EXPECT_NE(ahead["fix"].get<std::string>().find("timedatectl set-ntp true"), std::string::npos)
      << ahead.dump();
}

TEST_F(DoctorSystemTest, ThePanelsNameResolvingElsewhereOrServingNoCertificateIsReported) {
  if (const std::string reason = NetnsFixture::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  NetnsFixture ns;
  const fs::path data = dir_.path() / "data";
  // berthd doctor as the docs say to run it, inside the namespace with `hosts` as its
  // /etc/hosts; its report.
  const auto doctor = [&](const std::string& hosts) {
    const NetnsHosts placed(ns.name(), hosts);
    const fs::path out = dir_.path() / "doctor.out";
    fs::remove(out);
    const int status = run_process({"ip", "netns", "exec", ns.name(), BERTHD_PATH, "--data-dir",
                                    data.string(), "--public-url", "https://panel.test", "doctor"},
                                   {}, out.string());
    EXPECT_NE(status, 0) << "nothing serves panel.test: the doctor cannot be content";
    return read_file(out);
  };

  // The report's line of the public_url check ("<status> public_url <detail>").
  const auto public_url_line = [](const std::string& report) {
    std::istringstream lines(report);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" public_url ") != std::string::npos) {
        return line;
      }
    }
    return std::string();
  };

  const std::string elsewhere = doctor("192.0.2.99 panel.test\n");
  const std::string moved = public_url_line(elsewhere);
  EXPECT_TRUE(moved.starts_with("warning ")) << elsewhere;
  EXPECT_NE(moved.find("panel.test resolves to 192.0.2.99, none of this machine's addresses"),
            std::string::npos)
      << elsewhere;
  EXPECT_NE(elsewhere.find("fix: Point panel.test's A record at this machine"), std::string::npos)
      << elsewhere;

  const std::string here = doctor(ns.inside_address() + " panel.test\n");
  const std::string bare = public_url_line(here);
  EXPECT_TRUE(bare.starts_with("error ")) << here;
  EXPECT_NE(bare.find("panel.test resolves here, but its certificate on port 443 is not valid"),
            std::string::npos)
      << here;
  EXPECT_NE(here.find("fix: Open ports 80 and 443"), std::string::npos) << here;
}

TEST_F(DoctorSystemTest, AFullDataDiskIsAnErrorWithItsFix) {
  // 1200 MiB: free space above the doctor's 1 GiB floor while empty, under it after 300 MiB.
  tmpfs_ = dir_.path() / "small-disk";
  fs::create_directories(tmpfs_);
  if (::mount("tmpfs", tmpfs_.c_str(), "tmpfs", 0, "size=1200m,mode=0700") != 0) {
    tmpfs_.clear();
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  start_fleet({.data_dir = tmpfs_ / "data"});
  sign_in();
  const json roomy = wait_check("disk_space", "ok", 5s);
  EXPECT_EQ(roomy["status"], "ok") << roomy.dump();

  {
    std::ofstream filler(tmpfs_ / "filler", std::ios::binary);
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 300; ++i) {
      filler << block;
    }
  }
  const json full = wait_check("disk_space", "error", 5s);
  EXPECT_EQ(full["status"], "error") << full.dump();
  EXPECT_NE(full["detail"].get<std::string>().find((tmpfs_ / "data").string()), std::string::npos)
      << full.dump();
  EXPECT_FALSE(full["fix"].get<std::string>().empty());

  fs::remove(tmpfs_ / "filler");
  const json freed = wait_check("disk_space", "ok", 5s);
  EXPECT_EQ(freed["status"], "ok") << freed.dump();
}

}  // namespace
}  // namespace berth::testing
