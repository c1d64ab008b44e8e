// docker.* jobs against a fake Engine: argument refusals, Engine refusals, streams and status.
// The same kinds run against a real dockerd in docker_jobs_system_test.cpp.

#include "agent/host/docker_jobs.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "fake_engine.hpp"
#include "support/temp_dir.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;
using testing::FakeEngine;
using testing::SeenRequest;

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

struct Job {
  RecordingOutput output;
  std::atomic<bool> cancelled{false};
  JobOutcome run(const std::string& kind, json args, const std::string& socket) {
    JobContext context{.job_id = "job_1",
                       .kind = kind,
                       .args = std::move(args),
                       .timeout = std::chrono::milliseconds(30'000),
                       .output = output,
                       .cancelled = cancelled};
    return run_docker_job(context, socket);
  }
};

TEST(DockerJobs, KindsAreTheProtocolsDockerKinds) {
  EXPECT_EQ(docker_job_kinds(),
            (std::vector<std::string>{"docker.list", "docker.inspect", "docker.pull", "docker.run",
                                      "docker.stop", "docker.remove", "docker.logs", "docker.build",
                                      "docker.network", "docker.volume"}));
}

TEST(DockerJobs, BadArgumentsNeverReachTheEngine) {
  FakeEngine engine([](const SeenRequest&) { return FakeEngine::answer(200, "[]"); });
  Job job;
  for (const auto& [kind, args] : std::vector<std::pair<std::string, json>>{
           {"docker.inspect", {{"container", "../../info"}}},
           {"docker.run",
            {{"image", "berth-test/busybox:1"}, {"ports", {{{"container", 80}, {"host", 70000}}}}}},
           {"docker.pull", {{"image", "UPPER"}}},
           {"docker.list", {{"all", "yes"}}},
           {"docker.network", {{"action", "ensure"}, {"name", "../../info"}}},
           {"docker.volume", {{"action", "remove"}, {"name", "../containers/x"}}},
           {"docker.volume", {{"action", "prune"}, {"name", "data"}}},
           {"docker.run",
            {{"image", "berth-test/busybox:1"}, {"networks", {{{"name", "a?force=1"}}}}}}}) {
    const JobOutcome outcome = job.run(kind, args, engine.socket_path());
    EXPECT_EQ(outcome.status, "failed") << kind;
    EXPECT_EQ(outcome.error_code, "invalid_args") << kind;
  }
  EXPECT_TRUE(engine.requests().empty());
  EXPECT_EQ(job.run("docker.explode", json::object(), engine.socket_path()).error_code,
            "unknown_kind");
}

TEST(DockerJobs, MissingSocketFailsCleanly) {
  Job job;
  const JobOutcome outcome = job.run("docker.list", json::object(), "/nonexistent/docker.sock");
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_EQ(outcome.error_code, "docker_unreachable");
}

TEST(DockerJobs, EngineRefusalsCarryTheEnginesMessage) {
  FakeEngine engine([](const SeenRequest&) {
    return FakeEngine::answer(404, R"({"message":"No such container: web"})");
  });
  Job job;
  const JobOutcome outcome =
      job.run("docker.inspect", {{"container", "web"}}, engine.socket_path());
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_EQ(outcome.error_code, "docker_error");
  EXPECT_EQ(outcome.error_message, "No such container: web");
}

TEST(DockerJobs, LogsAreDemultiplexed) {
  FakeEngine engine([](const SeenRequest& request) {
    if (request.target.ends_with("/json")) {
      return FakeEngine::answer(200, R"({"Config":{"Tty":false}})");
    }
    const std::string out{1, 0, 0, 0, 0, 0, 0, 3};
    const std::string err{2, 0, 0, 0, 0, 0, 0, 4};
    return FakeEngine::chunked(200, {out + "hi\n" + err.substr(0, 5), err.substr(5) + "bad\n"});
  });
  Job job;
  const JobOutcome outcome =
      job.run("docker.logs", {{"container", "web"}, {"tail", 10}}, engine.socket_path());
  EXPECT_EQ(outcome.status, "succeeded") << outcome.error_message;
  EXPECT_EQ(job.output.out, "hi\n");
  EXPECT_EQ(job.output.err, "bad\n");
  EXPECT_EQ(engine.requests().back().target,
            "/v1.41/containers/web/logs?stdout=1&stderr=1&tail=10");
}

TEST(DockerJobs, PullReportsAnErrorInTheStream) {
  FakeEngine engine([](const SeenRequest&) {
    return FakeEngine::chunked(200, {R"({"status":"Pulling from team/app","id":"1"})"
                                     "\n",
                                     R"({"errorDetail":{"message":"denied"},"error":"denied"})"
                                     "\n"});
  });
  Job job;
  const JobOutcome outcome =
      job.run("docker.pull", {{"image", "registry.example/team/app"}}, engine.socket_path());
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_EQ(outcome.error_code, "docker_error");
  EXPECT_EQ(outcome.error_message, "denied");
  EXPECT_NE(job.output.out.find("Pulling from team/app"), std::string::npos);
  EXPECT_EQ(engine.requests()[0].target,
            "/v1.41/images/create?fromImage=registry.example%2Fteam%2Fapp&tag=latest");
}

TEST(DockerJobs, PullSucceedsWithTheDigestAndReportsTheImageId) {
  FakeEngine engine([](const SeenRequest& request) {
    if (request.target.ends_with("/json")) {  // the image inspect after the pull
      return FakeEngine::answer(200, R"({"Id":"sha256:1d"})");
    }
    return FakeEngine::chunked(200, {R"({"status":"Pulling from team/app","id":"1.2"})"
                                     "\n",
                                     R"({"status":"Digest: sha256:abcd"})"
                                     "\n",
                                     R"({"status":"Status: Downloaded newer image"})"
                                     "\n"});
  });
  Job job;
  const std::string digest = "sha256:" + std::string(64, 'f');
  const JobOutcome by_tag =
      job.run("docker.pull", {{"image", "team/app:1.2"}}, engine.socket_path());
  EXPECT_EQ(by_tag.status, "succeeded") << by_tag.error_message;
  EXPECT_EQ(by_tag.result, json::parse(R"({"image":"team/app:1.2","digest":"sha256:abcd",
                                           "image_id":"sha256:1d","pulled":true})"));
  const JobOutcome by_digest =
      job.run("docker.pull", {{"image", "team/app@" + digest}}, engine.socket_path());
  EXPECT_EQ(by_digest.status, "succeeded");
  EXPECT_EQ(engine.requests()[2].target,
            "/v1.41/images/create?fromImage=team%2Fapp&tag=sha256%3A" + std::string(64, 'f'));
}

TEST(DockerJobs, PullPolicyUsesTheLocalImageOrRefusesWithoutIt) {
  FakeEngine engine([](const SeenRequest& request) {
    if (request.target.find("/images/team/app:1.2/json") != std::string::npos) {
      return FakeEngine::answer(200, R"({"Id":"sha256:10ca1"})");
    }
    return FakeEngine::answer(404, R"({"message":"No such image"})");
  });
  Job job;
  const JobOutcome local = job.run("docker.pull", {{"image", "team/app:1.2"}, {"policy", "never"}},
                                   engine.socket_path());
  EXPECT_EQ(local.status, "succeeded") << local.error_message;
  EXPECT_EQ(local.result["image_id"], "sha256:10ca1");
  EXPECT_EQ(local.result["pulled"], false);
  const JobOutcome missing = job.run(
      "docker.pull", {{"image", "team/other:1"}, {"policy", "never"}}, engine.socket_path());
  EXPECT_EQ(missing.status, "failed");
  EXPECT_EQ(missing.error_code, "image_missing");
  for (const auto& request : engine.requests()) {
    EXPECT_EQ(request.target.find("/images/create"), std::string::npos) << request.target;
  }
  const JobOutcome bad = job.run(
      "docker.pull", {{"image", "team/app:1.2"}, {"policy", "sometimes"}}, engine.socket_path());
  EXPECT_EQ(bad.error_code, "invalid_args");
}

TEST(DockerJobs, RunCreatesThenStarts) {
  FakeEngine engine([](const SeenRequest& request) {
    if (request.target.ends_with("/start")) {
      return FakeEngine::answer(204, "");
    }
    if (request.target.ends_with("/json")) {
      return FakeEngine::answer(
          200, R"({"Name":"/web","NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"127.0.0.1",)"
               R"("HostPort":"32768"}],"81/tcp":null}}})");
    }
    return FakeEngine::answer(201, R"({"Id":"0123456789abcdef","Warnings":[]})");
  });
  Job job;
  const JobOutcome outcome = job.run(
      "docker.run",
      {{"image", "berth-test/busybox:1"}, {"ports", {{{"container", 80}, {"host_port", 0}}}}},
      engine.socket_path());
  EXPECT_EQ(outcome.status, "succeeded") << outcome.error_message;
  EXPECT_EQ(outcome.result,
            json::parse(R"({"id":"0123456789abcdef","container_id":"0123456789abcdef",)"
                        R"("name":"web","ports":[{"container_port":80,"host_ip":"127.0.0.1",)"
                        R"("host_port":32768}]})"));
  const auto seen = engine.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(json::parse(seen[0].body)["HostConfig"]["PortBindings"]["80/tcp"][0]["HostPort"], "");
  EXPECT_EQ(seen[0].target, "/v1.41/containers/create");
  EXPECT_EQ(json::parse(seen[0].body)["HostConfig"]["PortBindings"]["80/tcp"][0]["HostIp"],
            "127.0.0.1");
  EXPECT_EQ(seen[1].target, "/v1.41/containers/0123456789abcdef/start");
  EXPECT_NE(job.output.system.find("0123456789ab"), std::string::npos);
}

