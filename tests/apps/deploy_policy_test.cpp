// The deploy policy (deploy_policy.hpp): what makes an app guarded, and which changes a member
// may make to an ordinary and to a guarded app.

#include "domain/apps/deploy_policy.hpp"

#include <gtest/gtest.h>

#include "domain/apps/app_spec.hpp"

namespace berth {
namespace {

using nlohmann::json;

const json kImage = {{"type", "image"}, {"image", "nginx:1.27"}};

json settings_with(const json& patch = json::object()) {
  json settings = {{"port", 8080}};
  settings.merge_patch(patch);
  auto normalized = normalize_settings(settings, "image");
  EXPECT_TRUE(normalized.has_value()) << normalized.error().message;
  return normalized.value_or(json::object());
}

std::optional<std::string> guard(const json& source, const json& settings) {
  return guard_of(RunSpec{source, settings, "srv_1"});
}

TEST(DeployPolicy, WhatMakesAnAppGuarded) {
  EXPECT_EQ(guard(kImage, settings_with()), std::nullopt);
  EXPECT_EQ(guard({{"type", "workflow"}, {"steps", json::array()}}, settings_with()),
            "source.steps");
  EXPECT_EQ(guard(kImage, settings_with({{"privileged", true}})), "settings.privileged");
  EXPECT_EQ(guard(kImage, settings_with({{"network_mode", "host"}})), "settings.network_mode");
  EXPECT_EQ(guard(kImage, settings_with({{"volumes",
                                          {{{"source", "data"}, {"target", "/data"}},
                                           {{"source", "/var/run/docker.sock"},
                                            {"target", "/var/run/docker.sock"}}}}})),
            "settings.volumes[1].source");
  EXPECT_EQ(guard(kImage, settings_with({{"volumes", {{{"source", "data"}, {"target", "/d"}}}}})),
            std::nullopt);
  for (const char* repository : {"file:///srv/repo.git", "http://10.0.0.5/repo.git"}) {
    EXPECT_EQ(guard({{"type", "git"}, {"repository", repository}}, settings_with()),
              "source.repository")
        << repository;
  }
  EXPECT_EQ(guard({{"type", "git"}, {"repository", "https://github.com/a/b.git"}}, settings_with()),
            std::nullopt);
}

TEST(DeployPolicy, OnAnOrdinaryAppAMemberMayChangeAnythingButAddAGuard) {
  const json settings = settings_with();
  const RunSpec before{kImage, settings, "srv_1"};
  const json other_image = {{"type", "image"}, {"image", "redis:7"}};
  const json other_settings = settings_with({{"port", 6379}, {"command", {"redis-server"}}});
  EXPECT_EQ(admin_only_change(before, RunSpec{other_image, other_settings, "srv_2"}), std::nullopt);
  EXPECT_EQ(
      admin_only_change(before, RunSpec{kImage, settings_with({{"privileged", true}}), "srv_1"}),
      "settings.privileged");
  const json workflow = {{"type", "workflow"}, {"steps", {{{"name", "x"}, {"shell", "id"}}}}};
  EXPECT_EQ(admin_only_change(before, RunSpec{workflow, settings, "srv_1"}), "source.steps");
  EXPECT_EQ(admin_only_change(std::nullopt, RunSpec{workflow, settings, "srv_1"}), "source.steps");
  EXPECT_EQ(admin_only_change(std::nullopt, RunSpec{kImage, settings, "srv_1"}), std::nullopt);
}

TEST(DeployPolicy, OnAGuardedAppOnlyWhatDoesNotDecideWhatRunsMayChange) {
  const json settings = settings_with({{"privileged", true}});
  const RunSpec before{kImage, settings, "srv_1"};
  const auto change = [&](const json& patch, const json& source = kImage,
                          std::string_view server = "srv_1") {
    json after = settings;
    after.merge_patch(patch);
    return admin_only_change(before, RunSpec{source, after, server});
  };
  EXPECT_EQ(change({{"health", {{"path", "/ready"}}}}), std::nullopt);
  EXPECT_EQ(change({{"resources", {{"memory_mb", 256}}}, {"drain_grace_s", 10}}), std::nullopt);
  EXPECT_EQ(change({{"port", 9090}}), "settings.port");
  EXPECT_EQ(change({{"command", {"sh", "-c", "id"}}}), "settings.command");
  EXPECT_EQ(change({{"volumes", {{{"source", "data"}, {"target", "/d"}}}}}), "settings.volumes");
  EXPECT_EQ(change({{"privileged", false}}), "settings.privileged");
  EXPECT_EQ(change(json::object(), json{{"type", "image"}, {"image", "nginx:1.28"}}),
            "source.image");
  EXPECT_EQ(change(json::object(), kImage, "srv_2"), "server_id");
}

TEST(DeployPolicy, MembersNamedVolumesGoIntoTheTeamsNamespace) {
  json settings = settings_with({{"volumes",
                                  {{{"source", "data"}, {"target", "/data"}},
                                   {{"source", "team_1-cache"}, {"target", "/cache"}},
                                   {{"source", "legacy"}, {"target", "/legacy"}}}}});
  const json before = settings_with({{"volumes", {{{"source", "legacy"}, {"target", "/legacy"}}}}});
  ASSERT_TRUE(namespace_member_volumes(settings, before, "team_1"));
  EXPECT_EQ(settings["volumes"][0]["source"], "team_1-data");
  EXPECT_EQ(settings["volumes"][1]["source"], "team_1-cache");  // already in the namespace
  EXPECT_EQ(settings["volumes"][2]["source"], "legacy");        // an admin's, kept as it was
  json long_name =
      settings_with({{"volumes", {{{"source", std::string(125, 'v')}, {"target", "/v"}}}}});
  auto too_long = namespace_member_volumes(long_name, json(), "team_1");
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().details["field"], "settings.volumes[0].source");
  EXPECT_EQ(admin_required_error("settings.privileged").code, "admin_required");
  EXPECT_EQ(admin_required_error("settings.privileged").kind, ErrorKind::forbidden);
}

}  // namespace
}  // namespace berth
