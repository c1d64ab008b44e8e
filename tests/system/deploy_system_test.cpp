// Deploying images with real parts: berthd, a real agent, dockerd and Caddy. Each test looks
// at what a user sees — the page through the proxy with the app's hostname, the containers in
// `docker ps`, the deployment's record and its replayed events.
#include <gtest/gtest.h>

#include <algorithm>

#include "system/deploy_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST_F(DeployTest, AnImageDeploysAndAnswersThroughTheProxy) {
  const std::string id = create_app("web", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  const json app = api("GET", "/api/v1/apps/" + id).json();
  EXPECT_EQ(app.value("hostname", ""), "web.test") << app.dump();
  EXPECT_NE(app.value("url", "").find("web.test"), std::string::npos) << app.dump();

  const json done = deploy_and_wait(id);
  ASSERT_TRUE(succeeded(done));
  const ProxyReply page = through_proxy("web.test");
  EXPECT_EQ(page.kind, ProxyReply::Kind::ok) << page.error;
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "v1\n");
  const std::string container = done.value("container_name", "");
  EXPECT_FALSE(container.empty()) << done.dump();
  EXPECT_TRUE(contains(container_names(false), container)) << container;
  EXPECT_EQ(done["artifact"].value("image", ""), kAppV1) << done.dump();
  EXPECT_FALSE(done["artifact"].value("image_id", "").empty()) << done.dump();

  // Replayed after the end: the pipeline's steps, then `done`.
  const auto history = events(done["id"]);
  const auto finished = steps_with(history, "succeeded");
  for (const std::string step : {"pull", "start", "health", "switch"}) {
    EXPECT_TRUE(contains(finished, step)) << step << " missing\n" << describe(done["id"]);
  }
  ASSERT_FALSE(history.empty());
  const auto last_done = std::find_if(history.rbegin(), history.rend(),
                                      [](const SseEvent& e) { return e.event == "done"; });
  ASSERT_NE(last_done, history.rend()) << describe(done["id"]);
  EXPECT_EQ(last_done->data.value("state", ""), "succeeded");
  for (auto after = history.rbegin(); after != last_done; ++after) {
    EXPECT_NE(after->event, "step") << "a step after done: " << after->data.dump();
    EXPECT_NE(after->event, "output") << "output after done: " << after->data.dump();
  }
  const json shown = api("GET", "/api/v1/apps/" + id).json();
  EXPECT_EQ(shown.value("status", ""), "running") << shown.dump();
  EXPECT_EQ(shown.value("current_deployment_id", ""), done["id"].get<std::string>())
      << shown.dump();
}

