// Backup destinations through the API of a real berthd, tested against a real S3-compatible
// server on loopback (s3rver): create → test ok (the probe object is gone afterwards); a wrong
// secret, a missing bucket and an endpoint that does not answer are clear failed steps;
// members and viewers read but neither change nor test; hostile fields are 400 naming the
// field; and the secrets never appear in an answer, the data directory or the log.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "backup/s3rver_fixture.hpp"
#include "integration/cli_runner.hpp"
#include "integration/fleet_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A secret that s3rver refuses, distinctive enough to grep for.
constexpr const char* kWrongSecret = "wrong-secret-5b1e9c7d42";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every file under `dir` that holds `needle` (binary files too: SQLite pages, WAL).
std::vector<std::string> files_holding(const fs::path& dir, const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && slurp(entry.path()).find(needle) != std::string::npos) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t size = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

class DestinationsApiTest : public FleetTest {
 protected:
  void SetUp() override {
    if (const std::string why = S3rverFixture::unavailable_reason(); !why.empty()) {
      GTEST_SKIP() << why;
    }
    s3_.emplace(std::vector<std::string>{"berth-test"});
    start_fleet();
  }

  void TearDown() override {
    if (HasFailure() && s3_) {
      std::cerr << "---- s3rver ----\n" << s3_->output() << "----\n";
    }
    FleetTest::TearDown();
  }

  json s3_settings(json changes = json::object()) const {
    json settings = {{"endpoint", s3_->endpoint()},
                     {"bucket", "berth-test"},
                     {"prefix", "berth/probes/"},
                     {"path_style", true},
                     {"access_key_id", S3rverFixture::kAccessKey},
                     {"secret_access_key", S3rverFixture::kSecret}};
    settings.update(changes);
    return settings;
  }

  std::string create(const std::string& name, const json& settings) {
    const HttpResponse made = api("POST", "/api/v1/backup-destinations",
                                  {{"name", name}, {"kind", "s3"}, {"s3", settings}});
    EXPECT_EQ(made.status, 201) << made.body;
    return made.json().value("id", "");
  }

  json test(const std::string& id) {
    const HttpResponse tested = api("POST", "/api/v1/backup-destinations/" + id + "/test");
    EXPECT_EQ(tested.status, 200) << tested.body;
    return tested.json();
  }

  std::optional<S3rverFixture> s3_;
};

TEST_F(DestinationsApiTest, ATestWritesReadsBackAndDeletesAProbeObject) {
  const HttpResponse made = api("POST", "/api/v1/backup-destinations",
                                {{"name", "offsite"}, {"kind", "s3"}, {"s3", s3_settings()}});
  ASSERT_EQ(made.status, 201) << made.body;
  const json destination = made.json();
  EXPECT_EQ(destination["kind"], "s3");
  EXPECT_EQ(destination["secret_set"], true);
  EXPECT_EQ(destination["s3"]["access_key_hint"], "…ER");
  EXPECT_EQ(destination["s3"]["prefix"], "berth/probes/");
  EXPECT_FALSE(destination["s3"].contains("secret_access_key"));
  EXPECT_FALSE(destination["s3"].contains("access_key_id"));
  EXPECT_TRUE(destination["last_test"].is_null());
  const std::string id = destination["id"];

  const json result = test(id);
  EXPECT_EQ(result["ok"], true) << result.dump();
  std::vector<std::string> steps;
  for (const auto& step : result["steps"]) {
    steps.push_back(step["step"]);
    EXPECT_EQ(step["ok"], true) << step.dump();
    EXPECT_GE(step["ms"].get<int>(), 0);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"write", "read", "compare", "delete"}));
  // The probe object was written under the prefix and is gone again.
  EXPECT_TRUE(files_holding(s3_->data_dir(), "berth destination probe").empty());
  const std::string s3_log = s3_->output();
  EXPECT_NE(s3_log.find("request PUT /berth-test/berth/probes/berth-probe-"), std::string::npos)
      << s3_log;
  EXPECT_NE(s3_log.find("request DELETE /berth-test/berth/probes/berth-probe-"), std::string::npos);

  const json read = api("GET", "/api/v1/backup-destinations/" + id).json();
  EXPECT_EQ(read["last_test"]["ok"], true);
  EXPECT_TRUE(read["last_test"]["tested_at"].is_string());
  const json listed = api("GET", "/api/v1/backup-destinations?kind=s3").json();
  ASSERT_EQ(listed["total"], 1);
  EXPECT_EQ(listed["data"][0]["id"], id);
}

