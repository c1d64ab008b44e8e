// Backup policies of an app's named volumes and their scheduled runs against a real SQLite store
// with a manual clock: who sets a volume's policy and what is refused, the policy kept by the
// mount's target (so it follows a restore onto a fresh volume), each slot claimed once and run
// through VolumeBackups::record_scheduled, a stopped app's run failed and reported, a missed
// run run once and reported late, and retention over the mount's backups only.
#include "core/time_format.hpp"
#include "domain/backups/backup_policies.hpp"
#include "domain/backups/backup_scheduler.hpp"
#include "volume_backups_fixture.hpp"

namespace berth {
namespace {

class ListingRemover final : public BackupObjectRemover {
 public:
  Result<void> remove_s3(const S3DestinationTarget& target, const std::string& key) override {
    std::lock_guard lock(mutex_);
    removed.push_back(target.bucket + "/" + key);
    return {};
  }
  Result<void> remove_sftp(const SftpDestinationTarget& target, const std::string& key) override {
    std::lock_guard lock(mutex_);
    removed.push_back(target.host + ":" + key);
    return {};
  }
  std::mutex mutex_;
  std::vector<std::string> removed;
};

class VolumeScheduleTest : public VolumeBackupsTest {
 protected:
  // The app also mounts "cache" at /cache.
  VolumeScheduleTest() {
    AppRecord app = stored(app_.id);
    app.settings["volumes"].push_back({{"source", team_ + "-cache"}, {"target", "/cache"}});
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(app); }).has_value());
    app_ = app;
  }

  // Points the mount at /srv/data at `source`, as a restore into a fresh volume does.
  void remount(const std::string& source) {
    AppRecord app = stored(app_.id);
    app.settings["volumes"][0]["source"] = source;
    ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(app); }).has_value());
  }

  BackupPolicyInput hourly(std::int64_t keep_last = 7) {
    return BackupPolicyInput{
        .schedule = "0 * * * *", .destination_id = destination_, .keep_last = keep_last};
  }

  ServiceBackupSchedulerHooks hooks() {
    return ServiceBackupSchedulerHooks{
        .record =
            [this](Tx& tx, const BackupPolicyRecord& policy) {
              return volumes_.record_scheduled(tx, policy);
            },
        .launch =
            [this](const ServiceBackupRecord& backup) {
              std::lock_guard lock(mutex_);
              launched_.push_back(backup.id);
            },
        .event =
            [this](std::string_view, std::string kind, json details) {
              std::lock_guard lock(mutex_);
              seen_events_.push_back(kind + ":" + details.value("backup_id", "") + ":" +
                                     details.value("mount_target", ""));
            }};
  }

  BackupPolicyRecord stored_policy() {
    auto found = read_value<std::optional<BackupPolicyRecord>>(
        *store_, [&](Tx& tx) { return tx.get_volume_backup_policy(team_, app_.id, "/srv/data"); });
    return found && *found ? **found : BackupPolicyRecord{};
  }

  ServiceBackupRecord stored_backup(const std::string& id) {
    auto found = read_value<std::optional<ServiceBackupRecord>>(
        *store_, [&](Tx& tx) { return tx.get_service_backup("", id); });
    return found && *found ? **found : ServiceBackupRecord{};
  }

  void finish(const std::string& id, const std::string& status) {
    ServiceBackupRecord backup = stored_backup(id);
    backup.status = status;
    backup.finished_at = clock_.now();
    ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_service_backup(backup); }));
  }

  BackupPolicies policies_{ctx_};
  ListingRemover remover_;
  std::mutex mutex_;
  std::vector<std::string> launched_;
  std::vector<std::string> seen_events_;
  ServiceBackupScheduler scheduler_{services_, hooks(), &remover_};
};

