// ServiceBackups::restore with target "new" against a real SQLite store, with a scripted job
// runner deploying the new service: what is refused before anything is created, what service
// is created (the backup's engine and image, also after its service was deleted), and how the
// restore follows that service — to the backup.restore job aimed at its container, or to a
// failure when the service does not start. The restore itself on a real engine is the system
// test BackupSystemTest.ARestoreIntoANewServiceLeavesTheSourceUntouchedAndOutlivesIt.
#include <gtest/gtest.h>

#include "service_backups_fixture.hpp"

namespace berth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using RestoreIntoNewTest = ServiceBackupsTest;

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

namespace berth {
namespace {

using MajorVersionRestoreTest = ServiceBackupsTest;

// A major upgrade through a backup: the new service is the newer version, from the engine's own
// image of it unless the request names one; an older version is refused before anything exists.
TEST_F(MajorVersionRestoreTest, ANewerMajorVersionIsCreatedAndAnOlderOneRefused) {
  const ServiceBackupRecord b = backup();  // PostgreSQL 15, from a mirror's image
  const auto restore = [&](RestoreRequest request) {
    return backups_.restore(as(member_), team_, b.id, request, client());
  };
  auto older = restore({.target = "new", .name = "orders-old", .version = "14"});
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().code, "version_downgrade");
  EXPECT_NE(older.error().message.find("postgres 15"), std::string::npos) << older.error().message;
  auto same_target = restore({.target = "same", .confirm = "orders-db", .version = "17"});
  ASSERT_FALSE(same_target);
  EXPECT_EQ(same_target.error().kind, ErrorKind::invalid);
  auto unknown = restore({.target = "new", .name = "orders-x", .version = "99"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::invalid) << "not a version the engine comes in";
  EXPECT_EQ(service_count(), 1U) << "nothing was created";

  auto upgraded = restore({.target = "new", .name = "orders-pg17", .version = "17"});
  ASSERT_TRUE(upgraded) << upgraded.error().message;
  auto created = managed_.get(as(viewer_), team_, upgraded->service_id);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->service.spec["version"], "17");
  EXPECT_EQ(created->service.spec["image"], "postgres:17") << "the engine's image of 17";

  auto mirrored = restore(
      {.target = "new", .name = "orders-pg16", .version = "16", .image = "mirror.example/pg:16.4"});
  ASSERT_TRUE(mirrored) << mirrored.error().message;
  created = managed_.get(as(viewer_), team_, mirrored->service_id);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->service.spec["version"], "16");
  EXPECT_EQ(created->service.spec["image"], "mirror.example/pg:16.4");
}

}  // namespace
}  // namespace berth
