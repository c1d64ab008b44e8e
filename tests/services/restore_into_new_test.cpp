// ServiceBackups::restore with target "new" against a real SQLite store, with a scripted job
// runner deploying the new service: what is refused before anything is created, what service
// is created (the backup's engine and image, also after its service was deleted), and how the
// restore follows that service — to the backup.restore job aimed at its container, or to a
// failure when the service does not start. The restore itself on a real engine is the system
// test BackupSystemTest.ARestoreIntoANewServiceLeavesTheSourceUntouchedAndOutlivesIt.
#include <gtest/gtest.h>
#include <sodium.h>

#include <functional>
#include <thread>

#include "../apps/apps_fixture.hpp"
#include "../deploy/scripted_steps.hpp"
#include "core/backup_keys.hpp"
#include "core/crypto.hpp"
#include "domain/backups/service_backups.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/job_ledger.hpp"
#include "domain/fleet/metrics_recorder.hpp"
#include "domain/fleet/server_book.hpp"
#include "domain/services/managed_services.hpp"

namespace berth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string b64(std::string_view raw) {
  return crypto::base64_encode(
      std::span(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

class RestoreIntoNewTest : public AppsTest {
 protected:
  RestoreIntoNewTest() {
    auto project =
        projects_.create(as(member_), team_, {.name = "shop", .description = {}}, client());
    EXPECT_TRUE(project.has_value());
    project_ = project ? project->id : std::string();
    source_ = postgres("orders-db");
    // The team's backup key and an S3 destination, as a first backup leaves them.
    const backup::BackupKeyPair pair = backup::backup_key_pair_from_seed(std::string(32, 's'));
    public_key_ = pair.public_key;
    const BackupKeyRecord key{
        .team_id = team_,
        .public_key = b64(pair.public_key),
        .secret_key_sealed = crypto::seal(services_.master_key, random_, b64(pair.secret_key)),
        .created_at = clock_.now()};
    const BackupDestinationRecord destination{
        .id = ids_.next("bdst"),
        .team_id = team_,
        .name = "offsite",
        .kind = "s3",
        .config = {{"endpoint", "http://127.0.0.1:9"}, {"bucket", "b"}, {"path_style", true}},
        .secrets_sealed = crypto::seal(services_.master_key, random_,
                                       R"({"access_key_id":"a","secret_access_key":"s3-secret"})"),
        .created_by = member_.id,
        .created_at = clock_.now(),
        .updated_at = clock_.now()};
    destination_ = destination.id;
    EXPECT_TRUE(store_
                    ->write([&](Tx& tx) -> Result<void> {
                      if (auto made = tx.create_backup_key(key); !made) {
                        return made;
                      }
                      return tx.create_backup_destination(destination);
                    })
                    .has_value());
  }

  ServiceRecord postgres(const std::string& name) {
    auto created = managed_.create(as(member_), team_,
                                   ServiceInput{.project_id = project_,
                                                .server_id = server_,
                                                .spec = {{"name", name},
                                                         {"engine", "postgres"},
                                                         {"version", "15"},
                                                         {"image", "mirror.example/postgres:15.8"},
                                                         {"memory_bytes", 256LL * 1024 * 1024}}},
                                   client());
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    EXPECT_TRUE(managed_.idle(10s));
    return created ? created->service : ServiceRecord{};
  }

  // A backup of the source as berthd records one that succeeded; `recorded` false leaves out
  // what migration 0016 added (a backup taken before it).
  ServiceBackupRecord backup(const std::string& status = "succeeded", bool recorded = true) {
    std::string stream_key(32, 'k');
    std::string sealed(crypto_box_SEALBYTES + stream_key.size(), '\0');
    crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()),
                    reinterpret_cast<const unsigned char*>(stream_key.data()), stream_key.size(),
                    reinterpret_cast<const unsigned char*>(public_key_.data()));
    ServiceBackupRecord b{.id = ids_.next("bkp"),
                          .team_id = team_,
                          .service_id = source_.id,
                          .service_name = source_.name,
                          .engine = "postgres",
                          .server_id = server_,
                          .destination_id = destination_,
                          .status = status,
                          .object_key = "berth/orders-db/x.bsb",
                          .size_bytes = 100,
                          .plain_bytes = 300,
                          .sha256 = std::string(64, 'a'),
                          .sealed_key = b64(sealed),
                          .created_by = member_.id,
                          .created_at = clock_.now()};
    if (recorded) {
      b.project_id = project_;
      b.version = "15";
      b.image = "mirror.example/postgres:15.8";
    }
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.create_service_backup(b); }).has_value());
    return b;
  }

  Result<BackupRestoreRecord> restore_new(const UserRecord& who, const std::string& backup_id,
                                          const std::string& name,
                                          const std::string& server_id = {}) {
    return backups_.restore(as(who), team_, backup_id,
                            RestoreRequest{.target = "new", .name = name, .server_id = server_id},
                            client());
  }

  std::size_t service_count() {
    auto page = managed_.list(as(viewer_), team_, {}, {.page = 1, .per_page = 100});
    return page ? page->items.size() : 0;
  }

  // The restore once `done` says it moved on (polled: it runs on the backups' worker).
  BackupRestoreRecord restore_when(const std::string& id,
                                   const std::function<bool(const BackupRestoreRecord&)>& done) {
    BackupRestoreRecord last;
    for (const auto until = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(10ms)) {
      auto found = backups_.get_restore(as(viewer_), team_, id);
      if (found) {
        last = *found;
        if (done(last)) {
          return last;
        }
      }
    }
    ADD_FAILURE() << "the restore did not move on: step " << last.step << ", " << last.status;
    return last;
  }

  std::string project_;
  std::string destination_;
  std::string public_key_;
  ServiceRecord source_;
  InProcessEventHub events_;
  MetricsRecorder metrics_{fleet_};
  JobLedger ledger_{fleet_, events_};
  ServerBook book_{fleet_, events_};
  AgentHub hub_{fleet_, ledger_, book_, metrics_};
  JobService jobs_{fleet_, hub_};
  testing::ScriptedSteps steps_;
  ManagedServices managed_{ctx_, jobs_, steps_};
  ServiceBackups backups_{ctx_, jobs_, steps_, managed_};
};

