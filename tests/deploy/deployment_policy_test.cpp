// The deploy policy at deployment time: on a guarded app a member deploys, restarts and rolls
// back to what an admin approved, but overrides nothing; a hook deploys only the app's own image.
#include <gtest/gtest.h>

#include "deploy/deploy_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class DeploymentPolicyTest : public DeployTest {
 protected:
  DeploymentPolicyTest() { put(team_, member_, Role::member); }

  // A succeeded deployment of `app` that ran `spec`.
  DeploymentRecord past(const AppRecord& app, const json& spec, const std::string& image_id) {
    DeploymentRecord deployment{.id = ids_.next("dep"),
                                .team_id = team_,
                                .app_id = app.id,
                                .server_id = server_.id,
                                .state = DeploymentState::succeeded,
                                .created_at = clock_.now()};
    deployment.spec = spec;
    deployment.artifact = {{"image", spec["source"]["image"]}, {"image_id", image_id}};
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.create_deployment(deployment); }));
    return deployment;
  }

  AppRecord privileged_app() {
    AppRecord app = add_app("root", {{"type", "image"}, {"image", "registry.test/tools:1"}});
    app.settings = {{"port", 8080}, {"privileged", true}};
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(app); }));
    return app;
  }

  Result<DeploymentRecord> deploy(const UserRecord& who, const AppRecord& app,
                                  DeployRequest request = {}) {
    return deployments_->deploy(as(who), team_, app.id, request, client());
  }

  UserRecord member_ = user("member@example.com", "Member");
};

TEST_F(DeploymentPolicyTest, AMemberDeploysAGuardedAppAsItIsButOverridesNothing) {
  const AppRecord app = privileged_app();
  EXPECT_TRUE(deploy(member_, app).has_value());
  auto image = deploy(member_, app, {.ref = {}, .image = "evil/root:1"});
  ASSERT_FALSE(image.has_value());
  EXPECT_EQ(image.error().code, "admin_required");
  EXPECT_EQ(image.error().details["field"], "image");
  EXPECT_TRUE(deploy(owner_, app, {.ref = {}, .image = "registry.test/tools:2"}).has_value());
  // On an ordinary app a member may deploy any image (they may edit it anyway).
  const AppRecord web = add_app("web", {{"type", "image"}, {"image", "nginx:1.27"}});
  EXPECT_TRUE(deploy(member_, web, {.ref = {}, .image = "nginx:1.28"}).has_value());
}

TEST_F(DeploymentPolicyTest, ARollbackRunsThePolicyAgainstTheCaller) {
  AppRecord app = privileged_app();
  const json same_spec = {{"source", app.source}, {"settings", app.settings}};
  json other_spec = same_spec;
  other_spec["source"]["image"] = "registry.test/debug:0";
  const DeploymentRecord older_same = past(app, same_spec, "sha256:aaa");
  const DeploymentRecord older_other = past(app, other_spec, "sha256:bbb");
  serve(app, 31000);

  auto refused = deployments_->rollback(as(member_), team_, app.id, older_other.id, client());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "admin_required");
  EXPECT_EQ(refused.error().details["field"], "source.image");
  // The same spec at an earlier image id is what an admin approved.
  EXPECT_TRUE(deployments_->rollback(as(member_), team_, app.id, older_same.id, client()));
  EXPECT_TRUE(deployments_->rollback(as(owner_), team_, app.id, older_other.id, client()));
}

TEST_F(DeploymentPolicyTest, AHookDeploysOnlyTheAppsOwnImage) {
  const AppRecord web = add_app("web", {{"type", "image"}, {"image", "ghcr.io/acme/web:1"}});
  auto hook = triggers_.create_deploy_hook(as(member_), team_, web.id, client());
  ASSERT_TRUE(hook) << hook.error().message;
  const std::string token = hook->url.substr(hook->url.rfind('/') + 1);
  const auto fire = [&](const std::string& image) {
    return triggers_.receive_deploy_hook(token, DeployRequest{.ref = {}, .image = image}, client());
  };
  EXPECT_TRUE(fire("ghcr.io/acme/web:2").has_value());
  EXPECT_TRUE(fire("ghcr.io/acme/web@sha256:0123456789abcdef0123456789abcdef").has_value());
  auto foreign = fire("ghcr.io/evil/miner:1");
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().details["field"], "image");

  const AppRecord root = privileged_app();
  auto root_hook = triggers_.create_deploy_hook(as(owner_), team_, root.id, client());
  ASSERT_TRUE(root_hook);
  const std::string root_token = root_hook->url.substr(root_hook->url.rfind('/') + 1);
  EXPECT_EQ(
      triggers_
          .receive_deploy_hook(root_token,
                               DeployRequest{.ref = {}, .image = "registry.test/tools:9"}, client())
          .error()
          .code,
      "admin_required");
  EXPECT_TRUE(triggers_.receive_deploy_hook(root_token, DeployRequest{}, client()));
}

}  // namespace
}  // namespace berth::testing
