// The deployment pipeline through its seam: every step's job is answered at once by a script
// and no wait really sleeps, so each path of a deployment — success, failure or cancel at each
// step, superseding, drain timing, rollback, restart/stop/start, recovery at start-up, git and
// workflow sources — runs in milliseconds against a real store.
#include "domain/deploy/pipeline.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "core/crypto.hpp"
#include "deploy/deploy_fixture.hpp"
#include "deploy/scripted_steps.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct ScriptedParts {
  ScriptedSteps steps;
  RecordingSleeper sleeper;
};

class PipelineTest : protected ScriptedParts, public DeployTest {
 protected:
  PipelineTest() : DeployTest(PipelineParts{.steps = &steps, .sleeper = &sleeper}) {}

  AppRecord image_app(const json& settings_patch = json::object()) {
    AppRecord app = add_app("web", {{"type", "image"}, {"image", "registry.test/web:1"}});
    app.settings.merge_patch(settings_patch);
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(app); }));
    return app;
  }

  AppRecord app_now(const std::string& id) {
    auto found =
        read_value<std::optional<AppRecord>>(*store_, [&](Tx& tx) { return tx.get_app("", id); });
    EXPECT_TRUE(found && *found);
    return found && *found ? **found : AppRecord{};
  }

  /// Polls the store until the deployment has ended (the pipeline runs on a worker).
  DeploymentRecord ended(const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      auto found = read_value<std::optional<DeploymentRecord>>(
          *store_, [&](Tx& tx) { return tx.get_deployment("", id); });
      if (found && *found && is_terminal((**found).state)) {
        return **found;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "deployment " << id << " did not end";
        return found && *found ? **found : DeploymentRecord{};
      }
      std::this_thread::sleep_for(2ms);
    }
  }

  DeploymentRecord deploy(const AppRecord& app, DeployRequest request = {}) {
    auto made = deployments_->deploy(as(owner_), team_, app.id, request, client());
    EXPECT_TRUE(made) << (made ? "" : made.error().message);
    return made ? ended(made->id) : DeploymentRecord{};
  }

  DeploymentRecord act(const AppRecord& app, const std::string& action) {
    auto made = deployments_->app_action(as(owner_), team_, app.id, action, client());
    EXPECT_TRUE(made) << (made ? "" : made.error().message);
    return made ? ended(made->id) : DeploymentRecord{};
  }

  std::vector<std::string> kinds() const {
    std::vector<std::string> out;
    for (const auto& call : steps.calls()) {
      out.push_back(call.kind);
    }
    return out;
  }

  /// The upstream the last proxy.apply routed `hostname` to ("" when it had no route).
  std::string routed(const std::string& hostname) const {
    const auto applied = steps.calls_of("proxy.apply");
    if (applied.empty()) {
      return "";
    }
    for (const auto& route : applied.back().args["routes"]) {
      if (route["host"] == hostname) {
        return route["upstream"];
      }
    }
    return "";
  }

  /// Where the server's route table as stored sends `hostname` (what the next apply sends).
  std::string stored_route(const std::string& hostname) {
    auto args = read_value<json>(
        *store_, [&](Tx& tx) { return proxy_apply_args(tx, server_.id, std::nullopt); });
    EXPECT_TRUE(args);
    for (const auto& route : args.value_or(json::object()).value("routes", json::array())) {
      if (route["host"] == hostname) {
        return route["upstream"];
      }
    }
    return "";
  }

  std::vector<std::string> removed_containers() const {
    std::vector<std::string> out;
    for (const auto& call : steps.calls_of("docker.remove")) {
      out.push_back(call.args["container"]);
    }
    return out;
  }
};

TEST_F(PipelineTest, ASuccessfulDeploymentPullsStartsChecksAndSwitches) {
  const AppRecord app = image_app();
  const DeploymentRecord done = deploy(app);
  EXPECT_EQ(done.state, DeploymentState::succeeded) << done.error_message;
  EXPECT_EQ(kinds(),
            (std::vector<std::string>{"docker.pull", "docker.run", "http.probe", "proxy.apply"}));
  const auto run = steps.calls_of("docker.run").at(0);
  EXPECT_EQ(run.args["image"], done.artifact["image_id"]) << "runs exactly what was pulled";
  EXPECT_EQ(run.args["name"], container_name_of("web", done.id));
  EXPECT_EQ(steps.calls_of("http.probe").at(0).args["port"], done.host_port);
  EXPECT_EQ(routed(app.hostname), "127.0.0.1:" + std::to_string(done.host_port));
  const AppRecord now = app_now(app.id);
  EXPECT_EQ(now.current_deployment_id, done.id);
  EXPECT_EQ(now.status, "running");
  EXPECT_TRUE(steps.calls_of("docker.stop").empty()) << "nothing to retire the first time";
}