TEST_F(RestoreIntoNewTest, RefusalsComeBeforeAnythingIsCreated) {
  const ServiceBackupRecord good = backup();
  const ServiceBackupRecord failed = backup("failed");
  const auto code_of = [](const Result<BackupRestoreRecord>& r) {
    return r ? std::string("ok") : r.error().code;
  };
  EXPECT_EQ(code_of(restore_new(member_, good.id, "")), "validation_failed");
  EXPECT_EQ(code_of(restore_new(member_, good.id, "Not A Name!")), "validation_failed");
  EXPECT_EQ(code_of(restore_new(member_, good.id, "orders-db")), "service_name_taken");
  auto no_server = restore_new(member_, good.id, "orders-copy", "srv_" + std::string(26, '0'));
  ASSERT_FALSE(no_server);
  EXPECT_EQ(no_server.error().kind, ErrorKind::not_found);
  EXPECT_EQ(code_of(restore_new(member_, failed.id, "orders-copy")), "backup_not_restorable");
  EXPECT_EQ(code_of(restore_new(viewer_, good.id, "orders-copy")), "insufficient_role");
  auto unknown = backups_.restore(as(member_), team_, good.id,
                                  RestoreRequest{.target = "elsewhere", .name = "x"}, client());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::invalid);
  EXPECT_EQ(service_count(), 1U) << "nothing was created";
}

