// The rules a backup destination's fields must follow, checked at the API boundary.
#include "domain/backups/destination_rules.hpp"

#include <gtest/gtest.h>

namespace berth::backups {
namespace {

using nlohmann::json;

json s3(json changes = json::object()) {
  json settings = {{"endpoint", "https://s3.example.com"},
                   {"bucket", "team-backups"},
                   {"access_key_id", "AKIAIOSFODNN7EXAMPLE"},
                   {"secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}};
  settings.update(changes);
  return settings;
}

json sftp(json changes = json::object()) {
  json settings = {{"host", "backup.example.com"},
                   {"user", "berth"},
                   {"path", "/srv/backups"},
                   {"password", "a password"}};
  settings.update(changes);
  return settings;
}

// The field a refused value is blamed on ("" when it was accepted).
std::string refused_field(std::string_view kind, const json& settings) {
  auto parsed = parse_destination(kind, settings);
  return parsed ? "" : parsed.error().details.value("field", "?");
}

TEST(DestinationRules, S3SplitsSettingsFromSecretsWithDefaults) {
  auto parts = parse_destination("s3", s3({{"prefix", "prod/db/"}}));
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_EQ(parts->config, (json{{"endpoint", "https://s3.example.com"},
                                 {"region", "us-east-1"},
                                 {"bucket", "team-backups"},
                                 {"prefix", "prod/db/"},
                                 {"path_style", false},
                                 {"allow_http", false},
                                 {"access_key_hint", "AKIA…MPLE"}}));
  EXPECT_EQ(parts->secrets,
            (json{{"access_key_id", "AKIAIOSFODNN7EXAMPLE"},
                  {"secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}));
  EXPECT_EQ(parts->config.dump().find("wJalr"), std::string::npos);
  auto trailing = parse_destination("s3", s3({{"prefix", "prod"}}));
  ASSERT_TRUE(trailing);
  EXPECT_EQ(trailing->config["prefix"], "prod/");
}

TEST(DestinationRules, S3EndpointIsHttpsUnlessLoopbackOrAllowed) {
  EXPECT_EQ(refused_field("s3", s3({{"endpoint", "http://s3.example.com"}})), "s3.endpoint");
  EXPECT_EQ(refused_field("s3", s3({{"endpoint", "http://s3.example.com"}, {"allow_http", true}})),
            "");
  EXPECT_EQ(refused_field("s3", s3({{"endpoint", "http://127.0.0.1:9000"}})), "");
  EXPECT_EQ(refused_field("s3", s3({{"endpoint", "http://[::1]:9000"}})), "");
  EXPECT_EQ(refused_field("s3", s3({{"endpoint", "http://localhost:9000/"}})), "");
  for (const char* bad :
       {"ftp://s3.example.com", "https://", "https://s3.example.com/path",
        "https://user@s3.example.com", "https://s3.example.com:0", "https://s3.example.com:70000",
        "https://-bad-.example.com", "https://s3 example.com", "s3.example.com"}) {
    EXPECT_EQ(refused_field("s3", s3({{"endpoint", bad}})), "s3.endpoint") << bad;
  }
}

TEST(DestinationRules, S3BucketFollowsAwsNamingRules) {
  for (const char* good : {"abc", "team.backups-1", "0bucket9"}) {
    EXPECT_EQ(refused_field("s3", s3({{"bucket", good}})), "") << good;
  }
  for (const std::string& bad :
       std::vector<std::string>{"ab", "Team", "-bucket", "bucket-", "a..b", "a.-b", "192.168.1.1",
                                "under_score", std::string(64, 'a')}) {
    EXPECT_EQ(refused_field("s3", s3({{"bucket", bad}})), "s3.bucket") << bad;
  }
}

TEST(DestinationRules, PrefixesAndPathsHaveNoDotDot) {
  for (const char* bad : {"../x", "a/../b", "/abs", "a//b", "a/./b", "a\\b", "a\nb"}) {
    EXPECT_EQ(refused_field("s3", s3({{"prefix", bad}})), "s3.prefix") << bad;
  }
  for (const char* bad : {"relative/dir", "/srv/../etc", "/srv//x", "/a/./b"}) {
    EXPECT_EQ(refused_field("sftp", sftp({{"path", bad}})), "sftp.path") << bad;
  }
  EXPECT_EQ(refused_field("sftp", sftp({{"path", "/srv/backups/"}})), "");
}

TEST(DestinationRules, SecretsAndKeysAreChecked) {
  EXPECT_EQ(refused_field("s3", s3({{"secret_access_key", "has space"}})), "s3.secret_access_key");
  EXPECT_EQ(refused_field("s3", s3({{"access_key_id", ""}})), "s3.access_key_id");
  json no_secret = s3();
  no_secret.erase("secret_access_key");
  EXPECT_EQ(refused_field("s3", no_secret), "secret_access_key");
  EXPECT_EQ(refused_field("s3", s3({{"region", "US East"}})), "s3.region");
  EXPECT_EQ(refused_field("s3", s3({{"colour", "blue"}})), "s3.colour");
}

TEST(DestinationRules, SftpNeedsExactlyOneWayToSignIn) {
  auto parts = parse_destination("sftp", sftp());
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_EQ(parts->config["port"], 22);
  EXPECT_EQ(parts->config["auth"], "password");
  EXPECT_EQ(parts->secrets, (json{{"password", "a password"}}));

  json both = sftp({{"private_key", "-----BEGIN OPENSSH PRIVATE KEY-----\n..."}});
  EXPECT_EQ(refused_field("sftp", both), "sftp.password");
  json neither = sftp();
  neither.erase("password");
  EXPECT_EQ(refused_field("sftp", neither), "sftp.password");
  json key = neither;
  key["private_key"] = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n";
  parts = parse_destination("sftp", key);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->config["auth"], "private_key");
  key["private_key"] = "not a key";
  EXPECT_EQ(refused_field("sftp", key), "sftp.private_key");
}

TEST(DestinationRules, SftpHostPortUserAndFingerprint) {
  EXPECT_EQ(refused_field("sftp", sftp({{"port", 0}})), "sftp.port");
  EXPECT_EQ(refused_field("sftp", sftp({{"port", 65536}})), "sftp.port");
  EXPECT_EQ(refused_field("sftp", sftp({{"port", "22"}})), "sftp.port");
  EXPECT_EQ(refused_field("sftp", sftp({{"host", "bad host"}})), "sftp.host");
  EXPECT_EQ(refused_field("sftp", sftp({{"host", "10.0.0.2"}})), "");
  EXPECT_EQ(refused_field("sftp", sftp({{"user", "-oProxyCommand"}})), "sftp.user");
  EXPECT_EQ(refused_field("sftp", sftp({{"host_key_fingerprint", "MD5:aa"}})),
            "sftp.host_key_fingerprint");
  EXPECT_EQ(
      refused_field("sftp", sftp({{"host_key_fingerprint", "SHA256:" + std::string(43, 'A')}})),
      "");
}

TEST(DestinationRules, NamesAndKinds) {
  EXPECT_TRUE(check_destination_name("offsite-1"));
  EXPECT_FALSE(check_destination_name(""));
  EXPECT_FALSE(check_destination_name("-x"));
  EXPECT_FALSE(check_destination_name("has space"));
  EXPECT_FALSE(check_destination_name(std::string(64, 'a')));
  EXPECT_EQ(refused_field("ftp", json::object()), "kind");
  EXPECT_EQ(key_hint("S3RVER"), "…ER");
}

}  // namespace
}  // namespace berth::backups