TEST_F(PipelineTest, AnAppLinkedToAServiceAlsoJoinsItsProjectsNetwork) {
  AppRecord app = image_app();
  const ProjectRecord project{.id = ids_.next("prj"), .team_id = team_, .name = "shop"};
  const ServiceRecord service{.id = ids_.next("svc"),
                              .team_id = team_,
                              .project_id = project.id,
                              .server_id = server_.id,
                              .name = "db",
                              .engine = "postgres",
                              .volume_name = "v",
                              .credentials_sealed = "sealed"};
  app.project_id = project.id;
  ASSERT_TRUE(store_->write([&](Tx& tx) -> Result<void> {
    for (auto step : {tx.create_project(project), tx.update_app(app), tx.create_service(service),
                      tx.put_service_link({.app_id = app.id,
                      .service_id = service.id,
                      .env_prefix = {},
                      .env_keys = {},
                      .created_at = {}})}) {
      if (!step) {
        return step;
      }
    }
    return {};
  }));
  const DeploymentRecord done = deploy(app);
  EXPECT_EQ(done.state, DeploymentState::succeeded) << done.error_message;
  const std::string network = "berth-net-" + project.id;
  ASSERT_EQ(steps.calls_of("docker.network").size(), 1U);
  EXPECT_EQ(steps.calls_of("docker.network")[0].args["name"], network);
  const json run = steps.calls_of("docker.run").at(0).args;
  // Still on the bridge with its published port for the proxy; the network is added.
  EXPECT_EQ(run["network_mode"], "bridge");
  EXPECT_EQ(run["networks"], json::array({{{"name", network}}}));
  EXPECT_EQ(run["ports"][0]["host_ip"], "127.0.0.1");
}

TEST_F(PipelineTest, TheNextDeploymentDrainsAndRetiresThePreviousOne) {
  const AppRecord app = image_app({{"drain_grace_s", 7}});
  const DeploymentRecord first = deploy(app);
  const DeploymentRecord second = deploy(app);
  ASSERT_EQ(second.state, DeploymentState::succeeded) << second.error_message;
  EXPECT_EQ(sleeper.waits(), (std::vector<std::chrono::milliseconds>{7000ms}));
  ASSERT_EQ(steps.calls_of("docker.stop").size(), 1U);
  EXPECT_EQ(steps.calls_of("docker.stop")[0].args["container"], first.container_name);
  EXPECT_EQ(removed_containers(), std::vector<std::string>{first.container_name});
  EXPECT_EQ(app_now(app.id).current_deployment_id, second.id);
}

TEST_F(PipelineTest, TheDrainIsNeverShorterThanTheProxysRefresh) {
  const AppRecord app = image_app({{"drain_grace_s", 0}});
  deploy(app);
  deploy(app);
  EXPECT_EQ(sleeper.waits(), (std::vector<std::chrono::milliseconds>{2000ms}));
}

class FailingStepTest : public PipelineTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(FailingStepTest, AFailureLeavesTheOldVersionServingAndRemovesTheNewContainer) {
  const std::string step = GetParam();
  const AppRecord app = image_app();
  const DeploymentRecord good = deploy(app);
  ASSERT_EQ(good.state, DeploymentState::succeeded);
  steps.clear();
  steps.answer(step, {.state = "failed", .error_code = "boom", .error_message = step + " broke"});
  const DeploymentRecord bad = deploy(app);
  EXPECT_EQ(bad.state, DeploymentState::failed);
  EXPECT_EQ(bad.step, step);
  EXPECT_EQ(bad.error_code, "boom");
  EXPECT_EQ(bad.error_message, step + " broke");
  const AppRecord now = app_now(app.id);
  EXPECT_EQ(now.current_deployment_id, good.id);
  EXPECT_EQ(now.status, "running");
  EXPECT_TRUE(steps.calls_of("docker.stop").empty()) << "the old container must keep serving";
  if (step == "pull") {
    EXPECT_TRUE(removed_containers().empty()) << "nothing was started";
  } else {
    EXPECT_EQ(removed_containers(), std::vector<std::string>{bad.container_name});
  }
  EXPECT_EQ(stored_route(app.hostname), "127.0.0.1:" + std::to_string(good.host_port));
}

INSTANTIATE_TEST_SUITE_P(EachStep, FailingStepTest,
                         ::testing::Values("pull", "start", "health", "switch"));

