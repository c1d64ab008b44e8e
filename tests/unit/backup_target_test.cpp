// Where berthd's own backups go: s3://bucket/key with the settings of the environment (the AWS
// CLI's names), refused plainly when something is missing.
#include "berthd/backup_target.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace berth {
namespace {

EnvLookup env_of(const std::map<std::string, std::string>& values) {
  return [values](const char* name) -> const char* {
    const auto found = values.find(name);
    return found == values.end() ? nullptr : found->second.c_str();
  };
}

const std::map<std::string, std::string> kKeys = {{"AWS_ACCESS_KEY_ID", "AKID"},
                                                  {"AWS_SECRET_ACCESS_KEY", "secret"}};

TEST(BackupTarget, AwsByDefaultWithTheRegionOfTheEnvironment) {
  EXPECT_TRUE(is_s3_target("s3://b/k"));
  EXPECT_FALSE(is_s3_target("/var/backups/b.backup"));
  auto env = kKeys;
  env["AWS_DEFAULT_REGION"] = "eu-central-1";
  auto target = s3_location("s3://team-backups/berth/2026/b.backup", env_of(env));
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->settings.bucket, "team-backups");
  EXPECT_EQ(target->key, "berth/2026/b.backup");
  EXPECT_EQ(target->settings.region, "eu-central-1");
  EXPECT_EQ(target->settings.endpoint, "https://s3.eu-central-1.amazonaws.com");
  EXPECT_FALSE(target->settings.path_style);
  EXPECT_EQ(target->settings.access_key_id, "AKID");
  EXPECT_EQ(target->settings.secret_access_key, "secret");
  env["AWS_REGION"] = "us-west-2";  // wins over AWS_DEFAULT_REGION, as in the AWS CLI
  EXPECT_EQ(s3_location("s3://b/k", env_of(env))->settings.region, "us-west-2");
}

TEST(BackupTarget, AnEndpointOfItsOwnIsPathStyleUnlessSaidOtherwise) {
  auto env = kKeys;
  env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9000/";
  auto target = s3_location("s3://b/k", env_of(env));
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->settings.endpoint, "http://127.0.0.1:9000");
  EXPECT_TRUE(target->settings.path_style);
  env["BERTH_S3_PATH_STYLE"] = "0";
  EXPECT_FALSE(s3_location("s3://b/k", env_of(env))->settings.path_style);
  env["BERTH_S3_PATH_STYLE"] = "yes";
  EXPECT_FALSE(s3_location("s3://b/k", env_of(env)));
}

TEST(BackupTarget, WhatIsMissingOrMalformedIsSaid) {
  for (const char* url : {"s3://", "s3://bucket", "s3://bucket/", "s3:///key"}) {
    auto target = s3_location(url, env_of(kKeys));
    ASSERT_FALSE(target) << url;
    EXPECT_NE(target.error().message.find("give the bucket and the object's key"),
              std::string::npos)
        << url;
  }
  auto no_keys = s3_location("s3://b/k", env_of({{"AWS_ACCESS_KEY_ID", "AKID"}}));
  ASSERT_FALSE(no_keys);
  EXPECT_NE(no_keys.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  auto env = kKeys;
  env["AWS_ENDPOINT_URL"] = "ftp://storage";
  EXPECT_FALSE(s3_location("s3://b/k", env_of(env)));
}

}  // namespace
}  // namespace berth
