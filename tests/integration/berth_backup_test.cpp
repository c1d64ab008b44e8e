// Berth's own disaster recovery, with the real binaries: `berthd backup` of a running berthd
// with a team, an app, a sealed secret, a session, an API key and a connected agent; the data
// dir destroyed; `berthd restore` into a new one; berthd started there on the same address.
// The agent reconnects by itself and every credential and secret works as before.

#include <signal.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "backup/s3rver_fixture.hpp"
#include "integration/fleet_fixture.hpp"
#include "integration/identity_client.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kPassphrase = "a passphrase of some length";

unsigned mode_of(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 0777;
}

class BerthBackupTest : public FleetTest {
 protected:
  int berthd_command(const std::vector<std::string>& args, std::string& output,
                     const std::string& passphrase = kPassphrase) {
    return run_berthd(args, output, {{"BERTH_BACKUP_PASSPHRASE", passphrase}},
                      std::chrono::seconds(120));
  }
};

TEST_F(BerthBackupTest, ARestoredBerthdServesEverythingAndTheAgentReconnectsByItself) {
  start_fleet();
  const fs::path old_data = berthd_->data_dir();
  IdentityClient browser(port());
  ASSERT_EQ(browser.login("admin@example.com", "a long admin password 1").status, 200);
  const std::string server_id = connect_agent("agent");
  const HttpResponse app = api("POST", "/api/v1/apps",
                               {{"name", "shop"},
                                {"server_id", server_id},
                                {"source", {{"type", "image"}, {"image", "nginx:1.27"}}},
                                {"settings", {{"port", 80}}}});
  ASSERT_EQ(app.status, 201) << app.body;
  const std::string app_id = app.json()["id"];
  const HttpResponse env = api(
      "PATCH", "/api/v1/apps/" + app_id + "/env",
      {{"vars", {{{"key", "DATABASE_URL"}, {"value", "postgres://db/shop"}, {"secret", true}}}}});
  ASSERT_EQ(env.status, 200) << env.body;
  // The backup, while berthd runs and serves.
  const fs::path backup = dir_.path() / "berth.backup";
  std::string output;
  ASSERT_EQ(
      berthd_command({"backup", "--to", backup.string(), "--data-dir", old_data.string()}, output),
      0)
      << output;
  EXPECT_NE(output.find("1 apps"), std::string::npos) << output;
  const std::smatch named = [&] {
    std::smatch match;
    std::regex_search(output, match, std::regex("backed up instance (ins_[A-Za-z0-9_]+)"));
    return match;
  }();
  ASSERT_FALSE(named.empty()) << output;
  const std::string instance_id = named[1];
  EXPECT_EQ(mode_of(backup), 0600U);
  EXPECT_EQ(api("GET", "/api/v1/apps/" + app_id).status, 200);  // still serving
  // Nothing readable in it: not the secret's value, not the SQLite header.
  const std::string raw = read_file(backup);
  EXPECT_EQ(raw.find("postgres://db/shop"), std::string::npos);
  EXPECT_EQ(raw.find("SQLite format 3"), std::string::npos);
  EXPECT_EQ(raw.find("admin@example.com"), std::string::npos);

  // The machine is lost: berthd dies, its data dir with it. The agent keeps running.
  berthd_->stop(SIGKILL);
  fs::remove_all(old_data);

  const fs::path new_data = dir_.path() / "restored";
  output.clear();
  EXPECT_EQ(berthd_command({"restore", "--from", backup.string(), "--data-dir", new_data.string()},
                           output, "not the passphrase"),
            1);
  EXPECT_NE(output.find("wrong passphrase"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(new_data / "berth.db"));

  output.clear();
  ASSERT_EQ(berthd_command({"restore", "--from", backup.string(), "--data-dir", new_data.string()},
                           output),
            0)
      << output;
  EXPECT_NE(output.find(instance_id), std::string::npos) << output;
  EXPECT_NE(output.find("1 servers, 1 apps"), std::string::npos) << output;
  EXPECT_EQ(mode_of(new_data), 0700U);
  for (const char* file : {"berth.db", "session.key", "master.key"}) {
    EXPECT_EQ(mode_of(new_data / file), 0600U) << file;
  }
  // A second restore into the now non-empty directory is refused without --force.
  output.clear();
  EXPECT_EQ(berthd_command({"restore", "--from", backup.string(), "--data-dir", new_data.string()},
                           output),
            1);
  EXPECT_NE(output.find("not empty"), std::string::npos) << output;

  // berthd on the restored data dir, at the address the agent dials.
  restart_berthd(new_data);
  // The agent reconnects by itself (nobody touched it) with its old credential.
  wait_server_status(server_id, "online", std::chrono::seconds(60));
  // The API key, the browser session, the app and the sealed secret are all as they were.
  const HttpResponse apps = api("GET", "/api/v1/apps");
  ASSERT_EQ(apps.status, 200) << apps.body;
  ASSERT_EQ(apps.json()["data"].size(), 1U) << apps.body;
  EXPECT_EQ(apps.json()["data"][0]["id"], app_id);
  const HttpResponse me = browser.get("/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_NE(me.body.find("admin@example.com"), std::string::npos) << me.body;
  const HttpResponse revealed = api("POST", "/api/v1/apps/" + app_id + "/env/DATABASE_URL/reveal");
  ASSERT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_EQ(revealed.json()["value"], "postgres://db/shop");
  // The server still runs jobs: the agent is really back, not just marked online.
  const std::string job =
      submit(server_id, {{"kind", "exec"}, {"args", {{"argv", {"/bin/true"}}}}});
  wait_job_state(job, "succeeded");
  // No setup token: the restored instance is set up.
  EXPECT_FALSE(fs::exists(new_data / "setup-token"));
}

TEST_F(BerthBackupTest, RefusesWhatWouldLeakOrLoseTheBackup) {
  start_fleet();
  const fs::path data = berthd_->data_dir();
  const fs::path backup = dir_.path() / "b.backup";
  std::string output;
  // Too short a passphrase.
  EXPECT_EQ(berthd_command({"backup", "--to", backup.string(), "--data-dir", data.string()}, output,
                           "short"),
            1);
  EXPECT_NE(output.find("too short"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(backup));
  // A passphrase file others can read.
  const fs::path passphrase = dir_.path() / "passphrase";
  { std::ofstream(passphrase) << kPassphrase << "\n"; }
  fs::permissions(passphrase, fs::perms::owner_read | fs::perms::others_read,
                  fs::perm_options::replace);
  output.clear();
  EXPECT_EQ(run_berthd({"backup", "--to", backup.string(), "--data-dir", data.string(),
                        "--passphrase-file", passphrase.string()},
                       output),
            1);
  EXPECT_NE(output.find("chmod 600"), std::string::npos) << output;
  // No passphrase at all: no environment variable, and no terminal to ask on (setsid leaves
  // it without one, wherever the test runs).
  const fs::path no_terminal = dir_.path() / "no-terminal.out";
  const pid_t pid = spawn_process(
      "/usr/bin/setsid",
      {"-w", berthd_binary(), "backup", "--to", backup.string(), "--data-dir", data.string()}, {},
      no_terminal);
  EXPECT_EQ(wait_for_exit(pid, std::chrono::seconds(30)), 1);
  EXPECT_NE(read_file(no_terminal).find("no passphrase"), std::string::npos)
      << read_file(no_terminal);
  // Another kind of URL: said so, not taken for a file named "sftp:".
  output.clear();
  EXPECT_EQ(
      berthd_command({"backup", "--to", "sftp://host/berth.backup", "--data-dir", data.string()},
                     output),
      1);
  EXPECT_NE(output.find("only files and s3:// URLs are supported"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists("sftp:"));
  // Not a data dir.
  output.clear();
  EXPECT_EQ(berthd_command({"backup", "--to", backup.string(), "--data-dir",
                            (dir_.path() / "nowhere").string()},
                           output),
            1);
  EXPECT_NE(output.find("no berth.db"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(dir_.path() / "nowhere"));

  // The passphrase file, once private, works; a flipped byte in the result is refused.
  fs::permissions(passphrase, fs::perms::owner_read, fs::perm_options::replace);
  output.clear();
  ASSERT_EQ(run_berthd({"backup", "--to", backup.string(), "--data-dir", data.string(),
                        "--passphrase-file", passphrase.string()},
                       output, {}, std::chrono::seconds(120)),
            0)
      << output;
  std::string raw = read_file(backup);
  raw[raw.size() / 2] = static_cast<char>(raw[raw.size() / 2] ^ 0x10);
  const fs::path damaged = dir_.path() / "damaged.backup";
  { std::ofstream(damaged, std::ios::binary) << raw; }
  output.clear();
  EXPECT_EQ(berthd_command({"restore", "--from", damaged.string(), "--data-dir",
                            (dir_.path() / "from-damaged").string()},
                           output),
            1);
  EXPECT_NE(output.find("damaged or was changed"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(dir_.path() / "from-damaged" / "berth.db"));
  // Cut short.
  {
    std::ofstream(damaged, std::ios::binary | std::ios::trunc) << read_file(backup).substr(0, 500);
  }
  output.clear();
  EXPECT_EQ(berthd_command({"restore", "--from", damaged.string(), "--data-dir",
                            (dir_.path() / "from-cut").string()},
                           output),
            1);
  EXPECT_FALSE(fs::exists(dir_.path() / "from-cut" / "berth.db"));

  // --force restores over a used data dir, dropping its stale WAL.
  const fs::path used = dir_.path() / "used";
  fs::create_directories(used);
  {
    std::ofstream(used / "berth.db-wal") << "stale";
    std::ofstream(used / "other") << "kept";
  }
  output.clear();
  ASSERT_EQ(berthd_command({"restore", "--from", backup.string(), "--data-dir", used.string(),
                            "--force", "--passphrase-file", passphrase.string()},
                           output),
            0)
      << output;
  EXPECT_FALSE(fs::exists(used / "berth.db-wal"));
  EXPECT_TRUE(fs::exists(used / "berth.db"));
}

TEST_F(BerthBackupTest, TheDailyScheduleMakesUpAMissedRunAtStartAndNeedsAPassphrase) {
  const fs::path out = dir_.path() / "scheduled";
  std::string output;
  // No passphrase anywhere: berthd refuses to start rather than fail every night.
  EXPECT_EQ(run_berthd({"--listen", "127.0.0.1:0", "--data-dir", (dir_.path() / "d0").string(),
                        "--backup-daily-at", "03:00", "--backup-dir", out.string()},
                       output),
            1);
  EXPECT_NE(output.find("needs --backup-passphrase-file or BERTH_BACKUP_PASSPHRASE"),
            std::string::npos)
      << output;
  output.clear();
  EXPECT_EQ(run_berthd({"--backup-daily-at", "3:00", "--backup-dir", out.string()}, output), 2);

  // Never backed up, so the last scheduled run was missed: it runs as berthd starts.
  start_fleet(
      {.args = {"--backup-daily-at", "00:00", "--backup-dir", out.string(), "--backup-keep", "3"},
       .env = {{"BERTH_BACKUP_PASSPHRASE", kPassphrase}}});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::vector<fs::path> files;
  while (files.empty() && std::chrono::steady_clock::now() < deadline) {
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(out, ignored)) {
      if (entry.path().extension() == ".backup") {
        files.push_back(entry.path());
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(files.size(), 1U) << berthd_->log();
  EXPECT_TRUE(files[0].filename().string().starts_with("berth-ins_")) << files[0];
  EXPECT_EQ(mode_of(files[0]), 0600U);
  EXPECT_EQ(mode_of(out), 0700U);
  // It is a whole backup: it restores.
  output.clear();
  EXPECT_EQ(berthd_command({"restore", "--from", files[0].string(), "--data-dir",
                            (dir_.path() / "from-schedule").string()},
                           output),
            0)
      << output;
}

// `--to s3://bucket/key` and `--from s3://bucket/key`, with the credentials and endpoint in the
// environment under the AWS CLI's names (here an s3rver on loopback).
TEST_F(BerthBackupTest, ABackupGoesToS3AndIsRestoredFromIt) {
  if (const std::string why = S3rverFixture::unavailable_reason(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  S3rverFixture s3({"berth-dr"});
  start_fleet();
  const fs::path data = berthd_->data_dir();
  const std::string url = "s3://berth-dr/instances/berth.backup";
  std::map<std::string, std::string> env = {{"BERTH_BACKUP_PASSPHRASE", kPassphrase},
                                            {"AWS_ACCESS_KEY_ID", S3rverFixture::kAccessKey},
                                            {"AWS_SECRET_ACCESS_KEY", S3rverFixture::kSecret},
                                            {"AWS_ENDPOINT_URL", s3.endpoint()}};
  std::string output;
  // No credentials: said at once.
  EXPECT_EQ(berthd_command({"backup", "--to", url, "--data-dir", data.string()}, output), 1);
  EXPECT_NE(output.find("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), std::string::npos)
      << output;
  EXPECT_EQ(
      berthd_command({"backup", "--to", "s3://berth-dr", "--data-dir", data.string()}, output), 1);
  EXPECT_NE(output.find("give the bucket and the object's key"), std::string::npos) << output;

  ASSERT_EQ(run_berthd({"backup", "--to", url, "--data-dir", data.string()}, output, env,
                       std::chrono::seconds(120)),
            0)
      << output;
  EXPECT_NE(output.find("to " + url), std::string::npos) << output;

  const fs::path restored = dir_.path() / "restored";
  ASSERT_EQ(run_berthd({"restore", "--from", url, "--data-dir", restored.string()}, output, env,
                       std::chrono::seconds(120)),
            0)
      << output;
  EXPECT_NE(output.find("restored instance"), std::string::npos) << output;
  EXPECT_TRUE(fs::exists(restored / "berth.db"));
  EXPECT_EQ(mode_of(restored / "berth.db"), 0600U);

  // A wrong secret is the S3 server's plain answer; a missing object too.
  env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret";
  EXPECT_EQ(run_berthd({"restore", "--from", url, "--data-dir", (dir_.path() / "r2").string()},
                       output, env, std::chrono::seconds(60)),
            1);
  EXPECT_NE(output.find("the access key or secret is wrong"), std::string::npos) << output;
  EXPECT_EQ(output.find("not-the-secret"), std::string::npos) << output;
  env["AWS_SECRET_ACCESS_KEY"] = S3rverFixture::kSecret;
  EXPECT_EQ(
      run_berthd({"restore", "--from", url + ".old", "--data-dir", (dir_.path() / "r3").string()},
                 output, env, std::chrono::seconds(60)),
      1);
  EXPECT_NE(output.find("does not exist"), std::string::npos) << output;
}

// The schedule's target may be an s3:// prefix: its credentials are checked as berthd starts,
// and the run made up at start lands there as a whole, restorable backup.
TEST_F(BerthBackupTest, TheScheduleWritesToAnS3Prefix) {
  if (const std::string why = S3rverFixture::unavailable_reason(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  S3rverFixture s3({"berth-dr"});
  const std::vector<std::string> schedule = {
      "--backup-daily-at", "00:00", "--backup-dir", "s3://berth-dr/nightly/", "--backup-keep", "2"};
  std::map<std::string, std::string> env = {{"BERTH_BACKUP_PASSPHRASE", kPassphrase}};
  std::string output;
  std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--data-dir",
                                   (dir_.path() / "d0").string()};
  args.insert(args.end(), schedule.begin(), schedule.end());
  EXPECT_EQ(run_berthd(args, output, env), 1);
  EXPECT_NE(output.find("--backup-dir: set AWS_ACCESS_KEY_ID"), std::string::npos) << output;

  env.insert({{"AWS_ACCESS_KEY_ID", S3rverFixture::kAccessKey},
              {"AWS_SECRET_ACCESS_KEY", S3rverFixture::kSecret},
              {"AWS_ENDPOINT_URL", s3.endpoint()}});
  start_fleet({.args = schedule, .env = env});
  std::vector<fs::path> objects;
  for (const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       objects.empty() && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(std::chrono::milliseconds(100))) {
    for (const auto& entry : fs::recursive_directory_iterator(s3.data_dir())) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("berth-ins_") && name.ends_with(".backup._S3rver_object")) {
        objects.push_back(entry.path());
      }
    }
  }
  ASSERT_EQ(objects.size(), 1U) << berthd_->log();
  EXPECT_EQ(objects[0].parent_path().filename(), "nightly");
  const std::string name = objects[0].filename().string();
  const std::string key = "nightly/" + name.substr(0, name.size() - strlen("._S3rver_object"));
  EXPECT_EQ(run_berthd({"restore", "--from", "s3://berth-dr/" + key, "--data-dir",
                        (dir_.path() / "from-s3").string()},
                       output, env, std::chrono::seconds(120)),
            0)
      << output;
}

}  // namespace
}  // namespace berth::testing
