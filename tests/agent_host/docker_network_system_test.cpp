// docker.network and docker.run's `networks` on the real dockerd, as a managed service and a
// linked app use them: PostgreSQL (the offline berth-test/postgres:15) only on a project
// network with the alias "db" and a named volume, an app container on the default bridge and
// that network reaching it by name with the credentials, and a container outside the network
// that cannot. Everything is named berth-test-net-<pid>-… and removed at the end, pass or fail.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "agent/host/docker_client.hpp"
#include "agent/host/docker_jobs.hpp"
#include "agent_host/collected_output.hpp"
#include "system/docker_fixture.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

class DockerNetworkSystem : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& engine = berth::testing::shared_docker_engine();
    if (!engine.ready) {
      GTEST_SKIP() << "no Docker Engine for system tests: " << engine.reason;
    }
    if (::geteuid() != 0) {
      GTEST_SKIP() << "the service images need root to build";
    }
    socket_ = engine.socket_path;
    ASSERT_EQ(berth::testing::shared_service_images(), "");
  }

  void TearDown() override {
    DockerClient client(socket_);
    for (const auto& name : containers_) {
      (void)client.request("DELETE", "/containers/" + name + "?force=1&v=1");
    }
    (void)client.request("DELETE", "/networks/" + network_);
    (void)client.request("DELETE", "/volumes/" + volume_ + "?force=1");
  }

  std::string container(const std::string& role) {
    containers_.push_back(prefix_ + "-" + role);
    return containers_.back();
  }

  JobOutcome run(const std::string& kind, json args) {
    output_ = std::make_unique<CollectedOutput>();
    JobContext job{.job_id = "job_network",
                   .kind = kind,
                   .args = std::move(args),
                   .timeout = std::chrono::milliseconds(60'000),
                   .output = *output_,
                   .cancelled = cancelled_};
    return run_docker_job(job, socket_);
  }

  // Waits (≤ 120 s) for the container to exit; its exit code, -1 at the deadline.
  int wait_exit(const std::string& name) {
    const auto deadline = steady_clock::now() + std::chrono::seconds(120);
    while (steady_clock::now() < deadline) {
      const auto outcome = run("docker.inspect", {{"container", name}});
      if (outcome.status == "succeeded" &&
          outcome.result["container"]["State"]["Running"] == false) {
        return outcome.result["container"]["State"]["ExitCode"].get<int>();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return -1;
  }

  std::string logs(const std::string& name) {
    (void)run("docker.logs", {{"container", name}});
    return output_->all;
  }

  std::string socket_;
  const std::string prefix_ = "berth-test-net-" + std::to_string(::getpid());
  const std::string network_ = prefix_ + "-project";
  const std::string volume_ = prefix_ + "-pgdata";
  std::vector<std::string> containers_;
  std::atomic<bool> cancelled_{false};
  std::unique_ptr<CollectedOutput> output_;
};

// What a linked app runs: its DATABASE_URL, tried until the server answers (it may still be
// initializing), then one query. A fixed script; the URL comes from the environment.
const json kAppCommand = {
    "bash", "-c",
    "for i in $(seq 120); do psql \"$DATABASE_URL\" -tAc \"SELECT 'reached ' || "
    "current_database()\" && exit 0; sleep 0.5; done; exit 1"};

TEST_F(DockerNetworkSystem, ALinkedAppReachesPostgresByNameOnlyThroughTheProjectNetwork) {
  const JobOutcome ensured =
      run("docker.network",
          {{"action", "ensure"}, {"name", network_}, {"labels", {{"berth.test", "network"}}}});
  ASSERT_EQ(ensured.status, "succeeded") << ensured.error_code << ": " << ensured.error_message;
  EXPECT_EQ(ensured.result["created"], true);
  const JobOutcome again = run("docker.network", {{"action", "ensure"}, {"name", network_}});
  ASSERT_EQ(again.status, "succeeded") << again.error_message;
  EXPECT_EQ(again.result["created"], false);
  EXPECT_EQ(again.result["id"], ensured.result["id"]);

  const std::string service = container("postgres");
  const JobOutcome started =
      run("docker.run",
          {{"image", berth::testing::kPostgresImage},
           {"name", service},
           {"env",
            {{"POSTGRES_PASSWORD", "pw-1 'x'"}, {"POSTGRES_USER", "app"}, {"POSTGRES_DB", "shop"}}},
           {"volumes", {{{"source", volume_}, {"target", "/var/lib/postgresql/data"}}}},
           {"memory_bytes", 512 * 1024 * 1024},
           {"network_mode", network_},
           {"networks", {{{"name", network_}, {"aliases", {"db"}}}}}});
  ASSERT_EQ(started.status, "succeeded") << started.error_code << ": " << started.error_message;
  EXPECT_TRUE(started.result["ports"].empty());  // nothing published
  const JobOutcome inspected = run("docker.inspect", {{"container", service}});
  ASSERT_EQ(inspected.status, "succeeded");
  const json& networks = inspected.result["container"]["NetworkSettings"]["Networks"];
  EXPECT_EQ(networks.size(), 1u) << networks.dump();
  EXPECT_TRUE(networks.contains(network_)) << networks.dump();

  // The app keeps the default bridge (where its published port would be) and joins the network.
  const std::string app = container("app");
  const JobOutcome linked = run(
      "docker.run", {{"image", berth::testing::kPostgresImage},
                     {"name", app},
                     {"cmd", kAppCommand},
                     {"env", {{"DATABASE_URL", "postgresql://app:pw-1%20%27x%27@db:5432/shop"}}},
                     {"networks", {{{"name", network_}}}}});
  ASSERT_EQ(linked.status, "succeeded") << linked.error_code << ": " << linked.error_message;
  const JobOutcome app_view = run("docker.inspect", {{"container", app}});
  const json& app_networks = app_view.result["container"]["NetworkSettings"]["Networks"];
  EXPECT_TRUE(app_networks.contains("bridge")) << app_networks.dump();
  EXPECT_TRUE(app_networks.contains(network_)) << app_networks.dump();
  EXPECT_EQ(wait_exit(app), 0) << logs(app);
  EXPECT_NE(logs(app).find("reached shop"), std::string::npos);

  // A container outside the project network does not even find the name.
  const std::string outsider = container("outsider");
  const JobOutcome outside = run("docker.run", {{"image", berth::testing::kPostgresImage},
                                                {"name", outsider},
                                                {"cmd", {"getent", "hosts", "db"}}});
  ASSERT_EQ(outside.status, "succeeded") << outside.error_message;
  EXPECT_EQ(wait_exit(outsider), 2) << logs(outsider);

  // In use: not removed, and said so; once its containers are gone it goes.
  const JobOutcome busy = run("docker.network", {{"action", "remove"}, {"name", network_}});
  EXPECT_EQ(busy.status, "failed");
  EXPECT_EQ(busy.error_code, "network_in_use") << busy.error_message;
  for (const auto& name : containers_) {
    EXPECT_EQ(run("docker.remove", {{"container", name}, {"force", true}}).status, "succeeded");
  }
  const JobOutcome removed = run("docker.network", {{"action", "remove"}, {"name", network_}});
  ASSERT_EQ(removed.status, "succeeded") << removed.error_message;
  EXPECT_EQ(removed.result["removed"], true);
  EXPECT_EQ(run("docker.network", {{"action", "remove"}, {"name", network_}}).result["removed"],
            false);
  // The service's data goes last, once no container uses it; again is fine.
  const JobOutcome dropped = run("docker.volume", {{"action", "remove"}, {"name", volume_}});
  ASSERT_EQ(dropped.status, "succeeded") << dropped.error_message;
  EXPECT_EQ(dropped.result["removed"], true);
  EXPECT_EQ(run("docker.volume", {{"action", "remove"}, {"name", volume_}}).result["removed"],
            false);
}

TEST_F(DockerNetworkSystem, AMissingNetworkFailsTheRunAndLeavesNoContainer) {
  const std::string name = container("orphan");
  const JobOutcome refused = run("docker.run", {{"image", berth::testing::kTestImage},
                                                {"name", name},
                                                {"cmd", {"true"}},
                                                {"networks", {{{"name", network_ + "-none"}}}}});
  EXPECT_EQ(refused.status, "failed");
  EXPECT_EQ(refused.error_code, "docker_error");
  const JobOutcome gone = run("docker.inspect", {{"container", name}});
  EXPECT_EQ(gone.status, "failed") << "the created container was left behind";
}

}  // namespace
}  // namespace berth::agent::host
