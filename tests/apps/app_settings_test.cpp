// AppSettings: the one place that knows the defaults, and the JSON shape it is stored in.
#include "domain/apps/app_settings.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

using nlohmann::json;

TEST(AppSettings, MissingFieldsGetTheDefaults) {
  const AppSettings settings = settings_from_json(json::object());
  EXPECT_FALSE(settings.port);
  EXPECT_EQ(settings.health.path, "/");
  EXPECT_EQ(settings.health.interval_s, 2);
  EXPECT_EQ(settings.health.retries, 15);
  EXPECT_EQ(settings.drain_grace_s, 5);
  EXPECT_EQ(settings.pull_policy, "always");
  EXPECT_EQ(settings.network_mode, "bridge");
  EXPECT_FALSE(settings.command);
  EXPECT_EQ(to_json(settings),
            json::parse(R"({"health":{"path":"/","interval_s":2,"timeout_s":2,"retries":15,
                "start_period_s":0},"resources":{"cpus":0,"memory_mb":0},"volumes":[],
                "privileged":false,"network_mode":"bridge","drain_grace_s":5,
                "pull_policy":"always"})"));
}

TEST(AppSettings, WhatIsGivenSurvivesTheRoundTrip) {
  const json given = json::parse(R"({"port":8080,"health":{"path":"/ready","interval_s":0.5,
      "timeout_s":1,"retries":3,"start_period_s":1.25},"resources":{"cpus":0.5,"memory_mb":256},
      "volumes":[{"source":"data","target":"/data","read_only":true}],"command":["serve","-v"],
      "privileged":true,"network_mode":"host","drain_grace_s":0,"pull_policy":"never"})");
  EXPECT_EQ(to_json(settings_from_json(given)), given);
}

TEST(AppSettings, OddStoredValuesFallBackToTheDefaults) {
  const AppSettings settings =
      settings_from_json(json::parse(R"({"port":"80","drain_grace_s":"x","health":[1]})"));
  EXPECT_FALSE(settings.port);
  EXPECT_EQ(settings.drain_grace_s, 5);
  EXPECT_EQ(settings.health.path, "/");
}

}  // namespace
}  // namespace berth
