// ManagedServices against a real SQLite store, with a scripted job runner in place of the
// agent: what each request stores and queues, who may do it, and what runs on the server.
#include "domain/services/managed_services.hpp"

#include <gtest/gtest.h>

#include "../apps/apps_fixture.hpp"
#include "../deploy/scripted_steps.hpp"
#include "core/crypto.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/job_ledger.hpp"
#include "domain/fleet/metrics_recorder.hpp"
#include "domain/fleet/server_book.hpp"

namespace berth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ManagedServicesTest : public AppsTest {
 protected:
  ManagedServicesTest() {
    auto project =
        projects_.create(as(member_), team_, {.name = "shop", .description = {}}, client());
    EXPECT_TRUE(project.has_value());
    project_ = project ? project->id : std::string();
  }

  ServiceInput input(json spec) const {
    return ServiceInput{.project_id = project_, .server_id = server_, .spec = std::move(spec)};
  }

  // A postgres service created by the member, deployed by the script.
  ServiceRecord postgres(const std::string& name = "orders-db") {
    auto created = managed_.create(
        as(member_), team_, input({{"name", name}, {"engine", "postgres"}, {"version", "16"}}),
        client());
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    EXPECT_TRUE(managed_.idle(10s));
    return service_row(created ? created->service.id : std::string());
  }

  ServiceRecord service_row(const std::string& id) {
    auto found = managed_.get(as(viewer_), team_, id);
    EXPECT_TRUE(found.has_value());
    return found ? found->service : ServiceRecord{};
  }

  std::map<std::string, std::string> app_env(const AppRecord& app) {
    std::map<std::string, std::string> out;
    auto vars = read_value<std::vector<EnvVarRecord>>(
        *store_, [&](Tx& tx) { return tx.list_env_vars("app", app.id); });
    for (const auto& var : vars.value_or(std::vector<EnvVarRecord>{})) {
      out[var.key] =
          var.secret
              ? crypto::open_sealed(services_.master_key, var.value_sealed).value_or("<unreadable>")
              : var.value;
      EXPECT_TRUE(var.secret) << var.key;
    }
    return out;
  }

  std::string project_;
  InProcessEventHub events_;
  MetricsRecorder metrics_{fleet_};
  JobLedger ledger_{fleet_, events_};
  ServerBook book_{fleet_, events_};
  AgentHub hub_{fleet_, ledger_, book_, metrics_};
  JobService jobs_{fleet_, hub_};
  testing::ScriptedSteps steps_;
  ManagedServices managed_{ctx_, jobs_, steps_};
};

TEST_F(ManagedServicesTest, CreateDeploysOnTheProjectNetworkWithSealedCredentials) {
  const ServiceRecord service = postgres();
  EXPECT_EQ(service.status, "running");
  EXPECT_EQ(service.engine, "postgres");
  EXPECT_EQ(service.spec["image"], "postgres:16");

  std::vector<std::string> kinds;
  for (const auto& call : steps_.calls()) {
    kinds.push_back(call.kind);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"docker.network", "docker.pull", "docker.remove",
                                             "docker.run"}));
  EXPECT_EQ(steps_.calls_of("docker.pull")[0].args["policy"], "if_not_present");
  const json run = steps_.calls_of("docker.run")[0].args;
  EXPECT_EQ(run["network_mode"], "berth-net-" + project_);
  EXPECT_EQ(run["networks"][0]["aliases"][0], "orders-db");
  EXPECT_FALSE(run.contains("ports"));
  EXPECT_EQ(run["volumes"][0]["source"], service.volume_name);
  const std::string password = run["env"]["POSTGRES_PASSWORD"];
  EXPECT_EQ(password.size(), 48U);
  // Sealed at rest: the password is not in the row.
  EXPECT_EQ(service.credentials_sealed.find(password), std::string::npos);
  EXPECT_EQ(service.spec.dump().find(password), std::string::npos);
}

TEST_F(ManagedServicesTest, AFailedStepEndsFailedWithTheReason) {
  steps_.answer("pull", {.state = "failed",
                         .result = json::object(),
                         .error_code = "docker_error",
                         .error_message = "no such image: postgres:16"});
  const ServiceRecord service = postgres();
  EXPECT_EQ(service.status, "failed");
  EXPECT_NE(service.status_message.find("no such image"), std::string::npos);
  EXPECT_TRUE(steps_.calls_of("docker.run").empty());
}