TEST_F(VolumeScheduleTest, MembersSetAVolumesPolicyKeptByItsMountViewersReadIt) {
  EXPECT_EQ(
      policies_.put_volume(as(viewer_), team_, app_.id, "data", hourly(), client()).error().kind,
      ErrorKind::forbidden);
  auto set = policies_.put_volume(as(member_), team_, app_.id, "data", hourly(3), client());
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->policy.subject, "volume");
  EXPECT_EQ(set->policy.app_id, app_.id);
  EXPECT_EQ(set->policy.mount_target, "/srv/data");
  EXPECT_TRUE(set->policy.service_id.empty());
  EXPECT_EQ(set->policy.keep_last, 3);
  // The manual clock starts at 2025-11-24T16:00:00Z.
  EXPECT_EQ(format_rfc3339(*set->policy.next_run_at), "2025-11-24T17:00:00.000Z");
  EXPECT_FALSE(audit("app.volume_backup_policy.put").empty());
  // The full name finds the same mount's policy; the other mount has none.
  auto read = policies_.get_volume(as(viewer_), team_, app_.id, team_ + "-data");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->policy.schedule, "0 * * * *");
  EXPECT_EQ(policies_.get_volume(as(viewer_), team_, app_.id, "cache").error().kind,
            ErrorKind::not_found);
  EXPECT_EQ(policies_.get_volume(as(stranger_), team_, app_.id, "data").error().kind,
            ErrorKind::not_found);
  // A restore's fresh volume at the same target keeps the policy.
  remount(team_ + "-data-r1");
  EXPECT_TRUE(policies_.get_volume(as(viewer_), team_, app_.id, "data-r1"));
  EXPECT_EQ(policies_.get_volume(as(viewer_), team_, app_.id, "data").error().kind,
            ErrorKind::not_found);

  EXPECT_EQ(policies_.remove_volume(as(viewer_), team_, app_.id, "data-r1", client()).error().kind,
            ErrorKind::forbidden);
  EXPECT_TRUE(policies_.remove_volume(as(member_), team_, app_.id, "data-r1", client()));
  EXPECT_FALSE(audit("app.volume_backup_policy.delete").empty());
  EXPECT_EQ(policies_.remove_volume(as(member_), team_, app_.id, "data-r1", client()).error().kind,
            ErrorKind::not_found);
}

TEST_F(VolumeScheduleTest, AVolumesPolicyIsValidatedLikeAServicesAndNeedsAMountedVolume) {
  auto put = [&](const std::string& volume, const BackupPolicyInput& input) {
    return policies_.put_volume(as(member_), team_, app_.id, volume, input, client());
  };
  BackupPolicyInput bad_cron = hourly();
  bad_cron.schedule = "61 * * * *";
  EXPECT_EQ(put("data", bad_cron).error().kind, ErrorKind::invalid);
  BackupPolicyInput bad_zone = hourly();
  bad_zone.timezone = "Mars/Olympus";
  EXPECT_EQ(put("data", bad_zone).error().details["field"], "timezone");
  BackupPolicyInput keep_none = hourly(0);
  EXPECT_EQ(put("data", keep_none).error().details["field"], "retention.keep_last");
  BackupPolicyInput elsewhere = hourly();
  elsewhere.destination_id = "bdst_nope";
  EXPECT_EQ(put("data", elsewhere).error().kind, ErrorKind::not_found);
  EXPECT_EQ(put("nope", hourly()).error().kind, ErrorKind::not_found);
  EXPECT_EQ(put("../x", hourly()).error().kind, ErrorKind::not_found);
  EXPECT_EQ(
      policies_.put_volume(as(member_), team_, "app_nope", "data", hourly(), client()).error().kind,
      ErrorKind::not_found);
  add_host_mount();
  EXPECT_EQ(put("/etc/ssl", hourly()).error().kind, ErrorKind::not_found);  // not a volume name
}