TEST(DockerJobs, RunRemovesAContainerThatWouldNotStart) {
  FakeEngine engine([](const SeenRequest& request) {
    if (request.target.starts_with("/v1.41/containers/create")) {
      return FakeEngine::answer(201, R"({"Id":"c0ffee","Warnings":[]})");
    }
    if (request.target.ends_with("/start")) {
      return FakeEngine::answer(500, R"({"message":"port is already allocated"})");
    }
    return FakeEngine::answer(204, "");
  });
  Job job;
  const JobOutcome outcome = job.run(
      "docker.run", {{"image", "berth-test/busybox:1"}, {"name", "web"}}, engine.socket_path());
  EXPECT_EQ(outcome.error_code, "docker_error");
  EXPECT_EQ(outcome.error_message, "port is already allocated");
  const auto seen = engine.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].target, "/v1.41/containers/create?name=web");
  EXPECT_EQ(json::parse(seen[0].body)["Image"], "berth-test/busybox:1");
  EXPECT_EQ(seen[2].method, "DELETE");
  EXPECT_EQ(seen[2].target, "/v1.41/containers/c0ffee?force=1");
}

TEST(DockerJobs, CancelEndsTheJobAsCanceled) {
  FakeEngine engine([](const SeenRequest&) { return std::string(); });  // never answers
  Job job;
  job.cancelled = true;
  const JobOutcome outcome = job.run("docker.list", json::object(), engine.socket_path());
  EXPECT_EQ(outcome.status, "canceled");
}