TEST_F(ManagedServicesTest, RolesDecideWhoCreatesChangesAndPublishes) {
  auto by_viewer =
      managed_.create(as(viewer_), team_, input({{"name", "a"}, {"engine", "redis"}}), client());
  ASSERT_FALSE(by_viewer);
  EXPECT_EQ(by_viewer.error().code, "insufficient_role");
  auto by_stranger =
      managed_.create(as(stranger_), team_, input({{"name", "a"}, {"engine", "redis"}}), client());
  ASSERT_FALSE(by_stranger);
  EXPECT_EQ(by_stranger.error().kind, ErrorKind::not_found);

  const json published = {{"name", "open-db"},
                          {"engine", "postgres"},
                          {"publish", {{"host_ip", "0.0.0.0"}, {"host_port", 15432}}}};
  auto by_member = managed_.create(as(member_), team_, input(published), client());
  ASSERT_FALSE(by_member);
  EXPECT_EQ(by_member.error().code, "admin_required");
  auto by_admin = managed_.create(as(admin_), team_, input(published), client());
  ASSERT_TRUE(by_admin) << by_admin.error().message;
  ASSERT_TRUE(managed_.idle(10s));
  EXPECT_EQ(steps_.calls_of("docker.run")[0].args["ports"][0]["host_port"], 15432);

  // A member may change the limits, not the publication.
  auto unpublish =
      managed_.update(as(member_), team_, by_admin->service.id, {{"publish", nullptr}}, client());
  ASSERT_FALSE(unpublish);
  EXPECT_EQ(unpublish.error().code, "admin_required");
  auto limits = managed_.update(as(member_), team_, by_admin->service.id,
                                {{"memory_bytes", 256LL * 1024 * 1024}}, client());
  ASSERT_TRUE(limits) << limits.error().message;
  EXPECT_EQ(limits->service.status, "deploying");
}

TEST_F(ManagedServicesTest, BadInputIsRefusedBeforeAnythingIsStored) {
  for (const auto& [spec, field] : std::vector<std::pair<json, std::string>>{
           {{{"name", "x"}, {"engine", "oracle"}}, "engine"},
           {{{"name", "x"}, {"engine", "postgres"}, {"version", "9"}}, "version"},
           {{{"name", "Bad Name"}, {"engine", "redis"}}, "name"},
           {{{"name", "x"}, {"engine", "redis"}, {"image", "a b"}}, "image"},
           {{{"name", "x"}, {"engine", "redis"}, {"memory_bytes", 1024}}, "memory_bytes"}}) {
    auto refused = managed_.create(as(member_), team_, input(spec), client());
    ASSERT_FALSE(refused) << spec.dump();
    EXPECT_EQ(refused.error().kind, ErrorKind::invalid) << spec.dump();
  }
  auto no_project = managed_.create(as(member_), team_,
                                    ServiceInput{.project_id = "prj_01JD7Q8M3X4V9T2K5R6W8Y0ZAB",
                                                 .server_id = server_,
                                                 .spec = {{"name", "x"}, {"engine", "redis"}}},
                                    client());
  ASSERT_FALSE(no_project);
  EXPECT_EQ(no_project.error().kind, ErrorKind::invalid);
  EXPECT_TRUE(steps_.calls().empty());

  postgres("dup");
  auto again =
      managed_.create(as(member_), team_, input({{"name", "dup"}, {"engine", "redis"}}), client());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "service_name_taken");
}

TEST_F(ManagedServicesTest, AMajorVersionChangeIsRefusedAndAMinorOneRedeploys) {
  const ServiceRecord service = postgres();
  auto major = managed_.update(as(member_), team_, service.id, {{"version", "17"}}, client());
  ASSERT_FALSE(major);
  EXPECT_EQ(major.error().kind, ErrorKind::unprocessable);
  EXPECT_NE(major.error().message.find("restore"), std::string::npos);

  steps_.clear();
  auto minor =
      managed_.update(as(member_), team_, service.id, {{"image", "postgres:16.4"}}, client());
  ASSERT_TRUE(minor) << minor.error().message;
  ASSERT_TRUE(managed_.idle(10s));
  EXPECT_EQ(service_row(service.id).status, "running");
  ASSERT_EQ(steps_.calls_of("docker.run").size(), 1U);
  EXPECT_EQ(steps_.calls_of("docker.run")[0].args["image"], "postgres:16.4");
  // The same volume: the data stays.
  EXPECT_EQ(steps_.calls_of("docker.run")[0].args["volumes"][0]["source"], service.volume_name);
}

