// Injection: names, branches, refs, images, env keys and repository URLs shaped like the
// command-injection CVEs of other panels are refused at the API (400/422), and the file each
// payload would create never appears — on the host, where the agent runs git and docker.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "system/deploy_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class InjectionTest : public DeployTest {
 protected:
  void SetUp() override {
    DeployTest::SetUp();
    pwned_ = "/tmp/berth-pwned-" + std::to_string(::getpid());
    fs::remove(pwned_);
  }
  void TearDown() override {
    fs::remove(pwned_);
    DeployTest::TearDown();
  }
  // The payloads a field is tried with; each would create pwned_ if a shell or an option
  // parser ever saw it.
  std::vector<std::string> payloads() const {
    const std::string touch = "touch " + pwned_;
    return {"a;" + touch,
            "$(" + touch + ")",
            "`" + touch + "`",
            "--upload-pack=" + touch,
            "a\n" + touch,
            "a b",
            "-oProxyCommand=" + touch,
            "a|" + touch,
            "a&&" + touch};
  }
  void expect_refused(const HttpResponse& response, const std::string& what) {
    EXPECT_TRUE(response.status == 400 || response.status == 422)
        << what << " was answered " << response.status << ": " << response.body;
    if (response.status == 202 && response.body.find("\"id\"") != std::string::npos) {
      accepted_.push_back(response.json().value("id", ""));
    }
  }
  json git_source(const std::string& repository, const std::string& branch) const {
    return {{"type", "git"},
            {"repository", repository},
            {"branch", branch},
            {"dockerfile", "Dockerfile"},
            {"context", "."}};
  }
  json app_body(const std::string& name, const json& source) const {
    return {{"name", name},
            {"server_id", server_id_},
            {"source", source},
            {"settings", fast_settings()}};
  }

  std::string pwned_;
  std::vector<std::string> accepted_;  // deployments wrongly accepted, waited on before the check
};

TEST_F(InjectionTest, HostilePayloadsAreRefusedAndNeverExecuted) {
  const std::string repo = "file://" + (dir_.path() / "repo.git").string();
  for (const auto& payload : payloads()) {
    expect_refused(api("POST", "/api/v1/apps", app_body(payload, image_source(kAppV1))),
                   "app name " + json(payload).dump());
    expect_refused(api("POST", "/api/v1/apps", app_body("img", image_source(payload))),
                   "image " + json(payload).dump());
    expect_refused(api("POST", "/api/v1/apps", app_body("br", git_source(repo, payload))),
                   "branch " + json(payload).dump());
  }
  for (const std::string image : {"--privileged", "-v/:/host", "busybox --privileged"}) {
    expect_refused(api("POST", "/api/v1/apps", app_body("img", image_source(image))),
                   "image " + image);
  }
  const std::string touch = "touch% " + pwned_;
  for (const std::string& url :
       {"ext::sh -c " + touch, "ext::sh -c touch% " + pwned_, "-oProxyCommand=touch " + pwned_,
        "--upload-pack=touch " + pwned_, "file:///tmp/x;touch " + pwned_,
        "file:///tmp/$(touch " + pwned_ + ")", "ssh://-oProxyCommand=touch " + pwned_ + "/x",
        std::string("fd::17"), "https://example.com/`touch " + pwned_ + "`.git"}) {
    expect_refused(api("POST", "/api/v1/apps", app_body("repo", git_source(url, "main"))),
                   "repository " + url);
  }
  const HttpResponse apps = api("GET", "/api/v1/apps");
  EXPECT_EQ(apps.status, 200);
  EXPECT_EQ(apps.body.find(pwned_), std::string::npos) << "an app kept a payload: " << apps.body;

  // Fields of apps that exist: env keys, a deployment's image and ref.
  const std::string image_id = create_app("inert", image_source(kAppV1));
  const std::string git_id = create_app("inert-git", git_source(repo, "main"));
  ASSERT_FALSE(image_id.empty());
  ASSERT_FALSE(git_id.empty());
  for (const std::string key : {"A;B", "$(id)", "A B", "A\nB", "`id`", "--x", "A=B"}) {
    expect_refused(api("PATCH", "/api/v1/apps/" + image_id + "/env",
                       {{"vars", {{{"key", key}, {"value", "v"}, {"secret", false}}}}}),
                   "env key " + json(key).dump());
  }
  for (const auto& payload : payloads()) {
    expect_refused(api("POST", "/api/v1/apps/" + image_id + "/deployments", {{"image", payload}}),
                   "deployment image " + json(payload).dump());
    expect_refused(api("POST", "/api/v1/apps/" + git_id + "/deployments", {{"ref", payload}}),
                   "deployment ref " + json(payload).dump());
  }
  expect_refused(
      api("POST", "/api/v1/apps/" + image_id + "/deployments", {{"image", "--privileged"}}),
      "deployment image --privileged");
  expect_refused(api("PATCH", "/api/v1/apps/" + git_id,
                     {{"source", git_source(repo, "--upload-pack=touch " + pwned_)}}),
                 "PATCH branch --upload-pack");

  // Anything wrongly accepted has run its course before the file is looked for.
  for (const auto& id : accepted_) {
    if (!id.empty()) {
      wait_deployment(id);
    }
  }
  EXPECT_FALSE(fs::exists(pwned_)) << "a payload was executed: " << pwned_ << " exists";
}

}  // namespace
}  // namespace berth::testing