class CanceledStepTest : public PipelineTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(CanceledStepTest, ACancelStopsTheStepAndTheOldVersionKeepsServing) {
  const std::string step = GetParam();
  const AppRecord app = image_app();
  const DeploymentRecord good = deploy(app);
  steps.clear();
  steps.on_call([&](const ScriptedSteps::Call& call) {
    if (call.step == step) {
      ASSERT_TRUE(deployments_->cancel(as(owner_), team_, call.deployment_id, client()));
    }
  });
  const DeploymentRecord canceled = deploy(app);
  EXPECT_EQ(canceled.state, DeploymentState::canceled);
  EXPECT_EQ(canceled.step, step);
  EXPECT_EQ(app_now(app.id).current_deployment_id, good.id);
  EXPECT_TRUE(steps.calls_of("proxy.apply").empty()) << "a canceled deployment never switches";
  if (step != "pull") {
    EXPECT_EQ(removed_containers(), std::vector<std::string>{canceled.container_name})
        << "cleanup runs even for a canceled deployment";
  }
}

INSTANTIATE_TEST_SUITE_P(EachStep, CanceledStepTest, ::testing::Values("pull", "start", "health"));

TEST_F(PipelineTest, ANewerRequestSupersedesTheQueuedOneWhileOneRuns) {
  const AppRecord app = image_app();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<std::string> first_started;
  bool blocked = false;
  steps.on_call([&](const ScriptedSteps::Call& call) {
    if (call.step == "pull" && !blocked) {
      blocked = true;
      first_started.set_value(call.deployment_id);
      released.wait();
    }
  });
  auto first = deployments_->deploy(as(owner_), team_, app.id, {}, client());
  ASSERT_TRUE(first);
  ASSERT_EQ(first_started.get_future().get(), first->id);
  auto second = deployments_->deploy(as(owner_), team_, app.id, {}, client());
  auto third = deployments_->deploy(as(owner_), team_, app.id, {}, client());
  ASSERT_TRUE(second && third);
  release.set_value();
  EXPECT_EQ(ended(first->id).state, DeploymentState::succeeded);
  EXPECT_EQ(ended(second->id).state, DeploymentState::superseded);
  EXPECT_EQ(ended(third->id).state, DeploymentState::succeeded);
  EXPECT_EQ(app_now(app.id).current_deployment_id, third->id);
}

TEST_F(PipelineTest, ARollbackRunsTheEarlierImageByIdWithoutPulling) {
  const AppRecord app = image_app();
  const DeploymentRecord v1 = deploy(app);
  const DeploymentRecord v2 = deploy(app, {.ref = {}, .image = "registry.test/web:2"});
  ASSERT_NE(v1.artifact["image_id"], v2.artifact["image_id"]);
  steps.clear();
  auto rolled = deployments_->rollback(as(owner_), team_, app.id, "", client());
  ASSERT_TRUE(rolled) << rolled.error().message;
  const DeploymentRecord back = ended(rolled->id);
  EXPECT_EQ(back.state, DeploymentState::succeeded) << back.error_message;
  EXPECT_EQ(back.rollback_of, v1.id);
  EXPECT_TRUE(steps.calls_of("docker.pull").empty());
  EXPECT_EQ(steps.calls_of("docker.run").at(0).args["image"], v1.artifact["image_id"]);
  EXPECT_EQ(app_now(app.id).current_deployment_id, back.id);
}

TEST_F(PipelineTest, RestartStopAndStartKeepTheArtifact) {
  const AppRecord app = image_app();
  const DeploymentRecord first = deploy(app);
  steps.clear();
  const DeploymentRecord restarted = act(app, "restart");
  EXPECT_EQ(restarted.state, DeploymentState::succeeded) << restarted.error_message;
  EXPECT_TRUE(steps.calls_of("docker.pull").empty());
  EXPECT_EQ(steps.calls_of("docker.run").at(0).args["image"], first.artifact["image_id"]);
  EXPECT_EQ(removed_containers(), std::vector<std::string>{first.container_name});

  steps.clear();
  const DeploymentRecord stopped = act(app, "stop");
  EXPECT_EQ(stopped.state, DeploymentState::succeeded) << stopped.error_message;
  EXPECT_EQ(routed(app.hostname), "") << "the route goes first";
  EXPECT_EQ(steps.calls_of("docker.stop").at(0).args["container"], restarted.container_name);
  EXPECT_EQ(app_now(app.id).status, "stopped");
  EXPECT_EQ(deployments_->app_action(as(owner_), team_, app.id, "stop", client()).error().code,
            "app_stopped");

  steps.clear();
  const DeploymentRecord started = act(app, "start");
  EXPECT_EQ(started.state, DeploymentState::succeeded) << started.error_message;
  EXPECT_EQ(steps.calls_of("docker.run").at(0).args["image"], first.artifact["image_id"]);
  EXPECT_EQ(routed(app.hostname), "127.0.0.1:" + std::to_string(started.host_port));
  EXPECT_EQ(app_now(app.id).status, "running");
}