TEST_F(ManagedServicesTest, StopStartAndRestart) {
  const ServiceRecord service = postgres();
  steps_.clear();
  auto stopping = managed_.act(as(member_), team_, service.id, "stop", client());
  ASSERT_TRUE(stopping);
  EXPECT_EQ(stopping->service.status, "stopping");
  ASSERT_TRUE(managed_.idle(10s));
  EXPECT_EQ(service_row(service.id).status, "stopped");
  EXPECT_EQ(steps_.calls_of("docker.stop")[0].args["container"], service.container_name);

  // A stopped service takes a change at its next start.
  auto changed =
      managed_.update(as(member_), team_, service.id, {{"nano_cpus", 500'000'000}}, client());
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->service.status, "stopped");
  ASSERT_TRUE(managed_.act(as(member_), team_, service.id, "start", client()));
  ASSERT_TRUE(managed_.idle(10s));
  EXPECT_EQ(service_row(service.id).status, "running");
  EXPECT_EQ(steps_.calls_of("docker.run").back().args["nano_cpus"], 500'000'000);

  ASSERT_TRUE(managed_.act(as(member_), team_, service.id, "restart", client()));
  ASSERT_TRUE(managed_.idle(10s));
  EXPECT_EQ(steps_.calls_of("docker.run").size(), 2U);
  auto by_viewer = managed_.act(as(viewer_), team_, service.id, "restart", client());
  ASSERT_FALSE(by_viewer);
  EXPECT_EQ(by_viewer.error().code, "insufficient_role");
}

TEST_F(ManagedServicesTest, DeleteNeedsTheNameRemovesTheDataAndWaitsForLinks) {
  const ServiceRecord service = postgres();
  const AppRecord app = image_app("shop-web", project_);
  ASSERT_TRUE(managed_.link(as(member_), team_, app.id, service.id, "", client()));

  auto unconfirmed = managed_.remove(as(member_), team_, service.id, "", client());
  ASSERT_FALSE(unconfirmed);
  EXPECT_EQ(unconfirmed.error().code, "confirm_required");
  auto linked = managed_.remove(as(member_), team_, service.id, "orders-db", client());
  ASSERT_FALSE(linked);
  EXPECT_EQ(linked.error().code, "service_linked");

  ASSERT_TRUE(managed_.unlink(as(member_), team_, app.id, service.id, client()));
  steps_.clear();
  auto removed = managed_.remove(as(member_), team_, service.id, "orders-db", client());
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(removed->service.status, "deleting");
  ASSERT_TRUE(managed_.idle(10s));
  auto gone = managed_.get(as(viewer_), team_, service.id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::not_found);
  ASSERT_EQ(steps_.calls_of("docker.volume").size(), 1U);
  EXPECT_EQ(steps_.calls_of("docker.volume")[0].args["name"], service.volume_name);
  EXPECT_EQ(steps_.calls_of("docker.network")[0].args["action"], "remove");

  // The project can go once it has neither apps nor services.
  ASSERT_TRUE(apps_.remove(as(member_), team_, app.id, client()));
  EXPECT_TRUE(projects_.remove(as(member_), team_, project_, client()));
}

TEST_F(ManagedServicesTest, AFailedVolumeRemovalKeepsTheServiceToTryAgain) {
  const ServiceRecord service = postgres();
  steps_.answer("volume", {.state = "failed",
                           .result = json::object(),
                           .error_code = "volume_in_use",
                           .error_message = "volume is in use"});
  ASSERT_TRUE(managed_.remove(as(member_), team_, service.id, "orders-db", client()));
  ASSERT_TRUE(managed_.idle(10s));
  const ServiceRecord left = service_row(service.id);
  EXPECT_EQ(left.status, "failed");
  EXPECT_NE(left.status_message.find("volume is in use"), std::string::npos);
}

