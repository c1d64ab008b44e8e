// VolumeBackups (an app's named volumes) against a real SQLite store with a scripted job runner:
// which volumes can be backed up and what a backup records and runs, the list, and the restore's
// refusals and its job; next_restore_volume's names.
#include "domain/backups/volume_backups.hpp"

#include "volume_backups_fixture.hpp"

namespace berth {
namespace {

using nlohmann::json;

TEST_F(VolumeBackupsTest, ANamedVolumeOfARunningAppIsBackedUpFromItsContainer) {
  run_app();
  const std::string volume = team_ + "-data";  // a member's volume carries the team's prefix
  EXPECT_EQ(stored(app_.id).settings["volumes"][0]["source"], volume);
  EXPECT_EQ(run("data", viewer_).error().kind, ErrorKind::forbidden);
  auto backup = run("data", member_);
  ASSERT_TRUE(backup) << backup.error().message;
  EXPECT_EQ(backup->subject, "volume");
  EXPECT_EQ(backup->engine, "volume");
  EXPECT_EQ(backup->status, "running");
  EXPECT_TRUE(backup->service_id.empty());
  EXPECT_EQ(backup->app_id, app_.id);
  EXPECT_EQ(backup->service_name, "web");
  EXPECT_EQ(backup->volume, volume);
  EXPECT_EQ(backup->mount_target, "/srv/data");
  EXPECT_EQ(backup->image, "nginx:1.27");
  EXPECT_EQ(backup->object_key, "berth/web-" + app_.id + "/" + volume + "/" + backup->id + ".bsb");
  EXPECT_TRUE(run(volume, member_)) << "the full name works too";
  EXPECT_TRUE(backups_.idle(std::chrono::seconds(10)));
  const auto runs = steps_.calls_of("backup.run");
  ASSERT_FALSE(runs.empty());
  const json args = runs.front().args;
  EXPECT_EQ(args["engine"], "volume");
  EXPECT_EQ(args["container"], "web-c1");
  EXPECT_EQ(args["path"], "/srv/data");
  EXPECT_EQ(args["key"], backup->object_key);
  auto listed = volumes_.list(as(viewer_), team_, app_.id, {.page = 1, .per_page = 10});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->items.size(), 2U);
  EXPECT_EQ(volumes_.list(as(viewer_), team_, "app_nope", {.page = 1, .per_page = 10}).error().kind,
            ErrorKind::not_found);
}

TEST_F(VolumeBackupsTest, UnknownVolumesHostPathsAndAnAppThatDoesNotRunAreRefused) {
  add_host_mount();
  EXPECT_EQ(run("data", member_).error().code, "app_not_running");
  run_app();
  EXPECT_EQ(run("nope", member_).error().kind, ErrorKind::not_found);
  EXPECT_EQ(run("../x", member_).error().kind, ErrorKind::not_found);
  const auto host = run("/etc/ssl", member_);
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().code, "not_a_volume");
  EXPECT_EQ(host.error().kind, ErrorKind::unprocessable);
  EXPECT_EQ(volumes_.run(as(member_), team_, app_.id, "data", "bdst_nope", client()).error().kind,
            ErrorKind::invalid);
}

TEST_F(VolumeBackupsTest, ARestoreIsIntoAFreshVolumeConfirmedWithTheAppsName) {
  run_app();
  auto backup = run("data", member_);
  ASSERT_TRUE(backup);
  ASSERT_TRUE(backups_.idle(std::chrono::seconds(10)));
  // As a backup.run that succeeded leaves it.
  ServiceBackupRecord done = *backup;
  done.status = "succeeded";
  done.sha256 = std::string(64, 'a');
  done.size_bytes = 100;
  done.sealed_key = this->backup().sealed_key;
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_service_backup(done); }).has_value());

  const auto restore = [&](RestoreRequest request) {
    return volumes_.restore(as(member_), team_, done.id, request, client());
  };
  EXPECT_EQ(restore({.target = "new", .name = "copy"}).error().code, "volume_restore_target");
  EXPECT_EQ(restore({.confirm = "wrong"}).error().code, "confirm_required");
  auto started = restore({.confirm = "web"});
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->app_id, app_.id);
  EXPECT_EQ(started->new_volume, team_ + "-data-r1");
  EXPECT_EQ(started->step, "restoring");
  EXPECT_TRUE(started->service_id.empty());
  // The job fills the fresh volume through a helper of the app's image.
  BackupRestoreRecord restoring;
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       restoring.job_id.empty() && std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
    restoring = backups_.get_restore(as(viewer_), team_, started->id).value_or(restoring);
  }
  ASSERT_FALSE(restoring.job_id.empty());
  std::optional<JobRecord> job;
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       !job && std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
    job = read_value<std::optional<JobRecord>>(*store_, [&](Tx& tx) {
            return tx.get_job(team_, restoring.job_id);
          }).value_or(std::nullopt);
  }
  ASSERT_TRUE(job);
  EXPECT_EQ(job->kind, "backup.restore");
  const json args = job->args_summary;
  EXPECT_EQ(args["engine"], "volume");
  EXPECT_EQ(args["volume"], team_ + "-data-r1");
  EXPECT_EQ(args["path"], "/srv/data");
  EXPECT_EQ(args["image"], "nginx:1.27");
  EXPECT_EQ(args["remove_volume"], false);
  EXPECT_FALSE(args.contains("container"));
}

TEST(NextRestoreVolume, CountsUpFromTheCurrentName) {
  EXPECT_EQ(next_restore_volume("team_1-data"), "team_1-data-r1");
  EXPECT_EQ(next_restore_volume("team_1-data-r1"), "team_1-data-r2");
  EXPECT_EQ(next_restore_volume("team_1-data-r9"), "team_1-data-r10");
  EXPECT_EQ(next_restore_volume("team_1-data-rx"), "team_1-data-rx-r1");
  EXPECT_EQ(next_restore_volume("a-r"), "a-r-r1");
  EXPECT_EQ(next_restore_volume(std::string(126, 'v')), "");
}

}  // namespace
}  // namespace berth
