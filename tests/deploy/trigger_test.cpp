// The webhook's signature check, event handling and de-duplication, and deploy hooks.
#include <gtest/gtest.h>

#include <thread>

#include "core/crypto.hpp"
#include "deploy/deploy_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class TriggerTest : public DeployTest {
 protected:
  // Rotates the app's webhook; the secret.
  std::string rotate(const AppRecord& app) {
    auto made = triggers_.rotate_webhook(as(owner_), team_, app.id, client());
    EXPECT_TRUE(made) << (made ? "" : made.error().message);
    return made ? made->secret : "";
  }

  static WebhookDelivery github(const AppRecord& app, const std::string& secret,
                                const std::string& body, const std::string& event = "push",
                                const std::string& delivery = "") {
    return WebhookDelivery{.app_id = app.id,
                           .body = body,
                           .github_event = event,
                           .signature = "sha256=" + crypto::hmac_sha256_hex_any_key(secret, body),
                           .delivery_id = delivery};
  }

  AppRecord git_app_ =
      add_app("web", {{"type", "git"}, {"repository", "file:///srv/repo.git"}, {"branch", "main"}});
};

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

TEST_F(TriggerTest, ASignedPushToTheBranchDeploysThatCommit) {
  const std::string secret = rotate(git_app_);
  const std::string body =
      json{{"ref", "refs/heads/main"}, {"after", kCommit}, {"repository", {{"name", "r"}}}}.dump();
  auto answer = triggers_.receive_webhook(github(git_app_, secret, body, "push", "d-1"));
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_TRUE(answer->deployed);
  const auto all = deployments_of(git_app_.id);
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].id, answer->deployment_id);
  EXPECT_EQ(all[0].ref, kCommit);
  EXPECT_EQ(all[0].trigger, "webhook");
}

TEST_F(TriggerTest, TheMezzanineCurlExampleWorksVerbatim) {
  // printf '%s' '{"ref":"refs/heads/main"}' | openssl dgst -sha256 -hmac "$SECRET": no event
  // header, no delivery id.
  const std::string secret = rotate(git_app_);
  const std::string body = R"({"ref":"refs/heads/main"})";
  auto answer = triggers_.receive_webhook(github(git_app_, secret, body, ""));
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_TRUE(answer->deployed);
  EXPECT_EQ(deployments_of(git_app_.id).at(0).ref, "main");
}

TEST_F(TriggerTest, AWrongOrMissingSignatureIsRefusedAndDeploysNothing) {
  const std::string secret = rotate(git_app_);
  const std::string body = R"({"ref":"refs/heads/main"})";
  auto tampered = github(git_app_, secret, body);
  tampered.body = R"({"ref":"refs/heads/main","x":1})";
  for (auto delivery : {tampered, github(git_app_, "other-secret", body),
                        WebhookDelivery{.app_id = git_app_.id, .body = body}}) {
    auto answer = triggers_.receive_webhook(delivery);
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().kind, ErrorKind::unauthenticated);
  }
  EXPECT_TRUE(deployments_of(git_app_.id).empty());
}

TEST_F(TriggerTest, AReplayedDeliveryIdDoesNothing) {
  const std::string secret = rotate(git_app_);
  const std::string body = R"({"ref":"refs/heads/main"})";
  ASSERT_TRUE(triggers_.receive_webhook(github(git_app_, secret, body, "push", "same"))->deployed);
  auto again = triggers_.receive_webhook(github(git_app_, secret, body, "push", "same"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->deployed);
  EXPECT_EQ(again->reason, "duplicate delivery");
  EXPECT_EQ(deployments_of(git_app_.id).size(), 1U);
}

TEST_F(TriggerTest, ADeliveryWithoutAnIdIsKnownByItsBody) {
  const std::string secret = rotate(git_app_);
  const std::string body = json{{"ref", "refs/heads/main"}, {"after", kCommit}}.dump();
  ASSERT_TRUE(triggers_.receive_webhook(github(git_app_, secret, body, "push"))->deployed);
  auto replayed = triggers_.receive_webhook(github(git_app_, secret, body, "push"));
  ASSERT_TRUE(replayed);
  EXPECT_FALSE(replayed->deployed);
  EXPECT_EQ(replayed->reason, "duplicate delivery");
  EXPECT_EQ(deployments_of(git_app_.id).size(), 1U);
}

TEST_F(TriggerTest, AnOldPushReplayedUnderANewIdDoesNotTakeTheAppBack) {
  // A week later the delivery id is forgotten; the commit it carried is not.
  const std::string old_commit = std::string(40, 'a');
  DeploymentRecord old{.id = ids_.next("dep"),
                       .team_id = team_,
                       .app_id = git_app_.id,
                       .server_id = server_.id,
                       .state = DeploymentState::succeeded,
                       .created_at = clock_.now()};
  old.artifact = {{"image", "berth/web:aaaaaaaaaaaa"}, {"commit", old_commit}};
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.create_deployment(old); }));
  serve(git_app_, 31000);  // a newer deployment serves now
  const std::string secret = rotate(git_app_);
  const std::string body = json{{"ref", "refs/heads/main"}, {"after", old_commit}}.dump();
  auto replayed = triggers_.receive_webhook(github(git_app_, secret, body, "push", "new-id"));
  ASSERT_TRUE(replayed) << replayed.error().message;
  EXPECT_FALSE(replayed->deployed);
  EXPECT_NE(replayed->reason.find("roll back"), std::string::npos) << replayed->reason;
  const std::string fresh = json{{"ref", "refs/heads/main"}, {"after", kCommit}}.dump();
  EXPECT_TRUE(triggers_.receive_webhook(github(git_app_, secret, fresh, "push", "d-2"))->deployed);
}