TEST_F(ManagedServicesTest, ALinkWritesSecretEnvAndTheNextDeployJoinsTheNetwork) {
  const ServiceRecord service = postgres();
  const AppRecord app = image_app("shop-web", project_);
  const std::int64_t version_before = stored(app.id).config_version;
  auto linked = managed_.link(as(member_), team_, app.id, service.id, "", client());
  ASSERT_TRUE(linked) << linked.error().message;
  EXPECT_EQ(stored(app.id).config_version, version_before + 1);

  const std::string password = steps_.calls_of("docker.run")[0].args["env"]["POSTGRES_PASSWORD"];
  auto env = app_env(app);
  EXPECT_EQ(env["DATABASE_URL"],
            "postgresql://orders_db:" + password + "@orders-db:5432/orders_db");
  EXPECT_EQ(env["DATABASE_HOST"], "orders-db");
  EXPECT_EQ(env["DATABASE_PASSWORD"], password);
  EXPECT_EQ(linked->link.env_keys.size(), 6U);

  auto links = managed_.links(as(viewer_), team_, app.id);
  ASSERT_TRUE(links);
  ASSERT_EQ(links->size(), 1U);
  EXPECT_EQ((*links)[0].service_name, "orders-db");
  auto view = managed_.get(as(viewer_), team_, service.id);
  ASSERT_TRUE(view);
  ASSERT_EQ(view->links.size(), 1U);
  EXPECT_EQ(view->links[0].app_name, "shop-web");

  // Unlinking takes exactly the link's vars away.
  ASSERT_TRUE(env_.set(as(member_), team_, {.scope = EnvScope::app, .id = app.id},
                       {{.key = "OWN", .value = "mine", .secret = true}}, client()));
  ASSERT_TRUE(managed_.unlink(as(member_), team_, app.id, service.id, client()));
  env = app_env(app);
  EXPECT_EQ(env.size(), 1U);
  EXPECT_TRUE(env.contains("OWN"));
  auto again = managed_.unlink(as(member_), team_, app.id, service.id, client());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::not_found);
}

TEST_F(ManagedServicesTest, ALinkNeverOverwritesTheAppsOwnVarsAndStaysInItsProject) {
  const ServiceRecord service = postgres();
  const AppRecord app = image_app("shop-web", project_);
  ASSERT_TRUE(env_.set(as(member_), team_, {.scope = EnvScope::app, .id = app.id},
                       {{.key = "DATABASE_URL", .value = "sqlite:///x", .secret = false}},
                       client()));
  auto taken = managed_.link(as(member_), team_, app.id, service.id, "", client());
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, "env_key_taken");
  auto prefixed = managed_.link(as(member_), team_, app.id, service.id, "MAIN_", client());
  ASSERT_TRUE(prefixed) << prefixed.error().message;
  EXPECT_EQ(prefixed->link.env_keys.front().substr(0, 5), "MAIN_");
  auto bad_prefix = managed_.link(as(member_), team_, app.id, service.id, "main", client());
  ASSERT_FALSE(bad_prefix);
  EXPECT_EQ(bad_prefix.error().kind, ErrorKind::invalid);

  const AppRecord elsewhere = image_app("other-web");  // in no project
  auto other_project = managed_.link(as(member_), team_, elsewhere.id, service.id, "", client());
  ASSERT_FALSE(other_project);
  EXPECT_EQ(other_project.error().kind, ErrorKind::invalid);
  auto by_viewer = managed_.link(as(viewer_), team_, app.id, service.id, "X_", client());
  ASSERT_FALSE(by_viewer);
  EXPECT_EQ(by_viewer.error().code, "insufficient_role");
}

TEST_F(ManagedServicesTest, ALinkedAppStaysInItsProjectUntilUnlinked) {
  const ServiceRecord service = postgres();
  const AppRecord app = image_app("shop-web", project_);
  ASSERT_TRUE(managed_.link(as(member_), team_, app.id, service.id, "", client()));
  auto moved =
      apps_.update(as(member_), team_, app.id, {.name = {}, .project_id = std::string()}, client());
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, "app_linked");
  ASSERT_TRUE(managed_.unlink(as(member_), team_, app.id, service.id, client()));
  EXPECT_TRUE(apps_.update(as(member_), team_, app.id, {.name = {}, .project_id = std::string()},
                           client()));
}

TEST_F(ManagedServicesTest, AnotherTeamNeitherSeesNorLinksTheService) {
  const ServiceRecord service = postgres();
  const std::string other_team = stranger_.personal_team_id;
  auto seen = managed_.get(as(stranger_), other_team, service.id);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().kind, ErrorKind::not_found);
  auto listed = managed_.list(as(stranger_), other_team, {}, {});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 0);
  auto deleted = managed_.remove(as(stranger_), other_team, service.id, "orders-db", client());
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().kind, ErrorKind::not_found);
}

TEST_F(ManagedServicesTest, ResumeRunsWhatAStoppedBerthdLeftUnderWay) {
  const ServiceRecord service = postgres();
  ServiceRecord interrupted = service;
  interrupted.status = "stopping";
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_service(interrupted); }));
  steps_.clear();
  managed_.resume();
  ASSERT_TRUE(managed_.idle(10s));
  EXPECT_EQ(service_row(service.id).status, "stopped");
  EXPECT_EQ(steps_.calls_of("docker.stop").size(), 1U);
}

}  // namespace
}  // namespace berth