TEST_F(DestinationsApiTest, AWrongSecretAMissingBucketAndNoServerAreClearFailedSteps) {
  const std::string id = create("offsite", s3_settings());
  const HttpResponse changed = api("PATCH", "/api/v1/backup-destinations/" + id,
                                   {{"s3", {{"secret_access_key", kWrongSecret}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  json result = test(id);
  EXPECT_EQ(result["ok"], false);
  ASSERT_EQ(result["steps"].size(), 1U) << result.dump();  // nothing written, nothing to delete
  EXPECT_EQ(result["steps"][0]["step"], "write");
  EXPECT_EQ(result["steps"][0]["error"], "the access key or secret is wrong");
  EXPECT_EQ(result["steps"][0]["code"], "s3_credentials_rejected");
  EXPECT_EQ(result.dump().find(kWrongSecret), std::string::npos);

  const std::string missing = create("missing", s3_settings({{"bucket", "no-such-bucket"}}));
  result = test(missing);
  EXPECT_EQ(result["ok"], false);
  EXPECT_EQ(result["steps"][0]["code"], "s3_bucket_missing");
  EXPECT_EQ(result["steps"][0]["error"], "the bucket does not exist");

  const std::string nowhere = create(
      "nowhere", s3_settings({{"endpoint", "http://127.0.0.1:" + std::to_string(closed_port())}}));
  result = test(nowhere);
  EXPECT_EQ(result["ok"], false);
  EXPECT_EQ(result["steps"][0]["code"], "s3_unreachable");

  // The failed verdict is kept on the destination, and audited as a failure.
  EXPECT_EQ(api("GET", "/api/v1/backup-destinations/" + id).json()["last_test"]["ok"], false);
  const json audit = api("GET", "/api/v1/audit-log?action=backup_destination.test").json();
  EXPECT_EQ(audit["total"], 3) << audit.dump();
}

TEST_F(DestinationsApiTest, SecretsNeverAppearInAnswersTheDataDirectoryOrTheLog) {
  const std::string id = create("offsite", s3_settings());
  ASSERT_EQ(api("PATCH", "/api/v1/backup-destinations/" + id,
                {{"s3", {{"secret_access_key", kWrongSecret}}}})
                .status,
            200);
  (void)test(id);
  std::string answers;
  for (const std::string& target :
       {std::string("/api/v1/backup-destinations"), "/api/v1/backup-destinations/" + id,
        std::string("/api/v1/audit-log?per_page=100")}) {
    answers += api("GET", target).body;
  }
  EXPECT_EQ(answers.find(kWrongSecret), std::string::npos) << answers;
  EXPECT_EQ(answers.find("S3RVER"), std::string::npos) << answers;
  berthd_->stop();  // flushes the log and the WAL
  EXPECT_EQ(files_holding(berthd_->data_dir(), kWrongSecret), std::vector<std::string>{});
  EXPECT_EQ(files_holding(berthd_->data_dir(), "S3RVER"), std::vector<std::string>{});
  EXPECT_EQ(berthd_->log().find(kWrongSecret), std::string::npos);
  EXPECT_EQ(berthd_->log().find("S3RVER"), std::string::npos);
  EXPECT_EQ(berthd_->output().find(kWrongSecret), std::string::npos);
}

TEST_F(DestinationsApiTest, MembersAndViewersReadButOnlyAdminsChangeOrTest) {
  const std::string id = create("offsite", s3_settings());
  for (const std::string role : {"viewer", "member"}) {
    const std::string key = key_with_role(role);
    EXPECT_EQ(api_with(key, "GET", "/api/v1/backup-destinations").status, 200) << role;
    const HttpResponse read = api_with(key, "GET", "/api/v1/backup-destinations/" + id);
    EXPECT_EQ(read.status, 200) << role;
    EXPECT_EQ(read.json()["secret_set"], true);
    for (const auto& [method, target, body] :
         std::vector<std::tuple<std::string, std::string, json>>{
             {"POST",
              "/api/v1/backup-destinations",
              {{"name", "mine"}, {"kind", "s3"}, {"s3", s3_settings()}}},
             {"PATCH", "/api/v1/backup-destinations/" + id, {{"name", "renamed"}}},
             {"POST", "/api/v1/backup-destinations/" + id + "/test", nullptr},
             {"DELETE", "/api/v1/backup-destinations/" + id, nullptr}}) {
      const HttpResponse refused = api_with(key, method, target, body);
      EXPECT_EQ(refused.status, 403) << role << " " << method << " " << target;
      EXPECT_EQ(refused.json()["error"]["code"], "insufficient_role");
    }
  }
  const std::string admin = key_with_role("admin");
  EXPECT_EQ(api_with(admin, "PATCH", "/api/v1/backup-destinations/" + id, {{"name", "renamed"}})
                .json()["name"],
            "renamed");
  EXPECT_EQ(api_with(admin, "DELETE", "/api/v1/backup-destinations/" + id).status, 204);
  EXPECT_EQ(api("GET", "/api/v1/backup-destinations/" + id).status, 404);
}

TEST_F(DestinationsApiTest, HostileFieldsAre400NamingTheField) {
  const auto refused = [&](const json& body) {
    const HttpResponse answer = api("POST", "/api/v1/backup-destinations", body);
    EXPECT_EQ(answer.status, 400) << body.dump() << " -> " << answer.body;
    return answer.json()["error"]["details"].value("field", "");
  };
  const auto s3_body = [&](json changes) {
    return json{{"name", "x"}, {"kind", "s3"}, {"s3", s3_settings(std::move(changes))}};
  };
  EXPECT_EQ(refused(s3_body({{"endpoint", "http://s3.example.com"}})), "s3.endpoint");
  EXPECT_EQ(refused(s3_body({{"prefix", "a/../b"}})), "s3.prefix");
  EXPECT_EQ(refused(s3_body({{"bucket", "Bad_Bucket"}})), "s3.bucket");
  EXPECT_EQ(refused(s3_body({{"surprise", 1}})), "s3.surprise");
  EXPECT_EQ(refused({{"name", "x"}, {"kind", "ftp"}}), "kind");
  EXPECT_EQ(refused({{"name", "../x"}, {"kind", "s3"}, {"s3", s3_settings()}}), "name");
  EXPECT_EQ(refused({{"name", "x"},
                     {"kind", "sftp"},
                     {"sftp", {{"host", "h"}, {"port", 70000}, {"user", "u"}, {"path", "/b"}}}}),
            "sftp.port");
  EXPECT_EQ(refused({{"name", "x"}, {"kind", "s3"}, {"sftp", {{"host", "h"}}}}), "sftp");

  create("offsite", s3_settings());
  const HttpResponse taken = api("POST", "/api/v1/backup-destinations",
                                 {{"name", "offsite"}, {"kind", "s3"}, {"s3", s3_settings()}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.json()["error"]["code"], "destination_name_taken");
}

TEST_F(DestinationsApiTest, MovingTheEndpointNeedsTheSecretAgain) {
  const std::string id = create("offsite", s3_settings());
  const std::string elsewhere = "http://127.0.0.1:" + std::to_string(closed_port());
  HttpResponse moved =
      api("PATCH", "/api/v1/backup-destinations/" + id, {{"s3", {{"endpoint", elsewhere}}}});
  EXPECT_EQ(moved.status, 400) << moved.body;
  EXPECT_EQ(moved.json()["error"]["details"]["field"], "s3.secret_access_key");
  moved = api("PATCH", "/api/v1/backup-destinations/" + id,
              {{"s3", {{"endpoint", elsewhere}, {"secret_access_key", "another"}}}});
  EXPECT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["s3"]["endpoint"], elsewhere);
  // A change is checked like a creation, and the field is named under its kind.
  const HttpResponse no_bucket =
      api("PATCH", "/api/v1/backup-destinations/" + id, {{"s3", {{"bucket", nullptr}}}});
  EXPECT_EQ(no_bucket.status, 400) << no_bucket.body;
  EXPECT_EQ(no_bucket.json()["error"]["details"]["field"], "s3.bucket");
  // A field set back to null takes its default.
  const HttpResponse reset =
      api("PATCH", "/api/v1/backup-destinations/" + id, {{"s3", {{"prefix", nullptr}}}});
  EXPECT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(reset.json()["s3"]["prefix"], "");
}

TEST_F(DestinationsApiTest, TheCliAddsShowsTestsChangesAndRemovesADestination) {
  const std::map<std::string, std::string> env = {
      {"BERTH_URL", "http://127.0.0.1:" + std::to_string(port())}, {"BERTH_TOKEN", api_key_}};
  const auto berth = [&](std::vector<std::string> args, const std::string& input = "") {
    return CliProcess(dir_.path(), std::move(args), env, input).wait();
  };
  CliRun run = berth({"destinations", "add", "offsite", "--kind", "s3", "--endpoint",
                      s3_->endpoint(), "--bucket", "berth-test", "--prefix", "cli/", "--path-style",
                      "on", "--access-key-id", "S3RVER", "--secret-file", "-"},
                     "S3RVER\n");
  ASSERT_EQ(run.exit, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("Added offsite"), std::string::npos) << run.out;

  run = berth({"destinations", "ls"});
  ASSERT_EQ(run.exit, 0) << run.err;
  EXPECT_NE(run.out.find("offsite"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("berth-test"), std::string::npos) << run.out;

  run = berth({"destinations", "test", "offsite"});
  EXPECT_EQ(run.exit, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("The destination works."), std::string::npos) << run.out;

  // A wrong secret from a file: the test fails with the plain reason and exit status 1.
  const fs::path secret = dir_.path() / "secret.txt";
  std::ofstream(secret) << kWrongSecret << "\n";
  run = berth({"destinations", "set", "offsite", "--secret-file", secret.string()});
  ASSERT_EQ(run.exit, 0) << run.out << run.err;
  run = berth({"destinations", "test", "offsite"});
  EXPECT_EQ(run.exit, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("the access key or secret is wrong"), std::string::npos) << run.out;

  run = berth({"--json", "destinations", "show", "offsite"});
  ASSERT_EQ(run.exit, 0) << run.err;
  const json shown = json::parse(run.out);
  EXPECT_EQ(shown["s3"]["prefix"], "cli/");
  EXPECT_EQ(run.out.find(kWrongSecret), std::string::npos);

  run = berth({"destinations", "rm", "offsite"});
  EXPECT_EQ(run.exit, 0) << run.err;
  EXPECT_EQ(api("GET", "/api/v1/backup-destinations").json()["total"], 0);
}

}  // namespace
}  // namespace berth::testing