TEST_F(DeployTest, EnvVarsAndSecretsReachTheContainerButNoRecord) {
  const std::string id = create_app("envapp", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  const json first = deploy_and_wait(id);
  ASSERT_TRUE(succeeded(first));
  EXPECT_FALSE(api("GET", "/api/v1/apps/" + id).json().value("out_of_date", true));

  const HttpResponse set = api("PATCH", "/api/v1/apps/" + id + "/env",
                               {{"vars",
                                 {{{"key", "GREETING"}, {"value", "hello"}, {"secret", false}},
                                  {{"key", "TOKEN"}, {"value", "s3cret"}, {"secret", true}}}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.body.find("s3cret"), std::string::npos) << set.body;
  EXPECT_TRUE(api("GET", "/api/v1/apps/" + id).json().value("out_of_date", false))
      << "an env change shows the app out of date until the next deployment";
  // The running container still has the old environment.
  EXPECT_EQ(through_proxy("envapp.test", "/cgi-bin/env").body.find("GREETING="), std::string::npos);

  const json second = deploy_and_wait(id);
  ASSERT_TRUE(succeeded(second));
  EXPECT_FALSE(api("GET", "/api/v1/apps/" + id).json().value("out_of_date", true));
  const ProxyReply env = through_proxy("envapp.test", "/cgi-bin/env");
  ASSERT_EQ(env.status, 200) << env.error << env.body;
  EXPECT_NE(env.body.find("GREETING=hello\n"), std::string::npos) << env.body;
  EXPECT_NE(env.body.find("TOKEN=s3cret\n"), std::string::npos) << env.body;

  const HttpResponse listed = api("GET", "/api/v1/apps/" + id + "/env");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("GREETING"), std::string::npos) << listed.body;
  EXPECT_NE(listed.body.find("hello"), std::string::npos) << listed.body;
  EXPECT_EQ(listed.body.find("s3cret"), std::string::npos) << listed.body;
  const std::string record =
      api("GET", "/api/v1/deployments/" + second["id"].get<std::string>()).body;
  EXPECT_EQ(record.find("s3cret"), std::string::npos) << record;
  const std::string history = describe(second["id"]);
  EXPECT_EQ(history.find("s3cret"), std::string::npos) << history;
  // The jobs the deployment ran (docker.run carried the environment) keep no secret either.
  for (const auto& event : events(second["id"])) {
    const std::string job_id = event.data.value("job_id", "");
    if (event.event == "step" && !job_id.empty()) {
      const HttpResponse job = api("GET", "/api/v1/jobs/" + job_id);
      EXPECT_EQ(job.body.find("s3cret"), std::string::npos) << job.body;
    }
  }
  // An admin's inspect of the container shows the env's names, not its values; a viewer sees
  // neither that job's details nor its output.
  const std::string inspect =
      submit(server_id_,
             {{"kind", "docker.inspect"}, {"args", {{"container", second["container_name"]}}}});
  const json inspected = wait_job_state(inspect, "succeeded");
  EXPECT_EQ(inspected.dump().find("s3cret"), std::string::npos) << inspected.dump();
  EXPECT_NE(inspected.dump().find("TOKEN=********"), std::string::npos) << inspected.dump();
  const std::string viewer = key_with_role("viewer");
  const HttpResponse seen = api_with(viewer, "GET", "/api/v1/jobs/" + inspect);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(seen.json()["details_hidden"], true);
  EXPECT_EQ(seen.body.find("TOKEN"), std::string::npos) << seen.body;
  EXPECT_EQ(api_with(viewer, "GET", "/api/v1/jobs/" + inspect + "/output").status, 403);
  for (const std::string& target : {"/api/v1/apps/" + id, "/api/v1/apps/" + id + "/env",
                                    "/api/v1/deployments/" + second["id"].get<std::string>()}) {
    const HttpResponse view = api_with(viewer, "GET", target);
    EXPECT_EQ(view.status, 200) << target << view.body;
    EXPECT_EQ(view.body.find("s3cret"), std::string::npos) << target << view.body;
  }
  const HttpResponse revealed = api("POST", "/api/v1/apps/" + id + "/env/TOKEN/reveal");
  EXPECT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_NE(revealed.body.find("s3cret"), std::string::npos) << revealed.body;
  berthd_->stop();
  EXPECT_EQ(berthd_->log().find("s3cret"), std::string::npos) << "berthd logged the secret";
  for (const auto& agent : agents_) {
    EXPECT_EQ(agent->log().find("s3cret"), std::string::npos) << "the agent logged the secret";
  }
}

TEST_F(DeployTest, AFailingHealthCheckLeavesTheOldVersionServing) {
  const std::string id = create_app("healthy", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  const json good = deploy_and_wait(id);
  ASSERT_TRUE(succeeded(good));

  const json bad = deploy_and_wait(id, {{"image", kAppBroken}});
  EXPECT_EQ(bad.value("state", ""), "failed") << describe(bad["id"]);
  EXPECT_EQ(bad.value("step", ""), "health") << describe(bad["id"]);
  EXPECT_FALSE(bad.value("error_message", "").empty()) << bad.dump();
  EXPECT_TRUE(contains(steps_with(events(bad["id"]), "failed"), "health")) << describe(bad["id"]);
  EXPECT_FALSE(contains(steps_with(events(bad["id"]), "started"), "switch"));

  const ProxyReply page = through_proxy("healthy.test");
  EXPECT_EQ(page.status, 200) << page.error;
  EXPECT_EQ(page.body, "v1\n");
  const std::string broken = bad.value("container_name", "");
  ASSERT_FALSE(broken.empty()) << bad.dump();
  EXPECT_FALSE(contains(container_names(true), broken)) << broken << " was left behind";
  EXPECT_TRUE(contains(container_names(false), good.value("container_name", "")));
  const json shown = api("GET", "/api/v1/apps/" + id).json();
  EXPECT_EQ(shown.value("status", ""), "running") << shown.dump();
  EXPECT_EQ(shown.value("current_deployment_id", ""), good["id"].get<std::string>())
      << shown.dump();
}

TEST_F(DeployTest, RollbackServesTheEarlierArtifactWithoutPullingOrBuilding) {
  const std::string id = create_app("roll", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  const json one = deploy_and_wait(id);
  ASSERT_TRUE(succeeded(one));
  EXPECT_EQ(through_proxy("roll.test").body, "v1\n");
  const json two = deploy_and_wait(id, {{"image", kAppV2}});
  ASSERT_TRUE(succeeded(two));
  EXPECT_EQ(through_proxy("roll.test").body, "v2\n");

  const HttpResponse asked = api("POST", "/api/v1/apps/" + id + "/rollback", json::object());
  ASSERT_EQ(asked.status, 202) << asked.body;
  const json back = wait_deployment(asked.json()["id"]);
  ASSERT_TRUE(succeeded(back));
  const ProxyReply page = through_proxy("roll.test");
  EXPECT_EQ(page.status, 200) << page.error;
  EXPECT_EQ(page.body, "v1\n");
  EXPECT_EQ(back["artifact"].value("image_id", ""), one["artifact"].value("image_id", "x"))
      << back.dump();

  const auto history = events(back["id"]);
  const auto started = steps_with(history, "started");
  for (const std::string step : {"pull", "fetch", "build"}) {
    EXPECT_FALSE(contains(started, step)) << "a rollback ran " << step << "\n"
                                          << describe(back["id"]);
  }
  const auto skipped = steps_with(history, "skipped");
  EXPECT_TRUE(contains(skipped, "resolve") || contains(skipped, "pull")) << describe(back["id"]);
  EXPECT_FALSE(contains(container_names(true), two.value("container_name", "")))
      << "v2's container was not removed after the rollback";
}

}  // namespace
}  // namespace berth::testing