TEST_F(TriggerTest, PingAndOtherBranchesAnswerWithoutDeploying) {
  const std::string secret = rotate(git_app_);
  auto ping = triggers_.receive_webhook(github(git_app_, secret, R"({"zen":"x"})", "ping"));
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->reason, "pong");
  auto other = triggers_.receive_webhook(
      github(git_app_, secret, R"({"ref":"refs/heads/feature"})", "push"));
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->deployed);
  auto issue = triggers_.receive_webhook(github(git_app_, secret, "{}", "issues"));
  ASSERT_TRUE(issue);
  EXPECT_FALSE(issue->deployed);
  EXPECT_TRUE(deployments_of(git_app_.id).empty());
}

TEST_F(TriggerTest, GitlabPushesCarryTheSecretAsAToken) {
  const std::string secret = rotate(git_app_);
  const std::string body = R"({"object_kind":"push","ref":"refs/heads/main"})";
  auto good = triggers_.receive_webhook(WebhookDelivery{
      .app_id = git_app_.id, .body = body, .gitlab_event = "Push Hook", .gitlab_token = secret});
  ASSERT_TRUE(good);
  EXPECT_TRUE(good->deployed);
  auto bad = triggers_.receive_webhook(WebhookDelivery{.app_id = git_app_.id,
                                                       .body = body,
                                                       .gitlab_event = "Push Hook",
                                                       .gitlab_token = secret + "x"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::unauthenticated);
}

TEST_F(TriggerTest, AnAppWithoutAWebhookIsNotFound) {
  auto answer = triggers_.receive_webhook(github(git_app_, "x", "{}"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::not_found);
}

TEST_F(TriggerTest, AViewerCannotMintAWebhookSecret) {
  const UserRecord viewer = user("viewer@example.com", "Viewer");
  put(team_, viewer, Role::viewer);
  auto made = triggers_.rotate_webhook(as(viewer), team_, git_app_.id, client());
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().kind, ErrorKind::forbidden);
}

TEST_F(TriggerTest, ADeployHookDeploysAndIsStoredOnlyAsAHash) {
  auto hook = triggers_.create_deploy_hook(as(owner_), team_, git_app_.id, client());
  ASSERT_TRUE(hook) << hook.error().message;
  const std::string token = hook->url.substr(hook->url.rfind('/') + 1);
  EXPECT_NE(hook->hook.token_hash, token);
  auto deployed = triggers_.receive_deploy_hook(token, DeployRequest{}, client());
  ASSERT_TRUE(deployed) << deployed.error().message;
  EXPECT_EQ(deployed->trigger, "deploy_hook");
  auto unknown = triggers_.receive_deploy_hook("bdh_nope", DeployRequest{}, client());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  ASSERT_TRUE(
      triggers_.delete_deploy_hook(as(owner_), team_, git_app_.id, hook->hook.id, client()));
  EXPECT_FALSE(triggers_.receive_deploy_hook(token, DeployRequest{}, client()));
}

TEST_F(TriggerTest, ANewerRequestSupersedesAQueuedDeployment) {
  // No agent is connected, so the first deployment's first job waits: it is running, the
  // second queues, and a third replaces the second.
  auto first = deployments_->deploy(as(owner_), team_, git_app_.id, {}, client());
  ASSERT_TRUE(first);
  // The worker picks the first one up on its own thread: until then it is queued, and the
  // second would supersede it.
  for (int i = 0; i < 500; ++i) {
    const auto now = deployments_of(git_app_.id);
    if (!now.empty() && now.at(0).state != DeploymentState::queued) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(deployments_of(git_app_.id).at(0).state, DeploymentState::running);
  auto second = deployments_->deploy(as(owner_), team_, git_app_.id, {}, client());
  auto third = deployments_->deploy(as(owner_), team_, git_app_.id, {}, client());
  ASSERT_TRUE(second && third);
  const auto all = deployments_of(git_app_.id);
  int superseded = 0;
  for (const auto& deployment : all) {
    superseded += deployment.state == DeploymentState::superseded ? 1 : 0;
  }
  EXPECT_EQ(superseded, 1);
}

TEST_F(TriggerTest, BadRefsAndImagesAreRefusedBeforeAnythingIsStored) {
  for (const std::string ref :
       {"--upload-pack=touch /tmp/x", "a;b", "$(id)", "a b", "a\nb", "`id`", "../x"}) {
    auto made = deployments_->deploy(as(owner_), team_, git_app_.id,
                                     DeployRequest{.ref = ref, .image = {}}, client());
    ASSERT_FALSE(made) << ref;
    EXPECT_EQ(made.error().kind, ErrorKind::invalid) << ref;
  }
  EXPECT_TRUE(deployments_of(git_app_.id).empty());
}

}  // namespace
}  // namespace berth::testing
