// Service backups end to end with real parts: berthd, a real agent, dockerd and an S3 server
// (s3rver) on loopback. A PostgreSQL service (the offline berth-test/postgres:15 image) gets
// rows; a backup through the API stores an encrypted object (no row text, no password in it)
// and records its size and SHA-256; rows are deleted; a restore takes a safety backup first,
// then brings the rows back and reports the engine's check. A bit flipped in the stored
// object makes the next restore refuse it before the service is touched. Secrets (the
// database password, the bucket's secret) are in no API answer, job record, or berthd's log
// and data directory. The same round trip to an SFTP destination (sshd in a network
// namespace) is at the end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "backup/backup_stream.hpp"
#include "backup/destination_probe.hpp"
#include "backup/s3rver_fixture.hpp"
#include "core/crypto.hpp"
#include "support/temp_dir.hpp"
#include "system/deploy_fixture.hpp"
#include "system/sshd_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class BackupSystemTest : public DeployTest {
 protected:
  void SetUp() override {
    if (const std::string why = S3rverFixture::unavailable_reason(); !why.empty()) {
      GTEST_SKIP() << why;
    }
    DeployTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    ASSERT_EQ(shared_service_images(), "") << "the offline service images could not be built";
    s3_.emplace(std::vector<std::string>{"berth-backups"});
    const HttpResponse project = api("POST", "/api/v1/projects", {{"name", "shop"}});
    ASSERT_EQ(project.status, 201) << project.body;
    project_id_ = project.json()["id"];
  }

  void TearDown() override {
    DeployTest::TearDown();
    if (!container_.empty()) {
      (void)docker({"rm", "-f", container_});
      (void)docker({"volume", "rm", "-f", volume_});
    }
    for (const auto& [container, volume] : restored_) {
      (void)docker({"rm", "-f", container});
      (void)docker({"volume", "rm", "-f", volume});
    }
    for (const auto& volume : app_volumes_) {
      (void)docker({"volume", "rm", "-f", volume});
    }
    if (!project_id_.empty()) {
      (void)docker({"network", "rm", "berth-net-" + project_id_});
    }
  }

  json wait_until(const std::string& path, const std::string& field) {
    return wait_for(
        path, [&](const json& v) { return v.value(field, "") != "running"; }, 180s);
  }

  // SQL in the service's container, as its own user (retried while the server starts).
  CommandResult sql(const std::string& statement) { return sql_in(container_, statement); }

  // Over TCP: the entry point's first-run server (creating the database) listens on the socket
  // only and is then restarted, so an answer over TCP means the server that stays is up.
  CommandResult sql_in(const std::string& container, const std::string& statement) {
    CommandResult result;
    for (const auto deadline = std::chrono::steady_clock::now() + 60s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(500ms)) {
      result = docker(
          {"exec", container, "sh", "-c",
           "PGPASSWORD=\"$POSTGRES_PASSWORD\" psql -h 127.0.0.1 -tA -U \"$POSTGRES_USER\" -d "
           "\"$POSTGRES_DB\" -c \"$0\"",
           statement});
      if (result.exit_code == 0) {
        break;
      }
    }
    return result;
  }

  std::filesystem::path stored_object(const std::string& key) const {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(s3_->data_dir())) {
      if (entry.is_regular_file() && entry.path().string().ends_with(key + "._S3rver_object")) {
        return entry.path();
      }
    }
    return {};
  }

  // A destination on the test's s3rver with `secret`; its id.
  std::string add_destination(const std::string& name, const std::string& secret) {
    const HttpResponse created = api("POST", "/api/v1/backup-destinations",
                                     {{"name", name},
                                      {"kind", "s3"},
                                      {"s3",
                                       {{"endpoint", s3_->endpoint()},
                                        {"bucket", "berth-backups"},
                                        {"prefix", "team/"},
                                        {"path_style", true},
                                        {"access_key_id", S3rverFixture::kAccessKey},
                                        {"secret_access_key", secret}}}});
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? created.json()["id"].get<std::string>() : "";
  }

  // The team's offsite destination on s3rver; its id.
  std::string make_destination() { return add_destination("offsite", S3rverFixture::kSecret); }

  // The PostgreSQL service orders-db, running; its id.
  std::string add_running_postgres() { return make_postgres("orders-db"); }

  // A PostgreSQL service from the offline image, running; its id ("" and a failure if not).
  std::string make_postgres(const std::string& name) {
    const HttpResponse created = api("POST", "/api/v1/services",
                                     {{"name", name},
                                      {"engine", "postgres"},
                                      {"version", "15"},
                                      {"image", kPostgresImage},
                                      {"project_id", project_id_},
                                      {"server_id", server_id_}});
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) {
      return "";
    }
    container_ = created.json()["container"];
    volume_ = created.json()["volume"];
    const std::string id = created.json()["id"];
    const json running = wait_for(
        "/api/v1/services/" + id,
        [](const json& s) { return s["status"] == "running" || s["status"] == "failed"; }, 180s);
    EXPECT_EQ(running["status"], "running") << running;
    return running["status"] == "running" ? id : "";
  }

  // A backup of the service into the destination through the API, once it ended (a failure
  // when it did not succeed).
  json backed_up(const std::string& service_id, const std::string& destination_id) {
    const HttpResponse started = api("POST", "/api/v1/services/" + service_id + "/backups",
                                     {{"destination_id", destination_id}});
    EXPECT_EQ(started.status, 202) << started.body;
    if (started.status != 202) {
      return json::object();
    }
    const json backup =
        wait_until("/api/v1/backups/" + started.json()["id"].get<std::string>(), "status");
    EXPECT_EQ(backup["status"], "succeeded") << backup;
    return backup;
  }

  // The objects s3rver holds (multipart parts not included).
  std::vector<std::filesystem::path> stored_objects() const {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(s3_->data_dir())) {
      if (entry.is_regular_file() && entry.path().string().ends_with("._S3rver_object")) {
        found.push_back(entry.path());
      }
    }
    return found;
  }

  // Whether s3rver has received the first part of a multipart upload.
  bool first_part_arrived() const {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(s3_->data_dir())) {
      if (entry.path().filename() == "1.md5" &&
          entry.path().string().find("_S3rver_uploads") != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  // sqlite3 on berthd's store (berthd keeps running: WAL, and a busy timeout).
  CommandResult store_sql(const std::string& statement) {
    return run_command({"sqlite3", "-cmd", ".timeout 10000",
                        (berthd_->data_dir() / "berth.db").string(), statement});
  }

  std::optional<S3rverFixture> s3_;
  std::string project_id_;
  std::string container_;
  std::string volume_;
  std::vector<std::pair<std::string, std::string>> restored_;  // new services' container, volume
  std::vector<std::string> app_volumes_;  // apps' named volumes, removed after their apps
};

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

TEST_F(BackupSystemTest, RowsComeBackFromAnEncryptedBackupAndATamperedOneIsRefused) {
  const std::string destination_id = add_destination("offsite", S3rverFixture::kSecret);
  ASSERT_FALSE(destination_id.empty());
  const std::string service_id = add_running_postgres();
  ASSERT_FALSE(service_id.empty());
  ASSERT_EQ(sql("CREATE TABLE orders (n int, note text); INSERT INTO orders SELECT g, "
                "'order-note-' || g FROM generate_series(1, 2000) g")
                .exit_code,
            0);

  // A backup: 202 running, then succeeded with what was stored.
  const std::string backups = "/api/v1/services/" + service_id + "/backups";
  EXPECT_EQ(api("POST", backups, {{"destination_id", "bdst_nope"}}).status, 400);
  const HttpResponse started = api("POST", backups, {{"destination_id", destination_id}});
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(started.json()["status"], "running");
  const std::string backup_id = started.json()["id"];
  const json backup = wait_until("/api/v1/backups/" + backup_id, "status");
  ASSERT_EQ(backup["status"], "succeeded") << backup;
  EXPECT_EQ(backup["sha256"].get<std::string>().size(), 64U);
  EXPECT_GT(backup["plain_bytes"].get<std::int64_t>(), 5'000);
  const std::string key = backup["object_key"];
  EXPECT_TRUE(key.starts_with("team/berth/orders-db-")) << key;
  const auto path = stored_object(key);
  ASSERT_FALSE(path.empty()) << key;
  std::ifstream in(path, std::ios::binary);
  const std::string stored((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(static_cast<std::int64_t>(stored.size()), backup["size_bytes"].get<std::int64_t>());
  EXPECT_EQ(stored.find("order-note-"), std::string::npos) << "the object is encrypted";
  const json listed = api("GET", backups).json();
  ASSERT_EQ(listed["data"].size(), 1U);
  EXPECT_EQ(api("GET", "/api/v1/backups").json()["data"][0]["id"], backup_id);

  // Rows deleted, then restored: a safety backup first, then the rows are back.
  ASSERT_EQ(sql("DELETE FROM orders WHERE n > 5").exit_code, 0);
  const std::string restore_path = "/api/v1/backups/" + backup_id + "/restore";
  EXPECT_EQ(api("POST", restore_path, {{"confirm", "wrong"}}).status, 422);
  const HttpResponse restoring = api("POST", restore_path, {{"confirm", "orders-db"}});
  ASSERT_EQ(restoring.status, 202) << restoring.body;
  const json restore =
      wait_until("/api/v1/restores/" + restoring.json()["id"].get<std::string>(), "status");
  ASSERT_EQ(restore["status"], "succeeded") << restore;
  EXPECT_EQ(restore["check"], "1");
  EXPECT_EQ(trimmed(sql("SELECT count(*) FROM orders").output), "2000");
  const json safety =
      api("GET", "/api/v1/backups/" + restore["safety_backup_id"].get<std::string>()).json();
  EXPECT_EQ(safety["trigger"], "safety");
  EXPECT_EQ(safety["status"], "succeeded");
  const HttpResponse job = api("GET", "/api/v1/jobs/" + restore["job_id"].get<std::string>());
  ASSERT_EQ(job.status, 200) << job.body;
  EXPECT_EQ(job.body.find(S3rverFixture::kSecret + std::string("\"")), std::string::npos)
      << "the bucket's secret is masked in the job's arguments";

  // A bit flipped in the stored object: refused, the service keeps its rows.
  ASSERT_EQ(sql("DELETE FROM orders WHERE n > 7").exit_code, 0);
  std::string flipped = stored;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 8);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
  const HttpResponse again = api("POST", restore_path, {{"confirm", "orders-db"}});
  ASSERT_EQ(again.status, 202) << again.body;
  const json refused =
      wait_until("/api/v1/restores/" + again.json()["id"].get<std::string>(), "status");
  EXPECT_EQ(refused["status"], "failed");
  EXPECT_EQ(refused["error"]["code"], "backup_checksum_mismatch") << refused;
  EXPECT_EQ(trimmed(sql("SELECT count(*) FROM orders").output), "7");

  // The database password never left the server; berthd holds only sealed secrets.
  const std::string password =
      trimmed(docker({"exec", container_, "printenv", "POSTGRES_PASSWORD"}).output);
  ASSERT_EQ(password.size(), 48U);
  EXPECT_EQ(berthd_->log().find(password), std::string::npos);
  EXPECT_EQ(berthd_->log().find(S3rverFixture::kSecret + std::string("\"")), std::string::npos);
  EXPECT_EQ(stored.find(password), std::string::npos);
}

// The faults a backup must survive without ever reporting a partial object as a backup: a
// destination whose secret is wrong is a plain error, and an agent killed (SIGKILL) in the
// middle of the upload leaves a failed backup and no object — S3 assembles a multipart upload
// only when it is completed, which the dead agent never does. The next backup succeeds.
TEST_F(BackupSystemTest, AWrongSecretOrAnAgentKilledMidUploadEndsFailedWithNoObject) {
  const std::string wrong = add_destination("wrong", "not-the-secret-4f1c2a");
  const std::string good = add_destination("offsite", S3rverFixture::kSecret);
  ASSERT_FALSE(wrong.empty() || good.empty());
  const std::string service_id = add_running_postgres();
  ASSERT_FALSE(service_id.empty());
  const std::string backups = "/api/v1/services/" + service_id + "/backups";

  const HttpResponse refused = api("POST", backups, {{"destination_id", wrong}});
  ASSERT_EQ(refused.status, 202) << refused.body;
  const json failed =
      wait_until("/api/v1/backups/" + refused.json()["id"].get<std::string>(), "status");
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["error"]["code"], "s3_credentials_rejected") << failed;
  EXPECT_EQ(failed["error"]["message"], "the access key or secret is wrong") << failed;
  EXPECT_EQ(failed.dump().find("not-the-secret"), std::string::npos);
  EXPECT_TRUE(stored_objects().empty());

  // About 70 MB of hex text (pg_dump compresses it to some 40 MB: eight 5 MiB parts), so the
  // upload is still under way when its first part has arrived.
  ASSERT_EQ(sql("CREATE TABLE blobs AS SELECT g AS n, md5(g || 'a') || md5(g || 'b') || "
                "md5(g || 'c') || md5(g || 'd') || md5(g || 'e') || md5(g || 'f') || "
                "md5(g || 'g') || md5(g || 'h') AS v FROM generate_series(1, 280000) g")
                .exit_code,
            0);
  const HttpResponse started = api("POST", backups, {{"destination_id", good}});
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string backup_id = started.json()["id"];
  bool arrived = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 60s;
       !arrived && std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
    arrived = first_part_arrived();
  }
  ASSERT_TRUE(arrived) << api("GET", "/api/v1/backups/" + backup_id).body;
  agents_.back()->kill_hard();
  ASSERT_EQ(api("GET", "/api/v1/backups/" + backup_id).json()["status"], "running")
      << "the upload ended before the agent was killed: make the table larger";

  // The agent comes back; the job it was running is lost, and the backup fails with it.
  connect_agent("agent-deploy", {},
                {"--docker-socket", socket_path_, "--caddy-admin", caddy_->admin_address()});
  const json lost = wait_until("/api/v1/backups/" + backup_id, "status");
  EXPECT_EQ(lost["status"], "failed") << lost;
  EXPECT_TRUE(lost["sha256"].get<std::string>().empty()) << lost;
  EXPECT_TRUE(stored_objects().empty()) << "an object exists though no backup completed";

  const HttpResponse again = api("POST", backups, {{"destination_id", good}});
  ASSERT_EQ(again.status, 202) << again.body;
  const json backup =
      wait_until("/api/v1/backups/" + again.json()["id"].get<std::string>(), "status");
  ASSERT_EQ(backup["status"], "succeeded") << backup;
  EXPECT_GT(backup["size_bytes"].get<std::int64_t>(), 10 * 1024 * 1024);
  EXPECT_EQ(stored_objects().size(), 1U);
}

// "A drill catches a backup that does not restore": a good backup drills verified with the
// user tables counted; then the stored object is replaced by a valid-looking one — random
// bytes, compressed and encrypted to the team's public key exactly as the agent does — and the
// recorded checksum, sizes and sealed key set to match by hand, so the SHA-256 check passes:
// the drill must still end failed, at the restore (pg_restore refuses it), never verified.
// Every drill leaves no scratch container behind, and a failed one is a server event.
TEST_F(BackupSystemTest, ADrillVerifiesAGoodBackupAndCatchesOneThatDoesNotRestore) {
  const std::string destination_id = make_destination();
  ASSERT_FALSE(destination_id.empty());
  const std::string service_id = make_postgres("ledger-db");
  ASSERT_FALSE(service_id.empty());
  ASSERT_EQ(sql("CREATE TABLE entries (n int); CREATE TABLE accounts (id int); INSERT INTO "
                "entries SELECT generate_series(1, 500)")
                .exit_code,
            0);
  const json backup = backed_up(service_id, destination_id);
  ASSERT_EQ(backup.value("status", ""), "succeeded");
  const std::string backup_id = backup["id"];
  EXPECT_TRUE(backup["verified"].is_null()) << backup;

  const auto drill_containers = [&] {
    return docker({"ps", "-a", "--filter", "label=berth.drill", "--format", "{{.Names}}"}).output;
  };
  const std::string drill_path = "/api/v1/backups/" + backup_id + "/drill";
  const auto t0 = std::chrono::steady_clock::now();
  const HttpResponse drilling = api("POST", drill_path);
  ASSERT_EQ(drilling.status, 202) << drilling.body;
  EXPECT_EQ(drilling.json()["status"], "running");
  EXPECT_EQ(drilling.json()["step"], "starting");
  const json good =
      wait_until("/api/v1/drills/" + drilling.json()["id"].get<std::string>(), "status");
  const auto good_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(good["status"], "verified") << good;
  EXPECT_EQ(good["check"], "2") << "two user tables";
  EXPECT_GT(good["duration_ms"].get<std::int64_t>(), 0);
  EXPECT_EQ(good["trigger"], "manual");
  const json marked = api("GET", "/api/v1/backups/" + backup_id).json();
  EXPECT_EQ(marked["verified"], "verified") << marked;
  EXPECT_TRUE(marked["verified_at"].is_string()) << marked;
  EXPECT_EQ(marked["drill_check"], "2");
  EXPECT_EQ(drill_containers(), "") << "the scratch container is removed";
  EXPECT_EQ(trimmed(sql("SELECT count(*) FROM entries").output), "500")
      << "the service itself is untouched";
  std::printf("[ drill ] verified a PostgreSQL backup in %.1f s (drill_duration_ms %lld)\n",
              good_seconds, static_cast<long long>(good["duration_ms"].get<std::int64_t>()));

  // A valid-looking object that is not a dump, with its checksum recorded by hand.
  const CommandResult key = store_sql("SELECT public_key FROM backup_keys");
  ASSERT_EQ(key.exit_code, 0) << key.output;
  const auto public_key = crypto::base64_decode(trimmed(key.output));
  ASSERT_TRUE(public_key) << key.output;
  std::string garbage;
  auto encoder = backup::BackupEncoder::create(std::string(public_key->begin(), public_key->end()),
                                               [&](std::string_view bytes) -> Result<void> {
                                                 garbage.append(bytes);
                                                 return {};
                                               });
  ASSERT_TRUE(encoder);
  std::string noise(256 * 1024, '\0');
  for (std::size_t i = 0; i < noise.size(); ++i) {
    noise[i] = static_cast<char>((i * 2654435761U) >> 13);
  }
  ASSERT_TRUE((*encoder)->write(noise));
  ASSERT_TRUE((*encoder)->finish());
  const std::string sealed = (*encoder)->sealed_key();
  const auto path = stored_object(backup["object_key"]);
  ASSERT_FALSE(path.empty());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << garbage;
  const CommandResult forged = store_sql(
      "UPDATE service_backups SET sha256 = '" + (*encoder)->sha256_hex() +
      "', size_bytes = " + std::to_string((*encoder)->stored_bytes()) +
      ", plain_bytes = " + std::to_string((*encoder)->plain_bytes()) + ", sealed_key = '" +
      crypto::base64_encode(
          std::span(reinterpret_cast<const std::uint8_t*>(sealed.data()), sealed.size())) +
      "' WHERE id = '" + backup_id + "'");
  ASSERT_EQ(forged.exit_code, 0) << forged.output;

  const HttpResponse again = api("POST", drill_path);
  ASSERT_EQ(again.status, 202) << again.body;
  const json bad = wait_until("/api/v1/drills/" + again.json()["id"].get<std::string>(), "status");
  EXPECT_EQ(bad["status"], "failed") << bad;
  EXPECT_EQ(bad["step"], "restoring") << bad;
  EXPECT_EQ(bad["error"]["code"], "restore_failed") << bad;
  const json caught = api("GET", "/api/v1/backups/" + backup_id).json();
  EXPECT_EQ(caught["verified"], "failed") << caught;
  EXPECT_EQ(drill_containers(), "") << "the scratch container is removed after a failure too";
  const json drills = api("GET", "/api/v1/backups/" + backup_id + "/drills").json();
  ASSERT_EQ(drills["data"].size(), 2U) << drills;
  EXPECT_EQ(drills["data"][0]["status"], "failed");
  EXPECT_EQ(drills["data"][1]["status"], "verified");
  const CommandResult events = store_sql(
      "SELECT details FROM server_events WHERE kind = 'backup_drill_failed' AND server_id = '" +
      server_id_ + "'");
  EXPECT_NE(events.output.find(backup_id), std::string::npos) << events.output;
  EXPECT_EQ(trimmed(sql("SELECT count(*) FROM entries").output), "500");
}

// Service backups to an SFTP destination: OpenSSH's sshd in a network namespace. The agent
// uploads through libcurl's SFTP (it links no libssh), signing in with a private key it never
// writes to a disk. A destination whose host key is not pinned yet is refused; its first test
// pins it. The backup lands as a 0600 file under the folder (no ".partial" file left),
// encrypted; rows deleted come back through a restore from it; retention's remover deletes it.
class SftpBackupSystemTest : public BackupSystemTest {
 protected:
  void SetUp() override {
    if (const std::string reason = SshdFixture::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    BackupSystemTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    server_ = std::make_unique<SftpServerFixture>();
    sshd_ = &server_->sshd();
  }

  void TearDown() override {
    if (HasFailure() && sshd_) {
      std::cerr << "--- sshd log ---\n" << sshd_->log() << "---\n";
    }
    BackupSystemTest::TearDown();
  }

  std::string folder() const { return server_->folder(); }
  json wait_status(const std::string& path) { return wait_until(path, "status"); }

  std::unique_ptr<SftpServerFixture> server_;
  SshdFixture* sshd_ = nullptr;
};

TEST_F(SftpBackupSystemTest, RowsComeBackFromABackupOnAnSftpServerSignedInWithAKey) {
  const HttpResponse created = api("POST", "/api/v1/backup-destinations",
                                   {{"name", "nas"},
                                    {"kind", "sftp"},
                                    {"sftp",
                                     {{"host", sshd_->address()},
                                      {"port", SshdFixture::port()},
                                      {"user", SshdFixture::kUser},
                                      {"path", folder()},
                                      {"private_key", sshd_->private_key()}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string destination_id = created.json()["id"];
  const std::string service_id = make_postgres("ledger-db");
  ASSERT_FALSE(service_id.empty());
  ASSERT_EQ(sql("CREATE TABLE entries (n int, memo text); INSERT INTO entries SELECT g, "
                "'ledger-memo-' || g FROM generate_series(1, 3000) g")
                .exit_code,
            0);

  // Not before its host key is pinned: the agent never trusts a key on first sight.
  const std::string backups = "/api/v1/services/" + service_id + "/backups";
  const HttpResponse early = api("POST", backups, {{"destination_id", destination_id}});
  EXPECT_EQ(early.status, 422) << early.body;
  EXPECT_EQ(early.json()["error"]["code"], "destination_untested") << early.body;
  const HttpResponse tested =
      api("POST", "/api/v1/backup-destinations/" + destination_id + "/test", json::object());
  ASSERT_EQ(tested.status, 200) << tested.body;
  ASSERT_TRUE(tested.json()["ok"].get<bool>()) << tested.body;

  const HttpResponse started = api("POST", backups, {{"destination_id", destination_id}});
  ASSERT_EQ(started.status, 202) << started.body;
  const json backup = wait_status("/api/v1/backups/" + started.json()["id"].get<std::string>());
  ASSERT_EQ(backup["status"], "succeeded") << backup;
  const std::string key = backup["object_key"];
  const fs::path file = fs::path(folder()) / key;
  ASSERT_TRUE(fs::exists(file)) << key;
  EXPECT_FALSE(fs::exists(file.string() + ".partial"));
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(static_cast<std::int64_t>(fs::file_size(file)),
            backup["size_bytes"].get<std::int64_t>());
  std::ifstream in(file, std::ios::binary);
  const std::string stored((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(stored.find("ledger-memo-"), std::string::npos) << "the file is encrypted";

  // Rows deleted, then restored from the SFTP server (after a safety backup there too).
  ASSERT_EQ(sql("DELETE FROM entries WHERE n > 10").exit_code, 0);
  const HttpResponse restoring =
      api("POST", "/api/v1/backups/" + backup["id"].get<std::string>() + "/restore",
          {{"confirm", "ledger-db"}});
  ASSERT_EQ(restoring.status, 202) << restoring.body;
  const json restore = wait_status("/api/v1/restores/" + restoring.json()["id"].get<std::string>());
  ASSERT_EQ(restore["status"], "succeeded") << restore;
  EXPECT_EQ(trimmed(sql("SELECT count(*) FROM entries").output), "3000");
  EXPECT_EQ(berthd_->log().find("OPENSSH PRIVATE KEY"), std::string::npos);

  // Retention's remover (berthd's side, over libssh) deletes the file; gone again is success.
  SystemClock clock;
  backup::NetworkBackupObjectRemover remover(clock);
  const SftpDestinationTarget target{.host = sshd_->address(),
                                     .port = SshdFixture::port(),
                                     .user = SshdFixture::kUser,
                                     .path = folder(),
                                     .password = sshd_->password(),
                                     .host_key_fingerprint = sshd_->host_key_fingerprint()};
  ASSERT_TRUE(remover.remove_sftp(target, key));
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(remover.remove_sftp(target, key));
}

// Restore into a new service: the backup's rows come back in a service the restore creates
// (same engine and image, on the same server), while the service the backup came from keeps
// what it has now; and again after that service was deleted, since deleting a service keeps
// its backups. The refusals come first, before anything is created: no name, a name taken,
// an unknown server, a backup that did not succeed.
TEST_F(BackupSystemTest, ARestoreIntoANewServiceLeavesTheSourceUntouchedAndOutlivesIt) {
  const std::string destination_id = make_destination();
  ASSERT_FALSE(destination_id.empty());
  const std::string service_id = add_running_postgres();
  ASSERT_FALSE(service_id.empty());
  ASSERT_EQ(sql("CREATE TABLE orders (n int); INSERT INTO orders SELECT generate_series(1, 300)")
                .exit_code,
            0);
  const json backup = backed_up(service_id, destination_id);
  ASSERT_EQ(backup.value("status", ""), "succeeded");
  const std::string backup_id = backup["id"];
  EXPECT_EQ(backup["image"], kPostgresImage) << backup;
  ASSERT_EQ(sql("INSERT INTO orders VALUES (301)").exit_code, 0);

  const std::string restore_path = "/api/v1/backups/" + backup_id + "/restore";
  const auto services_count = [&] { return api("GET", "/api/v1/services").json()["data"].size(); };
  EXPECT_EQ(api("POST", restore_path, {{"target", "new"}}).status, 400);
  EXPECT_EQ(api("POST", restore_path, {{"target", "new"}, {"name", "Bad Name!"}}).status, 400);
  const HttpResponse taken = api("POST", restore_path, {{"target", "new"}, {"name", "orders-db"}});
  EXPECT_EQ(taken.status, 409) << taken.body;
  const std::string unknown_server = "srv_" + std::string(26, '0');
  const HttpResponse no_server =
      api("POST", restore_path,
          {{"target", "new"}, {"name", "orders-x"}, {"server_id", unknown_server}});
  EXPECT_EQ(no_server.status, 404) << no_server.body;
  // A failed backup of the same service (a copy of the row, marked failed).
  std::string failed_id = backup_id;
  failed_id.back() = failed_id.back() == '0' ? '1' : '0';
  const CommandResult copied = store_sql(
      "INSERT INTO service_backups (id, team_id, service_id, status, created_at) SELECT '" +
      failed_id + "', team_id, service_id, 'failed', created_at FROM service_backups WHERE id = '" +
      backup_id + "'");
  ASSERT_EQ(copied.exit_code, 0) << copied.output;
  const HttpResponse not_restorable = api("POST", "/api/v1/backups/" + failed_id + "/restore",
                                          {{"target", "new"}, {"name", "orders-x"}});
  EXPECT_EQ(not_restorable.status, 422) << not_restorable.body;
  EXPECT_EQ(services_count(), 1U) << "a refused restore creates no service";

  // Into a new service; the source keeps its 301 rows.
  const auto restore_into_new = [&](const std::string& name) -> std::string {
    const HttpResponse restoring = api("POST", restore_path, {{"target", "new"}, {"name", name}});
    EXPECT_EQ(restoring.status, 202) << restoring.body;
    if (restoring.status != 202) {
      return "";
    }
    EXPECT_EQ(restoring.json()["target"], "new");
    EXPECT_EQ(restoring.json()["step"], "starting_service");
    const std::string new_id = restoring.json()["service_id"];
    EXPECT_NE(new_id, service_id);
    const json created = api("GET", "/api/v1/services/" + new_id).json();
    restored_.emplace_back(created.value("container", ""), created.value("volume", ""));
    const json restore =
        wait_until("/api/v1/restores/" + restoring.json()["id"].get<std::string>(), "status");
    EXPECT_EQ(restore["status"], "succeeded") << restore;
    EXPECT_EQ(restore["service_id"], new_id);
    EXPECT_TRUE(restore["safety_backup_id"].is_null()) << "nothing to keep in a new service";
    EXPECT_EQ(restore["check"], "1");
    const json service = api("GET", "/api/v1/services/" + new_id).json();
    EXPECT_EQ(service["status"], "running") << service;
    EXPECT_EQ(service["engine"], "postgres");
    EXPECT_EQ(service["image"], kPostgresImage);
    EXPECT_EQ(service["server_id"], server_id_);
    return restore["status"] == "succeeded" ? created.value("container", "") : "";
  };
  const std::string copy = restore_into_new("orders-copy");
  ASSERT_FALSE(copy.empty());
  EXPECT_EQ(trimmed(sql_in(copy, "SELECT count(*) FROM orders").output), "300");
  EXPECT_EQ(trimmed(sql("SELECT count(*) FROM orders").output), "301") << "the source is untouched";
  EXPECT_EQ(api("GET", "/api/v1/services/" + service_id).json()["status"], "running");

  // The source deleted: its backup stays, and still restores into a new service.
  const HttpResponse removed =
      api("DELETE", "/api/v1/services/" + service_id + "?confirm=orders-db");
  ASSERT_TRUE(removed.status == 202 || removed.status == 200) << removed.body;
  wait_for(
      "/api/v1/services", [&](const json& page) { return page["data"].size() == 1U; }, 120s);
  ASSERT_EQ(api("GET", "/api/v1/services/" + service_id).status, 404);
  ASSERT_EQ(api("GET", "/api/v1/backups/" + backup_id).status, 200) << "the backup outlives it";
  const std::string second = restore_into_new("orders-reborn");
  ASSERT_FALSE(second.empty());
  EXPECT_EQ(trimmed(sql_in(second, "SELECT count(*) FROM orders").output), "300");
  EXPECT_EQ(trimmed(sql_in(copy, "SELECT count(*) FROM orders").output), "300");

  // A drill of the deleted service's backup runs the image the backup recorded.
  const HttpResponse drilling = api("POST", "/api/v1/backups/" + backup_id + "/drill");
  ASSERT_EQ(drilling.status, 202) << drilling.body;
  const json drill =
      wait_until("/api/v1/drills/" + drilling.json()["id"].get<std::string>(), "status");
  EXPECT_EQ(drill["status"], "verified") << drill;
  EXPECT_EQ(drill["check"], "1") << drill;
}

// An app's named volume end to end: backed up through the API from the running app (the
// object holds none of its text), changed, restored — into a fresh volume, the app restarted
// onto it with its current image — and the redeployed app sees the backup's files while the
// old volume is kept. A drill of the same backup fills a scratch volume, counts the entries
// and removes it.
TEST_F(BackupSystemTest, AnAppsVolumeComesBackInAFreshVolumeTheAppIsRedeployedOnto) {
  const std::string destination_id = make_destination();
  ASSERT_FALSE(destination_id.empty());
  json settings = fast_settings();
  settings["volumes"] = json::array({{{"source", "notes"}, {"target", "/www/notes"}}});
  const std::string app_id = create_app("notes-web", image_source(kAppV1), settings);
  ASSERT_FALSE(app_id.empty());
  const json first = deploy_and_wait(app_id);
  ASSERT_TRUE(succeeded(first));
  ASSERT_EQ(docker({"exec", first["container_name"], "sh", "-c",
                    "echo note-v1 > /www/notes/a.txt && mkdir /www/notes/sub && echo deep > "
                    "/www/notes/sub/b.txt"})
                .exit_code,
            0);

  const std::string backups = "/api/v1/apps/" + app_id + "/volumes/";
  EXPECT_EQ(api("POST", backups + "nope/backups", {{"destination_id", destination_id}}).status,
            404);
  const HttpResponse started =
      api("POST", backups + "notes/backups", {{"destination_id", destination_id}});
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(started.json()["subject"], "volume");
  const std::string backup_id = started.json()["id"];
  const json backup = wait_until("/api/v1/backups/" + backup_id, "status");
  ASSERT_EQ(backup["status"], "succeeded") << backup;
  const std::string volume = backup["volume"];
  app_volumes_ = {volume, volume + "-r1"};
  EXPECT_EQ(volume, "notes");  // an admin's volume names are kept as given
  EXPECT_EQ(backup["engine"], "volume");
  EXPECT_EQ(backup["mount_target"], "/www/notes");
  EXPECT_TRUE(backup["service_id"].is_null());
  const auto path = stored_object(backup["object_key"]);
  ASSERT_FALSE(path.empty()) << backup;
  std::ifstream in(path, std::ios::binary);
  const std::string stored((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(stored.find("note-v1"), std::string::npos) << "the object is encrypted";
  const json listed = api("GET", "/api/v1/apps/" + app_id + "/backups").json();
  ASSERT_EQ(listed["data"].size(), 1U) << listed;
  // A schedule for the volume, kept by its mount (checked again after the restore).
  EXPECT_EQ(api("GET", backups + "notes/backup-policy").status, 404);
  const HttpResponse scheduled = api("PUT", backups + "notes/backup-policy",
                                     {{"schedule", "0 3 * * *"},
                                      {"destination_id", destination_id},
                                      {"retention", {{"keep_last", 3}, {"keep_daily", 7}}}});
  ASSERT_EQ(scheduled.status, 200) << scheduled.body;
  EXPECT_EQ(scheduled.json()["subject"], "volume");
  EXPECT_EQ(scheduled.json()["mount_target"], "/www/notes");
  EXPECT_EQ(api("PUT", backups + "nope/backup-policy",
                {{"schedule", "@daily"}, {"destination_id", destination_id}})
                .status,
            404);
  EXPECT_EQ(listed["data"][0]["id"], backup_id);

  ASSERT_EQ(docker({"exec", first["container_name"], "sh", "-c",
                    "echo note-v2 > /www/notes/a.txt && rm -r /www/notes/sub"})
                .exit_code,
            0);
  const std::string restore_path = "/api/v1/backups/" + backup_id + "/restore";
  EXPECT_EQ(api("POST", restore_path, {{"confirm", "wrong"}}).status, 422);
  EXPECT_EQ(api("POST", restore_path, {{"target", "new"}, {"name", "notes-copy"}}).status, 422);
  const HttpResponse restoring = api("POST", restore_path, {{"confirm", "notes-web"}});
  ASSERT_EQ(restoring.status, 202) << restoring.body;
  const json restore =
      wait_until("/api/v1/restores/" + restoring.json()["id"].get<std::string>(), "status");
  ASSERT_EQ(restore["status"], "succeeded") << restore;
  EXPECT_EQ(restore["new_volume"], volume + "-r1");
  EXPECT_EQ(restore["check"], "4 entries");  // notes/, a.txt, sub/, sub/b.txt
  ASSERT_TRUE(restore["deployment_id"].is_string()) << restore;

  // The redeployed app mounts the fresh volume and sees the backup's files.
  const json redeployed =
      api("GET", "/api/v1/deployments/" + restore["deployment_id"].get<std::string>()).json();
  EXPECT_EQ(redeployed["state"], "succeeded") << redeployed;
  EXPECT_NE(redeployed["container_name"], first["container_name"]);
  EXPECT_EQ(trimmed(docker({"exec", redeployed["container_name"], "cat", "/www/notes/a.txt",
                            "/www/notes/sub/b.txt"})
                        .output),
            "note-v1\ndeep");
  const json app = api("GET", "/api/v1/apps/" + app_id).json();
  EXPECT_EQ(app["settings"]["volumes"][0]["source"], volume + "-r1") << app;
  // The old volume is kept as the app left it.
  EXPECT_EQ(docker({"volume", "inspect", volume}).exit_code, 0);
  // The schedule stays with the mount, now on the fresh volume.
  const HttpResponse kept = api("GET", backups + volume + "-r1/backup-policy");
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(kept.json()["schedule"], "0 3 * * *");
  EXPECT_EQ(kept.json()["retention"]["keep_daily"], 7);
  EXPECT_EQ(api("DELETE", backups + volume + "-r1/backup-policy").status, 204);

  // Again: the next name after notes-r1 is notes-r2, but one exists (made by hand here), so
  // the restore takes notes-r3 and never writes into it.
  app_volumes_.push_back(volume + "-r2");
  app_volumes_.push_back(volume + "-r3");
  ASSERT_EQ(docker({"volume", "create", volume + "-r2"}).exit_code, 0);
  const HttpResponse second = api("POST", restore_path, {{"confirm", "notes-web"}});
  ASSERT_EQ(second.status, 202) << second.body;
  EXPECT_EQ(second.json()["new_volume"], volume + "-r2");
  const json again =
      wait_until("/api/v1/restores/" + second.json()["id"].get<std::string>(), "status");
  ASSERT_EQ(again["status"], "succeeded") << again;
  EXPECT_EQ(again["new_volume"], volume + "-r3");
  const json third =
      api("GET", "/api/v1/deployments/" + again["deployment_id"].get<std::string>()).json();
  EXPECT_EQ(trimmed(docker({"exec", third["container_name"], "cat", "/www/notes/a.txt"}).output),
            "note-v1");
  EXPECT_EQ(
      docker({"run", "--rm", "--entrypoint", "ls", "-v", volume + "-r2:/v", kAppV1, "-A", "/v"})
          .output,
      "")
      << "the volume made by hand stays empty";

  // A drill: a scratch volume filled, its entries counted, removed.
  const HttpResponse drilling = api("POST", "/api/v1/backups/" + backup_id + "/drill");
  ASSERT_EQ(drilling.status, 202) << drilling.body;
  const std::string drill_id = drilling.json()["id"];
  const json drill = wait_until("/api/v1/drills/" + drill_id, "status");
  EXPECT_EQ(drill["status"], "verified") << drill;
  EXPECT_EQ(drill["check"], "4 entries");
  EXPECT_NE(docker({"volume", "inspect", "berth-drill-" + drill_id}).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
