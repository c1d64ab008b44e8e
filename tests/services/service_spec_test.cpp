#include "domain/services/service_spec.hpp"

#include <gtest/gtest.h>

#include "support/fakes.hpp"

namespace berth {
namespace {

using nlohmann::json;

TEST(ServiceSpec, DefaultsToTheNewestVersionOfTheOfficialImage) {
  auto service = normalize_service(json{{"name", "orders-db"}, {"engine", "postgres"}});
  ASSERT_TRUE(service) << service.error().message;
  EXPECT_EQ(*service, json::parse(R"({"name":"orders-db","engine":"postgres","version":"17",
      "image":"postgres:17","memory_bytes":536870912,"nano_cpus":0,"publish":null})"));
  auto valkey = normalize_service(json{{"name", "cache"}, {"engine", "valkey"}, {"version", 7}});
  ASSERT_TRUE(valkey) << valkey.error().message;
  EXPECT_EQ((*valkey)["image"], "valkey/valkey:7");
  auto offline = normalize_service(json{{"name", "db"},
                                        {"engine", "mariadb"},
                                        {"image", "berth-test/mariadb:10.11"},
                                        {"memory_bytes", 0},
                                        {"publish", {{"host_port", 15432}}}});
  ASSERT_TRUE(offline) << offline.error().message;
  EXPECT_EQ((*offline)["version"], "11");
  EXPECT_EQ((*offline)["image"], "berth-test/mariadb:10.11");
  EXPECT_EQ((*offline)["memory_bytes"], 0);
  EXPECT_EQ((*offline)["publish"], json::parse(R"({"host_ip":"127.0.0.1","host_port":15432})"));
}

TEST(ServiceSpec, RefusesWhatItCannotRun) {
  const auto field_of = [](json body) {
    auto result = normalize_service(body);
    return result ? std::string("accepted") : result.error().details.value("field", "?");
  };
  EXPECT_EQ(field_of({{"engine", "postgres"}}), "name");
  EXPECT_EQ(field_of({{"name", "Bad Name"}, {"engine", "postgres"}}), "name");
  EXPECT_EQ(field_of({{"name", "db"}, {"engine", "oracle"}}), "engine");
  EXPECT_EQ(field_of({{"name", "db"}, {"engine", "postgres"}, {"version", "14"}}), "version");
  EXPECT_EQ(field_of({{"name", "db"}, {"engine", "mysql"}, {"version", "5.7"}}), "version");
  EXPECT_EQ(field_of({{"name", "db"}, {"engine", "redis"}, {"image", "redis:7; rm -rf /"}}),
            "image");
  EXPECT_EQ(field_of({{"name", "db"}, {"engine", "redis"}, {"memory_bytes", -1}}), "memory_bytes");
  EXPECT_EQ(field_of({{"name", "db"}, {"engine", "redis"}, {"memory_bytes", 1024}}),
            "memory_bytes");
  EXPECT_EQ(field_of({{"name", "db"}, {"engine", "redis"}, {"publish", {{"host_port", 0}}}}),
            "publish.host_port");
  EXPECT_EQ(field_of({{"name", "db"},
                      {"engine", "redis"},
                      {"publish", {{"host_port", 6379}, {"host_ip", "localhost"}}}}),
            "publish.host_ip");
  EXPECT_EQ(field_of({{"name", "db"}, {"engine", "redis"}, {"replicas", 2}}), "replicas");
}

TEST(ServiceSpec, AMinorUpgradeIsANewImageAMajorOneIsRefused) {
  const json current =
      *normalize_service(json{{"name", "db"}, {"engine", "postgres"}, {"version", "16"}});
  auto minor = apply_service_patch(current, json{{"image", "postgres:16.4-bookworm"}});
  ASSERT_TRUE(minor) << minor.error().message;
  EXPECT_EQ((*minor)["image"], "postgres:16.4-bookworm");
  EXPECT_EQ((*minor)["version"], "16");

  auto major = apply_service_patch(current, json{{"version", "17"}});
  ASSERT_FALSE(major);
  EXPECT_EQ(major.error().kind, ErrorKind::unprocessable);
  EXPECT_NE(major.error().message.find("16 to 17"), std::string::npos) << major.error().message;
  EXPECT_NE(major.error().message.find("restore"), std::string::npos);
  auto by_image = apply_service_patch(current, json{{"image", "postgres:17.2"}});
  ASSERT_FALSE(by_image);
  EXPECT_EQ(by_image.error().kind, ErrorKind::unprocessable);
  // A tag without a number says nothing about the major: the admin's choice.
  EXPECT_TRUE(apply_service_patch(current, json{{"image", "mirror.local/pg:stable"}}));

  EXPECT_FALSE(apply_service_patch(current, json{{"engine", "mysql"}}));
  EXPECT_FALSE(apply_service_patch(current, json{{"name", "other"}}));
  EXPECT_TRUE(apply_service_patch(current, json{{"name", "db"}, {"memory_bytes", 0}}));
  EXPECT_FALSE(apply_service_patch(current, json{{"nano_cpus", "lots"}}));
}

TEST(ServiceSpec, ImageMajor) {
  EXPECT_EQ(image_major("postgres:16.4-bookworm"), "16");
  EXPECT_EQ(image_major("berth-test/mariadb:10.11"), "10");
  EXPECT_EQ(image_major("registry:5000/team/redis:7"), "7");
  EXPECT_EQ(image_major("registry:5000/team/redis"), "");
  EXPECT_EQ(image_major("redis:alpine"), "");
  EXPECT_EQ(image_major("redis:7@sha256:abcd"), "7");
}

TEST(ServiceSpec, CredentialsAreNamedAfterTheServiceWithRandomPasswords) {
  testing::CountingRandom random;
  const auto sql = generate_service_credentials(*find_service_engine("mysql"), "orders-db", random);
  EXPECT_EQ(sql.user, "orders_db");
  EXPECT_EQ(sql.database, "orders_db");
  EXPECT_EQ(sql.password.size(), 48u);
  EXPECT_EQ(sql.root_password.size(), 48u);
  EXPECT_NE(sql.password, sql.root_password);
  const auto digits = generate_service_credentials(*find_service_engine("postgres"), "1db", random);
  EXPECT_EQ(digits.user, "s1db");
  EXPECT_TRUE(digits.root_password.empty());
  const auto cache = generate_service_credentials(*find_service_engine("redis"), "cache", random);
  EXPECT_TRUE(cache.user.empty());
  EXPECT_TRUE(cache.database.empty());
  EXPECT_EQ(cache.password.size(), 48u);
}

TEST(ServiceSpec, TheContainerIsPrivateToTheProjectNetwork) {
  const json service = *normalize_service(
      json{{"name", "db"}, {"engine", "postgres"}, {"image", "berth-test/postgres:15"}});
  const ServiceCredentials credentials{
      .user = "db", .password = "p4ss", .database = "db", .root_password = {}};
  const ServicePlacement placement{.container = "berth-svc-s1",
                                   .volume = "berth-svc-s1-data",
                                   .network = project_network_name("p1"),
                                   .alias = "db"};
  const json args = service_run_args(service, credentials, placement, "s1", "p1");
  EXPECT_EQ(args["image"], "berth-test/postgres:15");
  EXPECT_EQ(args["network_mode"], "berth-net-p1");
  EXPECT_EQ(args["networks"], json::parse(R"([{"name":"berth-net-p1","aliases":["db"]}])"));
  EXPECT_EQ(args["volumes"],
            json::parse(R"([{"source":"berth-svc-s1-data","target":"/var/lib/postgresql/data"}])"));
  EXPECT_EQ(args["env"], json::parse(R"({"POSTGRES_USER":"db","POSTGRES_PASSWORD":"p4ss",
      "POSTGRES_DB":"db"})"));
  EXPECT_FALSE(args.contains("ports"));
  EXPECT_FALSE(args.contains("cmd"));
  EXPECT_EQ(args["labels"]["berth.service"], "s1");
  EXPECT_EQ(args["memory_bytes"], kDefaultServiceMemory);

  // Redis: the password only in the environment, never in the command.
  const json redis = *normalize_service(
      json{{"name", "cache"}, {"engine", "redis"}, {"publish", {{"host_port", 16379}}}});
  const json redis_args = service_run_args(
      redis, {.user = {}, .password = "s3cret", .database = {}, .root_password = {}}, placement,
      "s2", "p1");
  EXPECT_EQ(redis_args["env"], json::parse(R"({"REDIS_PASSWORD":"s3cret"})"));
  EXPECT_EQ(redis_args["cmd"].dump().find("s3cret"), std::string::npos);
  EXPECT_EQ(redis_args["volumes"][0]["target"], "/data");
  EXPECT_EQ(redis_args["ports"],
            json::parse(R"([{"container":6379,"host_port":16379,"host_ip":"127.0.0.1"}])"));
}

TEST(ServiceSpec, ALinkGivesTheUrlAndItsParts) {
  const json postgres = *normalize_service(json{{"name", "db"}, {"engine", "postgres"}});
  const ServiceCredentials credentials{
      .user = "db", .password = "p4ss", .database = "db", .root_password = "root"};
  auto env = link_env(postgres, credentials, "db", "");
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(*env,
            (std::map<std::string, std::string>{{"DATABASE_URL", "postgresql://db:p4ss@db:5432/db"},
                                                {"DATABASE_HOST", "db"},
                                                {"DATABASE_PORT", "5432"},
                                                {"DATABASE_USER", "db"},
                                                {"DATABASE_PASSWORD", "p4ss"},
                                                {"DATABASE_NAME", "db"}}));
  const json cache = *normalize_service(json{{"name", "cache"}, {"engine", "valkey"}});
  auto prefixed =
      link_env(cache, {.user = {}, .password = "p", .database = {}, .root_password = {}}, "cache",
               "SESSIONS_");
  ASSERT_TRUE(prefixed) << prefixed.error().message;
  EXPECT_EQ(prefixed->at("SESSIONS_REDIS_URL"), "redis://:p@cache:6379/0");
  EXPECT_EQ(prefixed->at("SESSIONS_REDIS_PASSWORD"), "p");
  EXPECT_EQ(prefixed->count("SESSIONS_REDIS_USER"), 0u);
  for (const char* bad : {"sessions_x", "SESSIONS", "1_", "A B_", "A-B_"}) {
    auto refused = link_env(cache, credentials, "cache", bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().details["field"], "env_prefix");
  }
  const json mysql = *normalize_service(json{{"name", "db"}, {"engine", "mysql"}});
  EXPECT_EQ(link_env(mysql, credentials, "db", "")->at("DATABASE_URL"),
            "mysql://db:p4ss@db:3306/db");
}

}  // namespace
}  // namespace berth
