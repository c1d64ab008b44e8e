// backup.run and backup.restore on the real dockerd against a real S3 server (s3rver) on
// loopback: PostgreSQL (the offline berth-test/postgres:15) with rows, backed up, rows deleted,
// restored, rows back; the object holds no plaintext; a flipped bit is refused before the
// database is touched; a restore with `check` proves the data answers. MariaDB the same, and
// Redis is backed up (BGSAVE's RDB through redis-cli --rdb). Containers are named
// berth-test-bk-<pid>-… and removed at the end, pass or fail.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "agent/host/backup_job.hpp"
#include "agent/host/docker_client.hpp"
#include "agent/host/docker_exec.hpp"
#include "agent/host/docker_jobs.hpp"
#include "agent_host/collected_output.hpp"
#include "backup/backup_stream.hpp"
#include "backup/s3rver_fixture.hpp"
#include "core/crypto.hpp"
#include "system/docker_fixture.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;

std::string b64(const std::string& raw) {
  return crypto::base64_encode(
      std::span(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

class BackupJobsSystem : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& engine = berth::testing::shared_docker_engine();
    if (!engine.ready) {
      GTEST_SKIP() << "no Docker Engine for system tests: " << engine.reason;
    }
    if (::geteuid() != 0) {
      GTEST_SKIP() << "the service images need root to build";
    }
    if (const std::string why = berth::testing::S3rverFixture::unavailable_reason(); !why.empty()) {
      GTEST_SKIP() << why;
    }
    socket_ = engine.socket_path;
    ASSERT_EQ(berth::testing::shared_service_images(), "");
    s3_.emplace(std::vector<std::string>{"backups"});
  }

  void TearDown() override {
    DockerClient client(socket_);
    for (const auto& name : containers_) {
      (void)client.request("DELETE", "/containers/" + name + "?force=1&v=1");
    }
    for (const auto& name : volumes_) {
      (void)client.request("DELETE", "/volumes/" + name + "?force=1");
    }
  }

  json s3_args() const {
    return {{"endpoint", s3_->endpoint()},
            {"region", "us-east-1"},
            {"bucket", "backups"},
            {"path_style", true},
            {"access_key_id", berth::testing::S3rverFixture::kAccessKey},
            {"secret_access_key", berth::testing::S3rverFixture::kSecret}};
  }

  JobOutcome job(const std::string& kind, json args) {
    output_ = std::make_unique<CollectedOutput>();
    JobContext context{.job_id = "job_backup",
                       .kind = kind,
                       .args = std::move(args),
                       .timeout = std::chrono::milliseconds(180'000),
                       .output = *output_,
                       .cancelled = cancelled_};
    return kind.starts_with("backup.") ? run_backup_job(context, socket_)
                                       : run_docker_job(context, socket_);
  }

  std::string start(const std::string& role, const char* image, json env, json cmd = json()) {
    containers_.push_back(prefix_ + "-" + role);
    json args = {{"image", image},
                 {"name", containers_.back()},
                 {"env", std::move(env)},
                 {"memory_bytes", 512 * 1024 * 1024}};
    if (!cmd.is_null()) {
      args["cmd"] = std::move(cmd);
    }
    const JobOutcome started = job("docker.run", args);
    EXPECT_EQ(started.status, "succeeded") << started.error_code << ": " << started.error_message;
    return containers_.back();
  }

  // Runs a fixed script in the container (retried while the server starts); its stdout.
  std::string sql(const std::string& container, const std::string& script) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (;;) {
      output_ = std::make_unique<CollectedOutput>();
      JobContext context{.job_id = "job_sql",
                         .kind = "exec",
                         .args = json::object(),
                         .timeout = std::chrono::milliseconds(60'000),
                         .output = *output_,
                         .cancelled = cancelled_};
      DockerJob run(context, socket_);
      std::string out;
      auto code = run_exec(
          run, ExecCommand{.container = container, .argv = {"sh", "-c", script}, .env = {}},
          nullptr, [&](std::string_view stream, std::string_view bytes) -> Result<void> {
            if (stream == "stdout") {
              out.append(bytes);
            }
            return {};
          });
      if (code && *code == 0) {
        while (!out.empty() && out.back() == '\n') {
          out.pop_back();
        }
        return out;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << script << " never succeeded";
        return {};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  JobOutcome backup(const std::string& engine, const std::string& container,
                    const std::string& key) {
    return job("backup.run", {{"engine", engine},
                              {"container", container},
                              {"public_key", b64(keys_.public_key)},
                              {"s3", s3_args()},
                              {"key", key}});
  }

  json restore_args(const std::string& engine, const std::string& container,
                    const JobOutcome& made) {
    const auto sealed = crypto::base64_decode(made.result["sealed_key"].get<std::string>());
    auto stream_key = backup::open_stream_key(std::string(sealed->begin(), sealed->end()), keys_);
    EXPECT_TRUE(stream_key);
    return {{"engine", engine},
            {"container", container},
            {"stream_key", b64(*stream_key)},
            {"sha256", made.result["sha256"]},
            {"size_bytes", made.result["size_bytes"]},
            {"s3", s3_args()},
            {"key", made.result["key"]}};
  }

  std::filesystem::path stored_object(const std::string& key) const {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(s3_->data_dir())) {
      // s3rver keeps an object's bytes in "<key>._S3rver_object".
      if (entry.is_regular_file() && entry.path().string().ends_with(key + "._S3rver_object")) {
        return entry.path();
      }
    }
    return {};
  }

  std::string socket_;
  const std::string prefix_ = "berth-test-bk-" + std::to_string(::getpid());
  std::vector<std::string> containers_;
  std::vector<std::string> volumes_;
  std::atomic<bool> cancelled_{false};
  std::unique_ptr<CollectedOutput> output_;
  std::optional<berth::testing::S3rverFixture> s3_;
  const backup::BackupKeyPair keys_ = backup::backup_key_pair_from_seed(std::string(32, 's'));
};

// Over TCP: the entry point's first-run server listens on the socket only and is restarted, so
// an answer over TCP means the server that stays is up.
constexpr const char* kPsql =
    "PGPASSWORD=\"$POSTGRES_PASSWORD\" psql -h 127.0.0.1 -At -U \"$POSTGRES_USER\" -d "
    "\"$POSTGRES_DB\" -c ";

TEST_F(BackupJobsSystem, PostgresRowsComeBackAndATamperedObjectIsRefused) {
  const std::string db = start(
      "pg", berth::testing::kPostgresImage,
      {{"POSTGRES_PASSWORD", "pw-secret-1"}, {"POSTGRES_USER", "app"}, {"POSTGRES_DB", "shop"}});
  sql(db, std::string(kPsql) +
              "\"create table orders(id int primary key, note text); insert into orders "
              "select g, 'order-note-' || g from generate_series(1, 5000) g\"");
  const JobOutcome made = backup("postgres", db, "team/svc/first.bsb");
  ASSERT_EQ(made.status, "succeeded") << made.error_code << ": " << made.error_message << "\n"
                                      << output_->all;
  EXPECT_GT(made.result["plain_bytes"].get<std::uint64_t>(), 10'000U);
  EXPECT_EQ(made.result["sha256"].get<std::string>().size(), 64U);

  // What S3 holds is the sealed stream: no row text, no password.
  const auto path = stored_object("first.bsb");
  ASSERT_FALSE(path.empty());
  std::ifstream in(path, std::ios::binary);
  const std::string stored((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(stored.size(), made.result["size_bytes"].get<std::uint64_t>());
  EXPECT_TRUE(stored.starts_with("BERTHSVB"));
  EXPECT_EQ(stored.find("order-note-"), std::string::npos);
  EXPECT_EQ(made.result.dump().find("pw-secret-1"), std::string::npos);

  sql(db, std::string(kPsql) + "\"delete from orders where id > 10\"");
  EXPECT_EQ(sql(db, std::string(kPsql) + "\"select count(*) from orders\""), "10");

  // A flipped bit in the stored object: refused before anything changes.
  std::string flipped = stored;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 4);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
  const JobOutcome refused = job("backup.restore", restore_args("postgres", db, made));
  EXPECT_EQ(refused.status, "failed");
  EXPECT_EQ(refused.error_code, "backup_checksum_mismatch") << refused.error_message;
  EXPECT_EQ(sql(db, std::string(kPsql) + "\"select count(*) from orders\""), "10");

  std::ofstream(path, std::ios::binary | std::ios::trunc) << stored;
  json args = restore_args("postgres", db, made);
  args["check"] = true;
  const JobOutcome restored = job("backup.restore", args);
  ASSERT_EQ(restored.status, "succeeded")
      << restored.error_code << ": " << restored.error_message << "\n"
      << output_->all;
  EXPECT_EQ(sql(db, std::string(kPsql) + "\"select count(*) from orders\""), "5000");
  EXPECT_EQ(restored.result["check"], "1");  // one user table answers
}

// A backup asked for as soon as the container runs (a service just created or restarted) waits
// for the engine: the image's first run creates the database on a socket-only server and
// restarts it, and pg_dump would fail in that window.
TEST_F(BackupJobsSystem, ABackupRightAfterTheStartWaitsForTheEngine) {
  const std::string db = start(
      "pg-fresh", berth::testing::kPostgresImage,
      {{"POSTGRES_PASSWORD", "pw-secret-2"}, {"POSTGRES_USER", "app"}, {"POSTGRES_DB", "shop"}});
  const JobOutcome made = job("backup.run", {{"engine", "postgres"},
                                             {"container", db},
                                             {"public_key", b64(keys_.public_key)},
                                             {"s3", s3_args()},
                                             {"key", "team/svc/fresh.bsb"},
                                             {"wait_ready_seconds", 60}});
  EXPECT_EQ(made.status, "succeeded") << made.error_code << ": " << made.error_message << "\n"
                                      << output_->all;
}

TEST_F(BackupJobsSystem, MariadbRowsComeBack) {
  const std::string db = start("maria", berth::testing::kMariadbImage,
                               {{"MYSQL_ROOT_PASSWORD", "root-secret-2"},
                                {"MYSQL_DATABASE", "shop"},
                                {"MYSQL_USER", "app"},
                                {"MYSQL_PASSWORD", "pw-2"}});
  const std::string mysql = "MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\" mysql -uroot -N -D shop -e ";
  sql(db, mysql +
              "\"create table items(id int primary key); insert into items values "
              "(1),(2),(3),(4),(5)\"");
  const JobOutcome made = backup("mariadb", db, "team/svc/maria.bsb");
  ASSERT_EQ(made.status, "succeeded") << made.error_code << ": " << made.error_message << "\n"
                                      << output_->all;
  sql(db, mysql + "\"delete from items\"");
  EXPECT_EQ(sql(db, mysql + "\"select count(*) from items\""), "0");
  json args = restore_args("mariadb", db, made);
  args["check"] = true;
  const JobOutcome restored = job("backup.restore", args);
  ASSERT_EQ(restored.status, "succeeded")
      << restored.error_code << ": " << restored.error_message << "\n"
      << output_->all;
  EXPECT_EQ(sql(db, mysql + "\"select count(*) from items\""), "5");
  EXPECT_EQ(restored.result["check"], "1");

  // Into another server whose database has another name (a restore into a new service): the
  // rows land in that database, and the source's name is not created beside it.
  const std::string other = start("maria-new", berth::testing::kMariadbImage,
                                  {{"MYSQL_ROOT_PASSWORD", "root-secret-4"},
                                   {"MYSQL_DATABASE", "store"},
                                   {"MYSQL_USER", "app"},
                                   {"MYSQL_PASSWORD", "pw-4"}});
  const std::string root = "MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\" mysql -uroot -N -e ";
  EXPECT_EQ(sql(other, root + "\"select 1\""), "1");  // the server is up
  const JobOutcome into_new = job("backup.restore", restore_args("mariadb", other, made));
  ASSERT_EQ(into_new.status, "succeeded")
      << into_new.error_code << ": " << into_new.error_message << "\n"
      << output_->all;
  EXPECT_EQ(sql(other, root + "\"select count(*) from store.items\""), "5");
  EXPECT_EQ(sql(other, root + "\"select count(*) from information_schema.schemata where "
                              "schema_name = 'shop'\""),
            "0");
}

TEST_F(BackupJobsSystem, RedisIsBackedUpAsAnRdb) {
  const std::string db =
      start("redis", berth::testing::kRedisImage, {{"REDIS_PASSWORD", "redis-secret-3"}},
            {"sh", "-c",
             "exec docker-entrypoint.sh redis-server --requirepass \"$REDIS_PASSWORD\" "
             "--appendonly yes"});
  const std::string cli = "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli --no-auth-warning ";
  sql(db, cli + "SET greeting hello");
  const JobOutcome made = backup("redis", db, "team/svc/redis.bsb");
  ASSERT_EQ(made.status, "succeeded") << made.error_code << ": " << made.error_message << "\n"
                                      << output_->all;
  // Decrypt it here: an RDB file starts with "REDIS".
  const auto path = stored_object("redis.bsb");
  std::ifstream in(path, std::ios::binary);
  const std::string stored((std::istreambuf_iterator<char>(in)), {});
  const auto sealed = crypto::base64_decode(made.result["sealed_key"].get<std::string>());
  auto key = backup::open_stream_key(std::string(sealed->begin(), sealed->end()), keys_);
  ASSERT_TRUE(key);
  std::string plain;
  auto decoder = backup::BackupDecoder::create(*key, [&](std::string_view bytes) -> Result<void> {
    plain.append(bytes);
    return {};
  });
  ASSERT_TRUE((*decoder)->write(stored));
  ASSERT_TRUE((*decoder)->finish());
  EXPECT_TRUE(plain.starts_with("REDIS")) << plain.substr(0, 32);
  EXPECT_NE(plain.find("greeting"), std::string::npos);
  // The RDB ends with its end opcode and checksum: redis-cli's transfer mark was dropped.
  ASSERT_GE(plain.size(), 9U);
  EXPECT_EQ(static_cast<unsigned char>(plain[plain.size() - 9]), 0xFF);
  EXPECT_EQ(made.result["plain_bytes"].get<std::int64_t>(),
            static_cast<std::int64_t>(plain.size()));
}

// Keys written, backed up, deleted (and others added); a restore brings back exactly the
// backed-up keys — with the AOF on (Berth's services: Redis 7 then loads the AOF, not
// dump.rdb) and off (the official image's default).

TEST_F(BackupJobsSystem, RedisKeysComeBackWithTheAofOn) {
  const std::string db =
      start("redis-aof", berth::testing::kRedisImage, {{"REDIS_PASSWORD", "redis-secret-4"}},
            {"sh", "-c",
             "exec docker-entrypoint.sh redis-server --requirepass \"$REDIS_PASSWORD\" "
             "--appendonly yes"});
  const std::string cli = "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli --no-auth-warning ";
  for (int i = 1; i <= 50; ++i) {
    sql(db, cli + "SET key:" + std::to_string(i) + " value-" + std::to_string(i));
  }
  const JobOutcome made = backup("redis", db, "team/svc/redis-aof.bsb");
  ASSERT_EQ(made.status, "succeeded") << made.error_code << ": " << made.error_message;
  sql(db, cli + "FLUSHALL");
  sql(db, cli + "SET stray 1");
  ASSERT_EQ(sql(db, cli + "DBSIZE"), "1");
  json args = restore_args("redis", db, made);
  args["plain_bytes"] = made.result["plain_bytes"];
  args["check"] = true;
  const JobOutcome restored = job("backup.restore", args);
  ASSERT_EQ(restored.status, "succeeded")
      << restored.error_code << ": " << restored.error_message << "\n"
      << output_->all;
  EXPECT_EQ(restored.result["check"], "50");
  EXPECT_EQ(sql(db, cli + "DBSIZE"), "50");
  EXPECT_EQ(sql(db, cli + "GET key:7"), "value-7");
  EXPECT_EQ(sql(db, cli + "EXISTS stray"), "0");
  // It stays that way after another restart: the AOF now holds the restored keys.
  DockerClient client(socket_);
  auto restarted = client.request("POST", "/containers/" + db + "/restart?t=10", std::nullopt,
                                  {.timeout = std::chrono::seconds(60), .cancelled = nullptr});
  ASSERT_TRUE(restarted && restarted->status == 204) << (restarted ? restarted->body : "");
  EXPECT_EQ(sql(db, cli + "DBSIZE"), "50");
}

TEST_F(BackupJobsSystem, RedisKeysComeBackWithoutTheAof) {
  const std::string db = start(
      "redis-rdb", berth::testing::kRedisImage, {{"REDIS_PASSWORD", "redis-secret-5"}},
      {"sh", "-c", "exec docker-entrypoint.sh redis-server --requirepass \"$REDIS_PASSWORD\""});
  const std::string cli = "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli --no-auth-warning ";
  sql(db, cli + "SET a 1");
  sql(db, cli + "SET b 2");
  const JobOutcome made = backup("redis", db, "team/svc/redis-rdb.bsb");
  ASSERT_EQ(made.status, "succeeded") << made.error_code << ": " << made.error_message;
  sql(db, cli + "DEL a");
  json args = restore_args("redis", db, made);
  args["plain_bytes"] = made.result["plain_bytes"];
  args["check"] = true;
  const JobOutcome restored = job("backup.restore", args);
  ASSERT_EQ(restored.status, "succeeded")
      << restored.error_code << ": " << restored.error_message << "\n"
      << output_->all;
  EXPECT_EQ(restored.result["check"], "2");
  EXPECT_EQ(sql(db, cli + "GET a"), "1");
}

TEST_F(BackupJobsSystem, ADumpThatFailsLeavesNoObject) {
  const std::string db =
      start("pgfail", berth::testing::kPostgresImage,
            {{"POSTGRES_PASSWORD", "pw"}, {"POSTGRES_USER", "app"}, {"POSTGRES_DB", "shop"}});
  sql(db, std::string(kPsql) + "\"select 1\"");
  // The database the dump names is dropped under it: pg_dump exits non-zero.
  sql(db, "PGPASSWORD=\"$POSTGRES_PASSWORD\" psql -U app -d postgres -c 'drop database shop'");
  const JobOutcome made = backup("postgres", db, "team/svc/failed.bsb");
  EXPECT_EQ(made.status, "failed");
  EXPECT_EQ(made.error_code, "dump_failed") << made.error_message;
  EXPECT_TRUE(stored_object("failed.bsb").empty()) << "a partial object was left";
}

// An app's named volume: its files go out as the Engine's tar of the mount (through the app's
// own container, busybox here), sealed; a restore fills a fresh volume through a helper
// container that is never started, and the files come back with their content and owner. The
// live volume is never written: a restore into an existing volume is refused, and a drill's
// scratch volume is removed after its entries were counted.
TEST_F(BackupJobsSystem, AVolumesFilesComeBackInAFreshVolume) {
  const std::string volume = prefix_ + "-vol";
  volumes_ = {volume, volume + "-r1", volume + "-drill"};
  containers_.push_back(prefix_ + "-app");
  const std::string app = containers_.back();
  const auto run_with = [&](const std::string& name, const std::string& source) {
    const JobOutcome started = job(
        "docker.run", {{"image", berth::testing::kTestImage},
                       {"name", name},
                       {"cmd", json::array({"sleep", "600"})},
                       {"volumes", json::array({{{"source", source}, {"target", "/srv/data"}}})}});
    ASSERT_EQ(started.status, "succeeded") << started.error_code << ": " << started.error_message;
  };
  run_with(app, volume);
  sql(app,
      "mkdir -p /srv/data/sub && echo hello-volume-1 > /srv/data/a.txt && echo nested > "
      "/srv/data/sub/b.txt && chown 1234:1235 /srv/data/a.txt");
  const JobOutcome made = job("backup.run", {{"engine", "volume"},
                                             {"container", app},
                                             {"path", "/srv/data"},
                                             {"public_key", b64(keys_.public_key)},
                                             {"s3", s3_args()},
                                             {"key", "team/app/vol.bsb"}});
  ASSERT_EQ(made.status, "succeeded") << made.error_code << ": " << made.error_message << "\n"
                                      << output_->all;
  EXPECT_EQ(made.result["entries"], 4);  // data/, data/a.txt, data/sub/, data/sub/b.txt
  const auto path = stored_object("vol.bsb");
  ASSERT_FALSE(path.empty());
  std::ifstream in(path, std::ios::binary);
  const std::string stored((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(stored.starts_with("BERTHSVB"));
  EXPECT_EQ(stored.find("hello-volume-1"), std::string::npos);

  sql(app, "echo changed > /srv/data/a.txt && rm /srv/data/sub/b.txt");
  json args = restore_args("volume", app, made);
  args.erase("container");
  args["volume"] = volume + "-r1";
  args["path"] = "/srv/data";
  args["image"] = berth::testing::kTestImage;
  args["check"] = true;
  const JobOutcome restored = job("backup.restore", args);
  ASSERT_EQ(restored.status, "succeeded")
      << restored.error_code << ": " << restored.error_message << "\n"
      << output_->all;
  EXPECT_EQ(restored.result["check"], "4 entries");
  EXPECT_EQ(restored.result["volume"], volume + "-r1");
  // The live volume is as the app left it; the fresh one has the backup's files.
  EXPECT_EQ(sql(app, "cat /srv/data/a.txt"), "changed");
  containers_.push_back(prefix_ + "-app2");
  run_with(containers_.back(), volume + "-r1");
  EXPECT_EQ(sql(containers_.back(), "cat /srv/data/a.txt /srv/data/sub/b.txt"),
            "hello-volume-1\nnested");
  EXPECT_EQ(sql(containers_.back(), "stat -c '%u:%g' /srv/data/a.txt"), "1234:1235");
  DockerClient client(socket_);
  EXPECT_EQ(client.request("GET", "/containers/" + volume + "-r1-restore/json")->status, 404U);

  const JobOutcome again = job("backup.restore", args);
  EXPECT_EQ(again.error_code, "volume_exists");

  args["volume"] = volume + "-drill";
  args["remove_volume"] = true;
  const JobOutcome drill = job("backup.restore", args);
  ASSERT_EQ(drill.status, "succeeded") << drill.error_code << ": " << drill.error_message;
  EXPECT_EQ(drill.result["check"], "4 entries");
  EXPECT_EQ(client.request("GET", "/volumes/" + volume + "-drill")->status, 404U);
}

}  // namespace
}  // namespace berth::agent::host
