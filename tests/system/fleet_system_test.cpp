// The fleet against real parts: an agent inside a network namespace whose link goes down,
// SSH adoption of a server running sshd in its own namespace, and docker.* jobs through
// berthd against a real dockerd. Each skips with its reason when the part cannot start.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/cli_runner.hpp"
#include "integration/fleet_fixture.hpp"
#include "system/docker_fixture.hpp"
#include "system/netns_fixture.hpp"
#include "system/sshd_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The agent inside `netns` dials berthd at the host side of the veth pair.
class NamespacedFleetTest : public FleetTest {
 protected:
  void SetUp() override {
    if (const std::string reason = NetnsFixture::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    netns_ = std::make_unique<NetnsFixture>();
    BerthdOptions options;
    // Reachable from the namespace; the tests talk to it over loopback. The agent enrols over
    // plain http to the test's own veth address.
    options.listen = "0.0.0.0:0";
    options.args = {"--allow-insecure-enrolment"};
    start_fleet(options);
  }
  void TearDown() override {
    FleetTest::TearDown();
    agents_.clear();
    netns_.reset();
  }
  std::string namespace_url() const {
    return "http://" + netns_->host_address() + ":" + std::to_string(port());
  }
  std::vector<std::string> inside() const {
    return {"/usr/sbin/ip", "netns", "exec", netns_->name()};
  }

  // A job that prints a line every 200 ms for `seconds`, then the outage test's verdict.
  void survives_outage(std::chrono::seconds outage) {
    const std::string server_id = connect_agent("agent-ns", inside(), {}, namespace_url());
    const int lines = 50;
    const std::string job_id =
        submit(server_id, {{"kind", "exec"},
                           {"args",
                            {{"argv",
                              {"/bin/sh", "-c",
                               "i=1; while [ $i -le 50 ]; do echo line $i; i=$((i+1)); "
                               "sleep 0.2; done"}}}},
                           {"timeout_ms", 600000}});
    wait_job_state(job_id, "running");
    netns_->link_down();
    wait_server_status(server_id, "offline", 10s);
    std::this_thread::sleep_for(outage);
    netns_->link_up();
    // Backoff is capped at 30 s: it comes back by itself within that and a little.
    wait_server_status(server_id, "online", 45s);
    wait_job_state(job_id, "succeeded", 45s);
    std::string expected;
    for (int i = 1; i <= lines; ++i) {
      expected += "line " + std::to_string(i) + "\n";
    }
    EXPECT_EQ(sse_output_text(read_stream("/api/v1/jobs/" + job_id + "/output")), expected);
  }

  std::unique_ptr<NetnsFixture> netns_;
};

TEST_F(NamespacedFleetTest, AgentComesBackAfterAFiveSecondLinkLoss) { survives_outage(5s); }

TEST_F(NamespacedFleetTest, AgentComesBackAfterASixtySecondLinkLoss) { survives_outage(60s); }

class AdoptionTest : public FleetTest {
 protected:
  void SetUp() override {
    if (const std::string reason = SshdFixture::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    netns_ = std::make_unique<NetnsFixture>();
    sshd_ = std::make_unique<SshdFixture>(*netns_);
    BerthdOptions options;
    options.listen = "0.0.0.0:0";
    start_fleet(options);
    restart_berthd_with_public_url();
    // The adopted agent runs as the sshd fixture's user: give it a directory of its own.
    install_root_ = std::filesystem::path("/tmp") / ("berth-adopt-" + std::to_string(::getpid()));
    std::filesystem::remove_all(install_root_);
    std::filesystem::create_directories(install_root_);
    ASSERT_EQ(::chown(install_root_.c_str(), sshd_->user_uid(), sshd_->user_gid()), 0);
  }
  void TearDown() override {
    FleetTest::TearDown();
    sshd_.reset();
    netns_.reset();
    std::filesystem::remove_all(install_root_);
  }
  // The public URL must be the address the namespace reaches berthd at; it is known only
  // once the port is, so berthd is restarted with it (same port, same data).
  void restart_berthd_with_public_url() {
    berthd_->stop();
    restart_args_ = {"--public-url",
                     "http://" + netns_->host_address() + ":" + std::to_string(fixed_port_),
                     "--allow-insecure-enrolment"};
    restart_berthd();
  }
  json adopt(const std::string& name, const json& auth) {
    const HttpResponse started = api("POST", "/api/v1/servers",
                                     {{"name", name},
                                      {"host", sshd_->address()},
                                      {"port", 22},
                                      {"username", SshdFixture::kUser},
                                      {"auth", auth},
                                      {"install_dir", (install_root_ / name).string()}});
    EXPECT_EQ(started.status, 202) << started.body;
    return started.json();
  }

  std::unique_ptr<NetnsFixture> netns_;
  std::unique_ptr<SshdFixture> sshd_;
  std::filesystem::path install_root_;
};

TEST_F(AdoptionTest, PasswordAdoptionEnrolsTheAgentAndJobsRunThroughIt) {
  const json started = adopt("ssh-1", {{"password", sshd_->password()}});
  const std::string server_id = started["server"]["id"];
  const std::string job_id = started["job"]["id"];
  EXPECT_EQ(started["server"]["status"], "adopting");
  const json job = wait_job_state(job_id, "succeeded", 60s);
  EXPECT_EQ(job["result"]["host_key"], sshd_->host_key_fingerprint());
  const std::string progress = sse_output_text(read_stream("/api/v1/jobs/" + job_id + "/output"));
  EXPECT_EQ(progress.find(sshd_->password()), std::string::npos);  // never echoed
  const json server = wait_server_status(server_id, "online", 30s);
  EXPECT_EQ(server["ssh"]["host_key"], sshd_->host_key_fingerprint());
  EXPECT_FALSE(server["ssh"]["credentials_kept"].get<bool>());

  const std::string run =
      submit(server_id, {{"kind", "exec"}, {"args", {{"argv", {"/usr/bin/id", "-un"}}}}});
  wait_job_state(run, "succeeded");
  EXPECT_EQ(sse_output_text(read_stream("/api/v1/jobs/" + run + "/output")),
            std::string(SshdFixture::kUser) + "\n");
}

TEST_F(AdoptionTest, KeyAdoptionWorksAndAChangedHostKeyIsRefusedLater) {
  const json started = adopt("ssh-key", {{"private_key", sshd_->private_key()}});
  const std::string server_id = started["server"]["id"];
  wait_job_state(started["job"]["id"], "succeeded", 60s);
  wait_server_status(server_id, "online", 30s);

  sshd_->change_host_key();
  const HttpResponse again = api("POST", "/api/v1/servers/" + server_id + "/adopt",
                                 {{"auth", {{"private_key", sshd_->private_key()}}}});
  ASSERT_EQ(again.status, 202) << again.body;
  const json refused = wait_job_state(again.json()["job"]["id"], "failed", 60s);
  EXPECT_EQ(refused["error"]["code"], "host_key_changed") << refused.dump();
  EXPECT_EQ(api("GET", "/api/v1/servers/" + server_id).json()["status"], "adoption_failed");
}

TEST_F(AdoptionTest, TheHostKeyIsShownBeforeAdoptionAndAnyOtherKeyIsRefused) {
  const HttpResponse probed =
      api("POST", "/api/v1/servers/ssh-host-key", {{"host", sshd_->address()}, {"port", 22}});
  ASSERT_EQ(probed.status, 200) << probed.body;
  const std::string confirmed = probed.json()["host_key"];
  EXPECT_EQ(confirmed, sshd_->host_key_fingerprint());
  EXPECT_EQ(probed.json()["host_key_type"], "ssh-ed25519");

  // The confirmed key is the one the adoption finds: it goes through.
  json started = api("POST", "/api/v1/servers",
                     {{"name", "ssh-confirmed"},
                      {"host", sshd_->address()},
                      {"username", SshdFixture::kUser},
                      {"auth", {{"password", sshd_->password()}}},
                      {"host_key", confirmed},
                      {"install_dir", (install_root_ / "ssh-confirmed").string()}})
                     .json();
  wait_job_state(started["job"]["id"], "succeeded", 60s);
  EXPECT_EQ(api("GET", "/api/v1/servers/" + started["server"]["id"].get<std::string>())
                .json()["ssh"]["host_key"],
            confirmed);

  // The machine changed between the look and the adoption: refused before signing in.
  sshd_->change_host_key();
  const std::size_t log_before = sshd_->log().size();
  started = api("POST", "/api/v1/servers",
                {{"name", "ssh-impostor"},
                 {"host", sshd_->address()},
                 {"username", SshdFixture::kUser},
                 {"auth", {{"password", sshd_->password()}}},
                 {"host_key", confirmed},
                 {"install_dir", (install_root_ / "ssh-impostor").string()}})
                .json();
  const json refused = wait_job_state(started["job"]["id"], "failed", 60s);
  EXPECT_EQ(refused["error"]["code"], "host_key_changed") << refused.dump();
  EXPECT_EQ(refused["result"]["details"]["actual"], sshd_->host_key_fingerprint());
  const std::string log_after = sshd_->log().substr(log_before);
  EXPECT_EQ(log_after.find("password"), std::string::npos) << log_after;

  // Nothing listens: a clear 503, quickly.
  const HttpResponse nobody =
      api("POST", "/api/v1/servers/ssh-host-key", {{"host", sshd_->address()}, {"port", 2}});
  EXPECT_EQ(nobody.status, 503) << nobody.body;
  EXPECT_EQ(nobody.json()["error"]["code"], "ssh_unreachable");
  EXPECT_EQ(api("POST", "/api/v1/servers/ssh-host-key", {{"host", "a b"}}).status, 400);
}

// What a person does: `berth servers add` shows the key before any credential leaves, and
// the adoption goes through once they say yes.
TEST_F(AdoptionTest, TheCliShowsTheHostKeyForConfirmationBeforeAdopting) {
  const std::map<std::string, std::string> env = {
      {"BERTH_URL", "http://127.0.0.1:" + std::to_string(port())}, {"BERTH_TOKEN", api_key_}};
  const std::string key_file = (dir_.path() / "id_ed25519").string();
  { std::ofstream(key_file) << sshd_->private_key(); }
  const std::string target = std::string(SshdFixture::kUser) + "@" + sshd_->address();

  // Off a terminal without --yes/--host-key: the key is shown, nothing is adopted.
  const CliRun unconfirmed =
      run_cli(dir_.path(), {"servers", "add", "--ssh", target, "--key", key_file}, env);
  EXPECT_EQ(unconfirmed.exit, 2) << unconfirmed.err;
  EXPECT_NE(unconfirmed.err.find(sshd_->host_key_fingerprint()), std::string::npos)
      << unconfirmed.err;
  // A different expected key: refused before signing in.
  const CliRun mismatch =
      run_cli(dir_.path(),
              {"servers", "add", "--ssh", target, "--key", key_file, "--host-key",
               "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
              env);
  EXPECT_EQ(mismatch.exit, 1) << mismatch.err;
  EXPECT_NE(mismatch.err.find("not adopted"), std::string::npos) << mismatch.err;
  EXPECT_EQ(api("GET", "/api/v1/servers").json()["data"].size(), 0U);

  // On a terminal: the key is shown with the question; "y" adopts.
  const CliRun adopted =
      run_cli_on_terminal(dir_.path(),
                          {"servers", "add", "--ssh", target, "--key", key_file, "--name", "by-cli",
                           "--install-dir", (install_root_ / "by-cli").string()},
                          {{"Adopt it? [y/N]", "y"}}, 90s, env);
  EXPECT_EQ(adopted.exit, 0) << adopted.out;
  EXPECT_NE(adopted.out.find(sshd_->host_key_fingerprint()), std::string::npos) << adopted.out;
  EXPECT_LT(adopted.out.find(sshd_->host_key_fingerprint()), adopted.out.find("Adopting"))
      << adopted.out;
  const json listed = api("GET", "/api/v1/servers").json();
  ASSERT_EQ(listed["data"].size(), 1U) << listed.dump();
  EXPECT_EQ(listed["data"][0]["ssh"]["host_key"], sshd_->host_key_fingerprint());
}

TEST_F(AdoptionTest, WrongPasswordFailsTheAdoptionJob) {
  const json started = adopt("ssh-bad", {{"password", "not the password"}});
  const json job = wait_job_state(started["job"]["id"], "failed", 60s);
  EXPECT_EQ(job["error"]["code"], "ssh_auth_failed");
  EXPECT_EQ(api("POST", "/api/v1/servers",
                {{"name", "x"}, {"host", "a b"}, {"username", "u"}, {"auth", {{"password", "p"}}}})
                .status,
            400);
}

class InstallCommandTest : public FleetTest {};

// What a user does: paste the install command berthd printed, as root, on the server. The
// script's install and state folders are pointed at a temporary directory.
TEST_F(InstallCommandTest, ThePrintedCommandInstallsEnrolsAndStartsTheAgent) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "the install script needs root";
  }
  if (!std::filesystem::exists("/usr/bin/curl")) {
    GTEST_SKIP() << "curl is not installed";
  }
  start_fleet();
  const HttpResponse minted = api("POST", "/api/v1/servers/install-tokens", json::object());
  ASSERT_EQ(minted.status, 201);
  std::string command = minted.json()["install_command"];
  command.replace(command.find("sudo "), 5, "");  // already root; sudo may be absent
  const auto bin = dir_.path() / "bin";
  const auto state = dir_.path() / "state";
  // The one place a test runs a shell: the command is meant for one.
  const pid_t pid = spawn_process("/bin/sh", {"-c", command},
                                  {{"BERTH_AGENT_BIN_DIR", bin.string()},
                                   {"BERTH_AGENT_STATE_DIR", state.string()},
                                   {"BERTH_AGENT_NO_SYSTEMD", "1"}},
                                  dir_.path() / "install.log");
  ASSERT_EQ(wait_for_exit(pid, 60s), 0) << read_file(dir_.path() / "install.log");
  EXPECT_TRUE(std::filesystem::exists(bin / "berth-agent"));
  const std::string server_id = json::parse(read_file(state / "agent.json"))["server_id"];
  const std::string agent_pid = read_file(state / "agent.pid");
  wait_server_status(server_id, "online", 30s);
  ASSERT_FALSE(agent_pid.empty());
  ::kill(std::stoi(agent_pid), SIGTERM);
  wait_server_status(server_id, "offline", 30s);
}

class DockerFleetTest : public FleetTest {};

TEST_F(DockerFleetTest, DockerJobsRunContainersOnTheServer) {
  const DockerEngine& engine = shared_docker_engine();
  if (!engine.ready) {
    GTEST_SKIP() << engine.reason;
  }
  start_fleet();
  const std::string server_id =
      connect_agent("agent-docker", {}, {"--docker-socket", engine.socket_path});
  wait_for("/api/v1/servers/" + server_id,
           [](const json& s) { return s["docker"].value("status", "") == "online"; });
  const std::string name = "berth-test-fleet-" + std::to_string(::getpid());
  const int host_port = free_loopback_port();
  const std::string run =
      submit(server_id,
             {{"kind", "docker.run"},
              {"args",
               {{"image", kTestImage},
                {"name", name},
                {"cmd", {"httpd", "-f", "-p", "80", "-h", "/"}},
                {"ports", {{{"container", 80}, {"host", host_port}, {"host_ip", "127.0.0.1"}}}}}}});
  const json started = wait_job_state(run, "succeeded", 60s);
  EXPECT_FALSE(started["result"].value("container_id", "").empty()) << started.dump();

  const std::string list = submit(server_id, {{"kind", "docker.list"}, {"args", {{"all", true}}}});
  const json listed = wait_job_state(list, "succeeded", 30s);
  EXPECT_NE(listed["result"].dump().find(name), std::string::npos);

  const std::string stop = submit(
      server_id, {{"kind", "docker.remove"}, {"args", {{"container", name}, {"force", true}}}});
  wait_job_state(stop, "succeeded", 30s);
  const std::string pull = submit(
      server_id, {{"kind", "docker.pull"}, {"args", {{"image", "no-such-registry.invalid/x:1"}}}});
  const json pulled = wait_job_state(pull, "failed", 60s);
  EXPECT_FALSE(pulled["error"].is_null());
}

}  // namespace
}  // namespace berth::testing