TEST_F(PipelineTest, ADeploymentInterruptedByAStopEndsFailedAtStartUp) {
  AppRecord app = image_app();
  DeploymentRecord running{.id = ids_.next("dep"),
                           .team_id = team_,
                           .app_id = app.id,
                           .server_id = server_.id,
                           .state = DeploymentState::running,
                           .step = "health",
                           .created_at = clock_.now()};
  DeploymentRecord queued{.id = ids_.next("dep"),
                          .team_id = team_,
                          .app_id = app.id,
                          .server_id = server_.id,
                          .state = DeploymentState::queued,
                          .created_at = clock_.now()};
  queued.spec = {{"source", app.source}, {"settings", app.settings}};
  ASSERT_TRUE(store_->write([&](Tx& tx) -> Result<void> {
    if (auto made = tx.create_deployment(running); !made) {
      return made;
    }
    return tx.create_deployment(queued);
  }));
  ASSERT_TRUE(deployments_->recover());
  const DeploymentRecord interrupted = ended(running.id);
  EXPECT_EQ(interrupted.state, DeploymentState::failed);
  EXPECT_EQ(interrupted.error_code, "interrupted");
  EXPECT_EQ(interrupted.step, "health");
  auto events = deployments_->events(running.id, 0, 100);
  ASSERT_TRUE(events && !events->empty());
  EXPECT_EQ(events->back().event, "done");
  EXPECT_EQ(ended(queued.id).state, DeploymentState::succeeded)
      << "queued deployments are scheduled";
}

TEST_F(PipelineTest, AGitAppIsFetchedAndBuiltWithItsSecretBuildArgs) {
  AppRecord app = add_app("api", {{"type", "git"},
                                  {"repository", "https://git.test/acme/api.git"},
                                  {"branch", "main"},
                                  {"build_args", {{"MODE", "prod"}}},
                                  {"secret_build_args", {"NPM_TOKEN"}}});
  ASSERT_TRUE(store_->write([&](Tx& tx) {
    return tx.put_env_var(EnvVarRecord{
        .scope = "app",
        .scope_id = app.id,
        .key = "NPM_TOKEN",
        .secret = true,
        .value = {},
        .value_sealed = crypto::seal(ctx_.services.master_key, ctx_.random(), "npm-s3cret"),
        .updated_at = clock_.now()});
  }));
  const DeploymentRecord done = deploy(app);
  EXPECT_EQ(done.state, DeploymentState::succeeded) << done.error_message;
  EXPECT_EQ(kinds(), (std::vector<std::string>{"git.fetch", "docker.build", "docker.run",
                                               "http.probe", "proxy.apply"}));
  const auto build = steps.calls_of("docker.build").at(0);
  EXPECT_EQ(build.args["build_args"], json({{"MODE", "prod"}}));
  EXPECT_EQ(build.args["secret_build_args"], json({{"NPM_TOKEN", "npm-s3cret"}}));
  EXPECT_EQ(done.artifact["commit"].get<std::string>().size(), 40U);
  EXPECT_EQ(done.artifact["image_id"], steps.calls_of("docker.run").at(0).args["image"]);
  EXPECT_EQ(steps.calls_of("git.fetch").at(0).args["ref"], "main");

  const DeploymentRecord pinned = deploy(app, {.ref = std::string(40, 'c'), .image = {}});
  EXPECT_EQ(steps.calls_of("git.fetch").at(1).args["ref"], std::string(40, 'c'));
  EXPECT_EQ(pinned.state, DeploymentState::succeeded);
}

TEST_F(PipelineTest, AWorkflowRunsItsStepsInOrderAndStopsAtTheFirstRealFailure) {
  AppRecord app =
      add_app("site", {{"type", "workflow"},
                       {"steps",
                        {{{"name", "fetch"}, {"run", {"git", "pull"}}, {"env", {{"CI", "1"}}}},
                         {{"name", "lint"}, {"shell", "make lint"}, {"continue_on_error", true}},
                         {{"name", "build"}, {"shell", "make"}},
                         {{"name", "never"}, {"run", {"true"}}}}}});
  app.settings = json::object();  // no port: the workflow serves nothing
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(app); }));
  steps.answer("step 2: lint", {.state = "failed", .error_code = "exit_code"});
  steps.answer("step 3: build",
               {.state = "failed", .error_code = "exit_code", .error_message = "exited with 2"});
  const DeploymentRecord done = deploy(app);
  EXPECT_EQ(done.state, DeploymentState::failed);
  EXPECT_EQ(done.step, "step 3: build");
  const auto execs = steps.calls_of("exec");
  ASSERT_EQ(execs.size(), 3U) << "step 4 never runs";
  EXPECT_EQ(execs[0].args["argv"], json({"git", "pull"}));
  EXPECT_EQ(execs[0].args["env"]["CI"], "1");
  EXPECT_EQ(execs[1].args["argv"], json({"/bin/sh", "-c", "make lint"}));
  EXPECT_EQ(app_now(app.id).status, "failed");
}

}  // namespace
}  // namespace berth::testing