TEST_F(RestoreIntoNewTest, AServiceLikeTheBackupsIsCreatedAfterTheSourceIsGoneAndRestoredInto) {
  const ServiceBackupRecord b = backup();
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.delete_service(source_.id); }).has_value());
  const std::size_t runs_before = steps_.calls_of("docker.run").size();

  auto started = restore_new(member_, b.id, "orders-reborn");
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->target, "new");
  EXPECT_EQ(started->step, "starting_service");
  EXPECT_EQ(started->status, "running");
  EXPECT_TRUE(started->safety_backup_id.empty());
  auto created = managed_.get(as(viewer_), team_, started->service_id);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->service.name, "orders-reborn");
  EXPECT_EQ(created->service.engine, "postgres");
  EXPECT_EQ(created->service.spec["image"], "mirror.example/postgres:15.8");
  EXPECT_EQ(created->service.spec["version"], "15");
  EXPECT_EQ(created->service.project_id, project_);
  EXPECT_EQ(created->service.server_id, server_);

  // The service deploys (scripted), then the restore's job is aimed at its container and waits
  // for the engine; no safety backup is taken.
  const BackupRestoreRecord restoring = restore_when(
      started->id, [](const BackupRestoreRecord& r) { return r.step != "starting_service"; });
  EXPECT_EQ(restoring.step, "restoring");
  EXPECT_TRUE(restoring.safety_backup_id.empty());
  ASSERT_FALSE(restoring.job_id.empty()) << restoring.error_code << ": " << restoring.error_message;
  auto job = read_value<std::optional<JobRecord>>(
      *store_, [&](Tx& tx) { return tx.get_job(team_, restoring.job_id); });
  ASSERT_TRUE(job && *job);
  EXPECT_EQ((*job)->kind, "backup.restore");
  EXPECT_EQ((*job)->server_id, server_);
  const json args = (*job)->args_summary;
  EXPECT_EQ(args.dump().find("s3-secret"), std::string::npos) << "secrets are masked";
  EXPECT_EQ(args["container"],
            managed_.get(as(viewer_), team_, started->service_id)->service.container_name);
  EXPECT_EQ(args["wait_ready_seconds"], 300);
  EXPECT_EQ(steps_.calls_of("docker.run").size(), runs_before + 1) << "only the new service ran";
  auto backups = backups_.list(as(viewer_), team_, "", {.page = 1, .per_page = 50});
  ASSERT_TRUE(backups);
  EXPECT_EQ(backups->items.size(), 1U) << "no safety backup";
}

TEST_F(RestoreIntoNewTest, AServiceThatDoesNotStartFailsTheRestoreAndStays) {
  const ServiceBackupRecord b = backup();
  steps_.answer("pull", {.state = "failed",
                         .result = json::object(),
                         .error_code = "docker_error",
                         .error_message = "no such image: mirror.example/postgres:15.8"});
  auto started = restore_new(member_, b.id, "orders-copy");
  ASSERT_TRUE(started) << started.error().message;
  const BackupRestoreRecord ended =
      restore_when(started->id, [](const BackupRestoreRecord& r) { return r.status != "running"; });
  EXPECT_EQ(ended.status, "failed");
  EXPECT_EQ(ended.error_code, "service_failed");
  EXPECT_NE(ended.error_message.find("no such image"), std::string::npos) << ended.error_message;
  EXPECT_TRUE(ended.job_id.empty());
  auto kept = managed_.get(as(viewer_), team_, started->service_id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->service.status, "failed");
}

TEST_F(RestoreIntoNewTest, ABackupOlderThanItsRecordNeedsItsServiceToKnowTheImage) {
  const ServiceBackupRecord old = backup("succeeded", /*recorded=*/false);
  auto while_there = restore_new(member_, old.id, "orders-copy");
  ASSERT_TRUE(while_there) << while_there.error().message;
  auto copy = managed_.get(as(viewer_), team_, while_there->service_id);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->service.spec["image"], "mirror.example/postgres:15.8") << "from the source";
  EXPECT_EQ(copy->service.spec["memory_bytes"], 256LL * 1024 * 1024) << "the source's limits";
  (void)restore_when(while_there->id,
                     [](const BackupRestoreRecord& r) { return r.step != "starting_service"; });

  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.delete_service(source_.id); }).has_value());
  auto gone = restore_new(member_, old.id, "orders-copy-2");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, "backup_not_restorable");
}

}  // namespace
}  // namespace berth