// Each follow holds an executor thread for up to an hour: past the cap a follow is refused at
// once, before any Engine call, while plain (non-follow) logs still run.
TEST(DockerJobs, FollowsPastTheCapAreRefused) {
  const auto logs_hang = [](const SeenRequest& request) {
    return request.target.ends_with("/json")
               ? FakeEngine::answer(200, R"({"Config":{"Tty":false}})")
               : std::string();  // the follow streams until cancelled
  };
  std::vector<std::unique_ptr<FakeEngine>> engines;
  std::vector<std::unique_ptr<Job>> jobs;
  std::vector<std::thread> threads;
  for (int i = 0; i < kMaxLogFollows; ++i) {
    engines.push_back(std::make_unique<FakeEngine>(logs_hang));
    jobs.push_back(std::make_unique<Job>());
    threads.emplace_back([job = jobs.back().get(), socket = engines.back()->socket_path()] {
      job->run("docker.logs", {{"container", "web"}, {"follow", true}}, socket);
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (const auto& engine : engines) {
    while (engine->requests().size() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(engine->requests().size(), 2U);
  }

  FakeEngine spare([](const SeenRequest& request) {
    return request.target.ends_with("/json")
               ? FakeEngine::answer(200, R"({"Config":{"Tty":false}})")
               : FakeEngine::chunked(200, {std::string{1, 0, 0, 0, 0, 0, 0, 3} + "hi\n"});
  });
  Job refused;
  const JobOutcome outcome =
      refused.run("docker.logs", {{"container", "web"}, {"follow", true}}, spare.socket_path());
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_EQ(outcome.error_code, "too_many_follows");
  EXPECT_TRUE(spare.requests().empty());
  Job plain;
  EXPECT_EQ(plain.run("docker.logs", {{"container", "web"}}, spare.socket_path()).status,
            "succeeded");

  for (auto& job : jobs) {
    job->cancelled = true;
  }
  for (auto& thread : threads) {
    thread.join();
  }
  Job again;  // the ended follows gave their places back
  EXPECT_EQ(again.run("docker.logs", {{"container", "web"}, {"follow", true}}, spare.socket_path())
                .status,
            "succeeded");
}

TEST(DockerStatus, MissingSocketIsOffline) {
  const json status = docker_status("/nonexistent/docker.sock");
  EXPECT_EQ(status["status"], "offline");
  EXPECT_FALSE(status["reason"].get<std::string>().empty());
  EXPECT_FALSE(status.contains("containers"));
}

TEST(DockerStatus, ASocketNobodyListensOnIsOffline) {
  berth::testing::TempDir dir;
  const std::string path = dir.file("dead.sock");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ::close(fd);  // the file stays; connecting is refused
  EXPECT_EQ(docker_status(path)["status"], "offline");
}

TEST(DockerStatus, OnlineWithVersionAndCounts) {
  FakeEngine engine([](const SeenRequest&) {
    return FakeEngine::answer(
        200, R"({"ServerVersion":"20.10.24+dfsg1","Containers":5,"ContainersRunning":3})");
  });
  EXPECT_EQ(docker_status(engine.socket_path()),
            json::parse(R"({"status":"online","version":"20.10.24+dfsg1",
                            "containers":{"running":3,"total":5}})"));
}

TEST(DockerStatus, ErrorsAndSilenceAreDegraded) {
  FakeEngine failing(
      [](const SeenRequest&) { return FakeEngine::answer(500, R"({"message":"disk full"})"); });
  EXPECT_EQ(docker_status(failing.socket_path()),
            json::parse(R"({"status":"degraded","reason":"disk full"})"));
  FakeEngine silent([](const SeenRequest&) { return std::string(); });
  EXPECT_EQ(docker_status(silent.socket_path())["status"], "degraded");
}

}  // namespace
}  // namespace berth::agent::host

namespace berth::agent::host {
namespace {

using nlohmann::json;
using testing::FakeEngine;
using testing::SeenRequest;

JobOutcome network_job(const json& args, const std::string& socket) {
  RecordingOutput output;
  std::atomic<bool> cancelled{false};
  JobContext context{.job_id = "job_net",
                     .kind = "docker.network",
                     .args = args,
                     .timeout = std::chrono::milliseconds(30'000),
                     .output = output,
                     .cancelled = cancelled};
  return run_docker_job(context, socket);
}

TEST(DockerNetworkJob, ANetworkFoundOnlyByIdPrefixIsNotThatNetwork) {
  // The Engine finds /networks/{x} by id prefix too: "ab" may be another network's id.
  FakeEngine engine([](const SeenRequest& request) {
    if (request.method == "GET") {
      return FakeEngine::answer(200, R"({"Id":"ab12","Name":"other"})");
    }
    return FakeEngine::answer(201, R"({"Id":"cd34"})");
  });
  const JobOutcome outcome =
      network_job({{"action", "ensure"}, {"name", "ab"}}, engine.socket_path());
  ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message;
  EXPECT_EQ(outcome.result["id"], "cd34");
  EXPECT_EQ(outcome.result["created"], true);
  const auto requests = engine.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/v1.41/networks/create");
  EXPECT_EQ(json::parse(requests[1].body)["Name"], "ab");
  EXPECT_EQ(json::parse(requests[1].body)["Driver"], "bridge");
}

TEST(DockerNetworkJob, ACreateThatLosesARaceUsesTheWinnersNetwork) {
  std::atomic<int> looks{0};
  FakeEngine engine([&looks](const SeenRequest& request) {
    if (request.method == "GET") {
      return looks++ == 0 ? FakeEngine::answer(404, R"({"message":"network p not found"})")
                          : FakeEngine::answer(200, R"({"Id":"ef56","Name":"p"})");
    }
    return FakeEngine::answer(409, R"({"message":"network with name p already exists"})");
  });
  const JobOutcome outcome =
      network_job({{"action", "ensure"}, {"name", "p"}}, engine.socket_path());
  ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message;
  EXPECT_EQ(outcome.result["id"], "ef56");
  EXPECT_EQ(outcome.result["created"], false);
}

TEST(DockerNetworkJob, RemoveOfANetworkInUseSaysSo) {
  FakeEngine engine([](const SeenRequest& request) {
    if (request.method == "GET") {
      return FakeEngine::answer(200, R"({"Id":"ab12","Name":"p"})");
    }
    return FakeEngine::answer(
        403, R"({"message":"error while removing network: network p has active endpoints"})");
  });
  const JobOutcome outcome =
      network_job({{"action", "remove"}, {"name", "p"}}, engine.socket_path());
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_EQ(outcome.error_code, "network_in_use");
  EXPECT_NE(outcome.error_message.find("active endpoints"), std::string::npos);
  EXPECT_EQ(engine.requests().back().target, "/v1.41/networks/ab12");
}

TEST(DockerNetworkJob, AFailedConnectRemovesTheCreatedContainerBeforeAnyStart) {
  FakeEngine engine([](const SeenRequest& request) {
    if (request.target.find("/containers/create") != std::string::npos) {
      return FakeEngine::answer(201, R"({"Id":"c0ffee"})");
    }
    if (request.target.find("/connect") != std::string::npos) {
      return FakeEngine::answer(404, R"({"message":"network q not found"})");
    }
    return FakeEngine::answer(204, "");
  });
  Job job;
  const JobOutcome outcome =
      job.run("docker.run",
              {{"image", "berth-test/busybox:1"},
               {"network_mode", "p"},
               {"networks", {{{"name", "p"}, {"aliases", {"db"}}}, {{"name", "q"}}}}},
              engine.socket_path());
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_EQ(outcome.error_code, "docker_error");
  EXPECT_NE(outcome.error_message.find("network q not found"), std::string::npos);
  const auto requests = engine.requests();
  ASSERT_EQ(requests.size(), 3u);
  const json create = json::parse(requests[0].body);
  EXPECT_EQ(create["HostConfig"]["NetworkMode"], "p");
  EXPECT_EQ(create["NetworkingConfig"]["EndpointsConfig"]["p"]["Aliases"], json({"db"}));
  EXPECT_EQ(requests[1].target, "/v1.41/networks/q/connect");
  EXPECT_EQ(json::parse(requests[1].body)["Container"], "c0ffee");
  EXPECT_EQ(requests[2].method, "DELETE");
  EXPECT_EQ(requests[2].target, "/v1.41/containers/c0ffee?force=1");
}

}  // namespace
}  // namespace berth::agent::host
