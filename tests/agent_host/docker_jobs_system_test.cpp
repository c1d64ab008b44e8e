// Every docker.* job kind against a real Docker Engine (tests/system/docker_fixture.hpp) with
// the offline image berth-test/busybox:1. Containers are named berth-test-host-<pid>-… and
// removed at the end of each test, pass or fail.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "agent/host/docker_client.hpp"
#include "agent/host/docker_jobs.hpp"
#include "support/temp_dir.hpp"
#include "system/docker_fixture.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

class RecordingOutput : public JobOutput {
 public:
  void write(std::string_view stream, std::string_view text) override {
    std::lock_guard lock(mutex_);
    (stream == "stderr" ? err : stream == "system" ? system : out).append(text);
  }
  std::string out, err, system;

 private:
  std::mutex mutex_;
};

// GET / from 127.0.0.1:port; "" when nothing answers yet.
std::string fetch_page(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t got; (got = ::read(fd, buffer, sizeof(buffer))) > 0;) {
        reply.append(buffer, static_cast<std::size_t>(got));
      }
    }
  }
  ::close(fd);
  return reply;
}

class DockerJobsSystem : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& engine = berth::testing::shared_docker_engine();
    if (!engine.ready) {
      GTEST_SKIP() << "no Docker Engine for system tests: " << engine.reason;
    }
    socket_ = engine.socket_path;
  }

  void TearDown() override {
    DockerClient client(socket_);
    for (const auto& name : created_) {
      (void)client.request("DELETE", "/containers/" + name + "?force=1");
    }
  }

  std::string container_name(const std::string& role) {
    created_.push_back("berth-test-host-" + std::to_string(::getpid()) + "-" + role);
    return created_.back();
  }

  JobOutcome run(const std::string& kind, json args) {
    output_ = std::make_unique<RecordingOutput>();
    JobContext job{.job_id = "job_system",
                   .kind = kind,
                   .args = std::move(args),
                   .timeout = std::chrono::milliseconds(60'000),
                   .output = *output_,
                   .cancelled = cancelled_};
    return run_docker_job(job, socket_, work_.path().string());
  }

  // Polls docker.inspect until the container's State.Running is `running` (≤ 20 s).
  bool wait_running(const std::string& name, bool running) {
    const auto deadline = steady_clock::now() + std::chrono::seconds(20);
    while (steady_clock::now() < deadline) {
      const auto outcome = run("docker.inspect", {{"container", name}});
      if (outcome.status == "succeeded" &&
          outcome.result["container"]["State"]["Running"] == running) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  berth::testing::TempDir work_;
  std::string socket_;
  std::vector<std::string> created_;
  std::atomic<bool> cancelled_{false};
  std::unique_ptr<RecordingOutput> output_;
};

TEST_F(DockerJobsSystem, StatusIsOnline) {
  const json status = docker_status(socket_);
  EXPECT_EQ(status["status"], "online") << status.dump();
  EXPECT_FALSE(status["version"].get<std::string>().empty());
  EXPECT_TRUE(status["containers"]["total"].is_number_unsigned());
}

TEST_F(DockerJobsSystem, RunServesAPageThenListInspectStopRemove) {
  const std::string name = container_name("web");
  const int port = berth::testing::free_loopback_port();
  ASSERT_GT(port, 0);
  const JobOutcome started = run("docker.run", {{"image", berth::testing::kTestImage},
                                                {"name", name},
                                                {"cmd", {"httpd", "-f", "-p", "80", "-h", "/www"}},
                                                {"env", {{"BERTH_TEST", "1"}}},
                                                {"labels", {{"berth.test", "host"}}},
                                                {"ports", {{{"container", 80}, {"host", port}}}},
                                                {"restart", "no"}});
  ASSERT_EQ(started.status, "succeeded") << started.error_code << ": " << started.error_message;
  const std::string id = started.result["container_id"].get<std::string>();
  EXPECT_EQ(id.size(), 64u);

  std::string page;
  const auto deadline = steady_clock::now() + std::chrono::seconds(20);
  while (page.find("berth-test busybox") == std::string::npos && steady_clock::now() < deadline) {
    page = fetch_page(port);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(page.find("200 OK"), std::string::npos) << page;
  EXPECT_NE(page.find("berth-test busybox"), std::string::npos) << page;

  const JobOutcome listed = run("docker.list", json::object());
  ASSERT_EQ(listed.status, "succeeded") << listed.error_message;
  bool found = false;
  for (const auto& container : listed.result["containers"]) {
    found = found || container["Id"] == id;
  }
  EXPECT_TRUE(found) << listed.result.dump();

  const JobOutcome inspected = run("docker.inspect", {{"container", name}});
  ASSERT_EQ(inspected.status, "succeeded") << inspected.error_message;
  const json& container = inspected.result["container"];
  EXPECT_EQ(container["Id"], id);
  EXPECT_EQ(container["Name"], "/" + name);
  EXPECT_EQ(container["Config"]["Labels"]["berth.test"], "host");
  EXPECT_EQ(container["HostConfig"]["PortBindings"]["80/tcp"][0]["HostIp"], "127.0.0.1");

  const JobOutcome stopped = run("docker.stop", {{"container", name}, {"timeout_seconds", 1}});
  ASSERT_EQ(stopped.status, "succeeded") << stopped.error_message;
  EXPECT_TRUE(wait_running(name, false));
  EXPECT_EQ(run("docker.stop", {{"container", name}}).status, "succeeded");  // already stopped

  const JobOutcome all = run("docker.list", {{"all", true}});
  EXPECT_NE(all.result.dump().find(id), std::string::npos);

  const JobOutcome removed = run("docker.remove", {{"container", name}});
  ASSERT_EQ(removed.status, "succeeded") << removed.error_message;
  const JobOutcome gone = run("docker.inspect", {{"container", name}});
  EXPECT_EQ(gone.status, "failed");
  EXPECT_EQ(gone.error_code, "docker_error");
  EXPECT_NE(gone.error_message.find("No such container"), std::string::npos) << gone.error_message;
}

TEST_F(DockerJobsSystem, LogsSeparateStdoutFromStderr) {
  const std::string name = container_name("logs");
  const JobOutcome started =
      run("docker.run", {{"image", berth::testing::kTestImage},
                         {"name", name},
                         {"cmd", {"sh", "-c", "echo one; echo two >&2; echo three"}}});
  ASSERT_EQ(started.status, "succeeded") << started.error_message;
  ASSERT_TRUE(wait_running(name, false));

  const JobOutcome logs = run("docker.logs", {{"container", name}});
  ASSERT_EQ(logs.status, "succeeded") << logs.error_message;
  EXPECT_EQ(output_->out, "one\nthree\n");
  EXPECT_EQ(output_->err, "two\n");

  const JobOutcome tail = run("docker.logs", {{"container", name}, {"tail", 1}});
  ASSERT_EQ(tail.status, "succeeded") << tail.error_message;
  // stdout and stderr are separate pipes, so which line is last is up to the Engine's timing.
  const std::string last = output_->out + output_->err;
  EXPECT_TRUE(last == "three\n" || last == "two\n") << last;

  const JobOutcome removed = run("docker.remove", {{"container", name}, {"force", true}});
  EXPECT_EQ(removed.status, "succeeded") << removed.error_message;
}

TEST_F(DockerJobsSystem, PullWithoutARegistryFailsCleanly) {
  const JobOutcome pulled = run("docker.pull", {{"image", "berth-test/not-in-any-registry:1"}});
  EXPECT_EQ(pulled.status, "failed");
  EXPECT_EQ(pulled.error_code, "docker_error");
  EXPECT_FALSE(pulled.error_message.empty());
}

TEST_F(DockerJobsSystem, EngineRefusalsAreDockerErrors) {
  const JobOutcome no_image =
      run("docker.run", {{"image", "berth-test/absent:1"}, {"name", container_name("absent")}});
  EXPECT_EQ(no_image.error_code, "docker_error");
  EXPECT_NE(no_image.error_message.find("No such image"), std::string::npos)
      << no_image.error_message;

  const std::string missing = "berth-test-host-never-created";
  EXPECT_EQ(run("docker.stop", {{"container", missing}}).error_code, "docker_error");
  EXPECT_EQ(run("docker.remove", {{"container", missing}}).error_code, "docker_error");
  EXPECT_EQ(run("docker.logs", {{"container", missing}}).error_code, "docker_error");
}

TEST_F(DockerJobsSystem, RunWithATakenNameLeavesTheFirstContainerAlone) {
  const std::string name = container_name("twice");
  const json args = {
      {"image", berth::testing::kTestImage}, {"name", name}, {"cmd", {"sleep", "30"}}};
  const JobOutcome first = run("docker.run", args);
  ASSERT_EQ(first.status, "succeeded") << first.error_message;
  const JobOutcome second = run("docker.run", args);
  EXPECT_EQ(second.error_code, "docker_error");
  EXPECT_NE(second.error_message.find("already in use"), std::string::npos) << second.error_message;
  EXPECT_TRUE(wait_running(name, true));
}

TEST_F(DockerJobsSystem, BuildsAnImageFromAContextAndRunsItOnAnEnginePort) {
  const auto context = work_.path() / "app";
  std::filesystem::create_directories(context / ".git");
  std::filesystem::create_directories(context / "docker");
  std::ofstream(context / ".git" / "config") << "history stays out of the image\n";
  std::ofstream(context / "hello.txt") << "hello\n";
  std::ofstream(context / "docker" / "Dockerfile")
      << "FROM " << berth::testing::kTestImage << "\nARG GREETING\nCOPY . /ctx/\n"
      << "RUN echo \"$GREETING\" > /greeting\n";
  const std::string tag = "berth-test/build-" + std::to_string(::getpid()) + ":1";
  const JobOutcome built = run("docker.build", {{"context_dir", context.string()},
                                                {"dockerfile", "docker/Dockerfile"},
                                                {"tag", tag},
                                                {"build_args", {{"GREETING", "hi; $(id) `id`"}}},
                                                {"labels", {{"berth.test", "1"}}}});
  ASSERT_EQ(built.status, "succeeded") << built.error_message << "\n" << output_->out;
  EXPECT_TRUE(built.result["image_id"].get<std::string>().starts_with("sha256:"));
  EXPECT_EQ(built.result["tag"], tag);
  EXPECT_NE(output_->out.find("Step 1/"), std::string::npos) << output_->out;

  const std::string name = container_name("built");
  const JobOutcome started =
      run("docker.run", {{"image", tag},
                         {"name", name},
                         {"cmd", {"sh", "-c", "cat /greeting; ls -a /ctx; sleep 1; echo end"}},
                         {"ports", {{{"container", 8080}, {"host_port", 0}}}}});
  ASSERT_EQ(started.status, "succeeded") << started.error_message;
  EXPECT_EQ(started.result["name"], name);
  ASSERT_EQ(started.result["ports"].size(), 1u) << started.result.dump();
  EXPECT_EQ(started.result["ports"][0]["host_ip"], "127.0.0.1");
  EXPECT_GT(started.result["ports"][0]["host_port"].get<int>(), 0);

  // Following ends when the container does.
  const JobOutcome followed = run("docker.logs", {{"container", name}, {"follow", true}});
  ASSERT_EQ(followed.status, "succeeded") << followed.error_message;
  EXPECT_EQ(followed.result["ended"], "stopped");
  EXPECT_NE(output_->out.find("hi; $(id) `id`\n"), std::string::npos) << output_->out;
  EXPECT_NE(output_->out.find("hello.txt"), std::string::npos);
  EXPECT_EQ(output_->out.find(".git"), std::string::npos) << output_->out;
  EXPECT_NE(output_->out.find("end\n"), std::string::npos);

  (void)run("docker.remove", {{"container", name}, {"force", true}});
  DockerClient client(socket_);
  (void)client.request("DELETE", "/images/" + tag + "?force=1");
}

TEST_F(DockerJobsSystem, AFailingBuildStepFailsTheJobWithItsMessage) {
  const auto context = work_.path() / "broken";
  std::filesystem::create_directories(context);
  std::ofstream(context / "Dockerfile")
      << "FROM " << berth::testing::kTestImage << "\nRUN echo building; exit 3\n";
  const JobOutcome built =
      run("docker.build", {{"context_dir", context.string()}, {"tag", "berth-test/broken:1"}});
  EXPECT_EQ(built.status, "failed");
  EXPECT_EQ(built.error_code, "build_failed");
  EXPECT_NE(built.error_message.find("3"), std::string::npos) << built.error_message;
  EXPECT_NE(output_->out.find("building"), std::string::npos) << output_->out;
}

}  // namespace
}  // namespace berth::agent::host
