// Triggers with real parts — a GitHub-format push signed with `openssl dgst -sha256 -hmac` as
// the Mezzanine seed's curl example does, and a CI deploy hook — and the injection payloads
// that command-injection CVEs of other panels were made of, refused at the API.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "system/deploy_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TriggerTest : public DeployTest {
 protected:
  // The hex HMAC-SHA256 of `body` under `secret`, from the real openssl with the body on stdin.
  std::string openssl_hmac(const std::string& secret, const std::string& body) {
    const fs::path file = dir_.path() / "hook-body";
    std::ofstream(file, std::ios::binary) << body;
    const CommandResult signed_ =
        run_command({"openssl", "dgst", "-sha256", "-hmac", secret}, {}, file.string());
    EXPECT_EQ(signed_.exit_code, 0) << signed_.output;
    const auto equals = signed_.output.rfind("= ");
    std::string hex = equals == std::string::npos ? "" : signed_.output.substr(equals + 2);
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) {
      hex.pop_back();
    }
    EXPECT_EQ(hex.size(), 64u) << signed_.output;
    return hex;
  }
  HttpResponse post_hook(const std::string& path, const std::string& body,
                         const std::map<std::string, std::string>& headers) {
    auto all = headers;
    all["Content-Type"] = "application/json";
    return http_request(port(), "POST", path, body, all);
  }
  std::size_t deployment_count(const std::string& app_id) {
    const HttpResponse listed = api("GET", "/api/v1/apps/" + app_id + "/deployments?per_page=100");
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.status == 200 ? listed.json().value("data", json::array()).size() : 0;
  }
};

// The path of an absolute URL berthd printed (its host may be a public URL we do not listen on).
std::string path_of(const std::string& url) {
  const auto at = url.find("/api/v1/");
  return at == std::string::npos ? url : url.substr(at);
}

TEST_F(TriggerTest, ASignedPushDeploysAndForgedOrReplayedOnesDoNothing) {
  const std::string id = create_app("hooked", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  const HttpResponse rotated = api("POST", "/api/v1/apps/" + id + "/webhook/rotate");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string secret = rotated.json()["secret"];
  const std::string hook = path_of(rotated.json()["url"]);
  ASSERT_EQ(hook, "/api/v1/hooks/" + id);

  const std::string body =
      R"({"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000",)"
      R"("after":"1111111111111111111111111111111111111111","repository":{"full_name":"acme/web"},)"
      R"("head_commit":{"id":"1111111111111111111111111111111111111111","message":"ship it"}})";
  const std::string signature = "sha256=" + openssl_hmac(secret, body);
  const std::map<std::string, std::string> push = {
      {"X-GitHub-Event", "push"},
      {"X-GitHub-Delivery", "6f1c0a4e-0b7d-11ef-8f8a-1d2c3b4a5e6f"},
      {"X-Hub-Signature-256", signature}};
  const HttpResponse accepted = post_hook(hook, body, push);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  ASSERT_TRUE(accepted.json().value("deployed", false)) << accepted.body;
  const json done = wait_deployment(accepted.json()["deployment_id"]);
  EXPECT_TRUE(succeeded(done));
  EXPECT_EQ(through_proxy("hooked.test").body, "v1\n");
  const std::size_t after_push = deployment_count(id);
  EXPECT_EQ(after_push, 1u);

  auto forged = push;
  forged["X-GitHub-Delivery"] = "6f1c0a4e-0b7d-11ef-8f8a-000000000001";
  forged["X-Hub-Signature-256"] = "sha256=" + std::string(64, '0');
  EXPECT_EQ(post_hook(hook, body, forged).status, 401);
  auto unsigned_push = push;
  unsigned_push.erase("X-Hub-Signature-256");
  unsigned_push["X-GitHub-Delivery"] = "6f1c0a4e-0b7d-11ef-8f8a-000000000002";
  EXPECT_EQ(post_hook(hook, body, unsigned_push).status, 401);
  // The right signature over another body is forged too.
  forged["X-Hub-Signature-256"] = signature;
  EXPECT_EQ(post_hook(hook, body + " ", forged).status, 401);

  const HttpResponse replayed = post_hook(hook, body, push);
  EXPECT_EQ(replayed.status, 202) << replayed.body;
  EXPECT_FALSE(replayed.json().value("deployed", true)) << replayed.body;
  EXPECT_EQ(replayed.json().value("reason", ""), "duplicate delivery") << replayed.body;

  const std::string ping_body = R"({"zen":"Keep it logically awesome.","hook_id":1})";
  const HttpResponse ping =
      post_hook(hook, ping_body,
                {{"X-GitHub-Event", "ping"},
                 {"X-GitHub-Delivery", "6f1c0a4e-0b7d-11ef-8f8a-000000000003"},
                 {"X-Hub-Signature-256", "sha256=" + openssl_hmac(secret, ping_body)}});
  EXPECT_TRUE(ping.status == 200 || ping.status == 202) << ping.status << " " << ping.body;
  EXPECT_FALSE(ping.json().value("deployed", true)) << ping.body;
  EXPECT_EQ(deployment_count(id), after_push) << "a forged, replayed or ping delivery deployed";
}

TEST_F(TriggerTest, ADeployHookUrlDeploys) {
  const std::string id = create_app("cihook", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  const HttpResponse made = api("POST", "/api/v1/apps/" + id + "/deploy-hooks");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string url = made.json()["url"];
  const HttpResponse fired = http_request(port(), "POST", path_of(url));
  ASSERT_EQ(fired.status, 202) << fired.body;
  const json done = wait_deployment(fired.json()["id"]);
  EXPECT_TRUE(succeeded(done));
  EXPECT_EQ(through_proxy("cihook.test").body, "v1\n");
  EXPECT_EQ(http_request(port(), "POST", "/api/v1/hooks/deploy/bdh_not-a-token").status, 404);
  // The token is the hook's only credential: it must not reach the access log.
  const std::string token = url.substr(url.rfind('/') + 1);
  berthd_->stop();
  const std::string log = berthd_->log();
  EXPECT_NE(log.find("/api/v1/hooks/deploy/bdh_[redacted]"), std::string::npos) << log;
  EXPECT_EQ(log.find(token), std::string::npos) << "berthd logged the deploy hook's token";
}

}  // namespace
}  // namespace berth::testing