TEST_F(VolumeScheduleTest, EachSlotBacksUpTheMountOnceAndFollowsARestoresFreshVolume) {
  run_app();
  ASSERT_TRUE(policies_.put_volume(as(member_), team_, app_.id, "data", hourly(1), client()));
  EXPECT_EQ(scheduler_.tick().claimed, 0);
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(scheduler_.tick().claimed, 1);
  EXPECT_EQ(scheduler_.tick().claimed, 0) << "a slot runs once";
  const std::string first = stored_policy().last_backup_id;
  ASSERT_EQ(launched_, std::vector<std::string>{first});
  const ServiceBackupRecord run = stored_backup(first);
  EXPECT_EQ(run.status, "running");
  EXPECT_EQ(run.subject, "volume");
  EXPECT_EQ(run.trigger, "schedule");
  EXPECT_EQ(run.app_id, app_.id);
  EXPECT_EQ(run.volume, team_ + "-data");
  EXPECT_EQ(run.mount_target, "/srv/data");
  EXPECT_EQ(run.service_name, "web");
  EXPECT_EQ(format_rfc3339(*stored_policy().next_run_at), "2025-11-24T18:00:00.000Z");
  finish(first, "succeeded");
  EXPECT_EQ(scheduler_.tick().settled, 1);
  EXPECT_TRUE(remover_.removed.empty());

  // A manual backup of the other mount is not this policy's to prune.
  auto other = volumes_.run(as(member_), team_, app_.id, "cache", destination_, client());
  ASSERT_TRUE(other) << other.error().message;
  ASSERT_TRUE(backups_.idle(std::chrono::seconds(10)));
  finish(other->id, "succeeded");

  remount(team_ + "-data-r1");
  clock_.advance(std::chrono::hours(1));
  ASSERT_EQ(scheduler_.tick().claimed, 1);
  const std::string second = stored_policy().last_backup_id;
  EXPECT_EQ(stored_backup(second).volume, team_ + "-data-r1");
  finish(second, "succeeded");
  const BackupTickReport settled = scheduler_.tick();
  EXPECT_EQ(settled.settled, 1);
  EXPECT_EQ(settled.pruned, 1) << "keep_last 1: the mount's older backup goes";
  EXPECT_EQ(remover_.removed, std::vector<std::string>{"b/" + run.object_key});
  EXPECT_EQ(stored_backup(first).id, "");
  EXPECT_EQ(stored_backup(second).status, "succeeded");
  EXPECT_EQ(stored_backup(other->id).status, "succeeded");
}

TEST_F(VolumeScheduleTest, AStoppedAppsRunIsRecordedFailedAndAMissedSlotRunsOnceLate) {
  ASSERT_TRUE(policies_.put_volume(as(member_), team_, app_.id, "data", hourly(), client()));
  clock_.advance(std::chrono::hours(5));  // berthd was down over four slots
  const BackupTickReport first = scheduler_.tick();
  EXPECT_EQ(first.claimed, 1);
  EXPECT_EQ(first.settled, 1) << "a run that could not start is settled at once";
  EXPECT_EQ(scheduler_.tick().claimed, 0);
  const std::string run = stored_policy().last_backup_id;
  const ServiceBackupRecord failed = stored_backup(run);
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.error_code, "app_not_running");
  EXPECT_EQ(failed.mount_target, "/srv/data");
  EXPECT_EQ(format_rfc3339(*stored_policy().next_run_at), "2025-11-24T22:00:00.000Z");
  EXPECT_EQ(seen_events_,
            (std::vector<std::string>{"scheduled_backup_late:" + run + ":/srv/data",
                                      "scheduled_backup_failed:" + run + ":/srv/data"}));
}

TEST_F(VolumeScheduleTest, AMountTakenOutOfTheAppsSettingsTakesItsPolicyWithIt) {
  ASSERT_TRUE(policies_.put_volume(as(member_), team_, app_.id, "data", hourly(), client()));
  ASSERT_TRUE(policies_.put_volume(as(member_), team_, app_.id, "cache", hourly(), client()));
  auto updated = apps_.update(
      as(member_), team_, app_.id,
      AppPatch{.settings =
                   json{{"volumes", json::array({{{"source", "data"}, {"target", "/srv/data"}}})}}},
      client());
  ASSERT_TRUE(updated) << updated.error().message;
  auto left = read_value<std::vector<BackupPolicyRecord>>(
      *store_, [&](Tx& tx) { return tx.list_volume_backup_policies(team_, app_.id); });
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1U);
  EXPECT_EQ(left->front().mount_target, "/srv/data");
}

}  // namespace
}  // namespace berth
