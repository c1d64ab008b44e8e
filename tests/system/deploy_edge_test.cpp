// Edge rules end to end: PUT /api/v1/apps/{id}/edge on berthd reaches the deployed app's Caddy
// through the agent (no deployment), a later deployment's switch keeps them, a hostile value is
// 400 and never in Caddy's running config, and the proxy.apply job shows no hash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "system/deploy_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class DeployEdgeTest : public DeployTest {
 protected:
  void TearDown() override {
    DeployTest::TearDown();
    kill_processes_using(dir_.path());  // the agent's edge Caddy outlives it by design
  }

  // Polls GET / through Caddy until it answers `status`; the last reply.
  ProxyReply wait_status(const std::string& hostname, int status) {
    ProxyReply reply;
    for (int attempt = 0; attempt < 300; ++attempt) {
      reply = through_proxy(hostname);
      if (reply.kind == ProxyReply::Kind::ok && reply.status == status) {
        return reply;
      }
      std::this_thread::sleep_for(100ms);
    }
    return reply;
  }

  // Caddy's running config and the edge Caddy's (the agent starts it for the rules with a
  // config file it never changes: edge/edge-<port>.json in its state dir).
  std::string running_configs() const {
    std::string configs = caddy_->config();
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
      const auto name = entry.path().filename().string();
      if (entry.path().parent_path().filename() == "edge" && name.starts_with("edge-") &&
          name.ends_with(".json")) {
        std::ifstream in(entry.path());
        configs +=
            std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      }
    }
    return configs;
  }
};

TEST_F(DeployEdgeTest, RulesReachTheRunningAppsProxyAndOutliveADeployment) {
  const std::string id = create_app("edgy", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(succeeded(deploy_and_wait(id)));
  ASSERT_EQ(wait_serving("edgy.test", "v1\n").status, 200);
  const std::string edge = "/api/v1/apps/" + id + "/edge";

  HttpResponse put = api(
      "PUT", edge,
      {{"maintenance", {{"enabled", true}, {"retry_after_seconds", 30}, {"message", "Soon."}}}});
  ASSERT_EQ(put.status, 200) << put.body;
  ProxyReply reply = wait_status("edgy.test", 503);
  EXPECT_EQ(reply.status, 503) << reply.error << reply.body;
  EXPECT_EQ(reply.body, "Soon.\n");

  put = api("PUT", edge,
            {{"basic_auth", {{"users", {{{"username", "ops"}, {"password", "correct horse"}}}}}},
             {"headers", {{"set", {{"X-Frame-Options", "DENY"}}}}}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(wait_status("edgy.test", 401).status, 401);

  // A new version's switch keeps the rules: still 401, never the page.
  const json second = deploy_and_wait(id, {{"image", kAppV2}});
  ASSERT_TRUE(succeeded(second));
  reply = through_proxy("edgy.test");
  EXPECT_EQ(reply.status, 401) << reply.body;

  // A hostile value is refused by berthd and never reaches Caddy.
  put = api("PUT", edge, {{"headers", {{"set", {{"X-A", "{file./etc/passwd}"}}}}}});
  EXPECT_EQ(put.status, 400) << put.body;
  const std::string config = running_configs();
  EXPECT_NE(config.find("X-Frame-Options"), std::string::npos);
  EXPECT_EQ(config.find("{file."), std::string::npos);
  EXPECT_EQ(config.find("correct horse"), std::string::npos);

  // The proxy.apply jobs show the hashes as ***.
  const HttpResponse jobs = api("GET", "/api/v1/servers/" + server_id_ + "/jobs?per_page=100");
  ASSERT_EQ(jobs.status, 200) << jobs.body;
  EXPECT_EQ(jobs.body.find("$2b$"), std::string::npos);
  bool hidden = false;
  const json listed = jobs.json();
  for (const auto& job : listed["data"]) {
    hidden = hidden || (job.value("kind", "") == "proxy.apply" &&
                        job["args"].dump().find(R"("password_hash":"***")") != std::string::npos);
  }
  EXPECT_TRUE(hidden) << jobs.body.substr(0, 4000);

  // No rules: the page again.
  ASSERT_EQ(api("PUT", edge, json::object()).status, 200);
  EXPECT_EQ(wait_serving("edgy.test", "v2\n").status, 200);
}

}  // namespace
}  // namespace berth::testing
