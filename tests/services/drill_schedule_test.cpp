// BackupDrills::schedule_due against a real SQLite store and a manual clock, the drills' steps
// answered by a scripted job runner: which backup of a service the weekly schedule drills (its
// newest succeeded one), the week's boundaries, a drill that runs, a deleted service, and the
// interval as a setting.
#include <gtest/gtest.h>

#include "domain/backups/backup_drills.hpp"
#include "service_backups_fixture.hpp"

namespace berth {
namespace {

using namespace std::chrono_literals;

class DrillScheduleTest : public ServiceBackupsTest {
 protected:
  DrillScheduleTest() {
    // The scratch container starts, the restore answers the engine's check, the container goes.
    steps_.answer(
        "drill",
        {.state = "succeeded", .result = {{"check", "2"}}, .error_code = {}, .error_message = {}});
  }

  // Claims the drills due now and waits until they ended.
  std::size_t due() {
    const std::size_t claimed = drills_.schedule_due();
    EXPECT_TRUE(drills_.idle(10s));
    return claimed;
  }

  std::vector<BackupDrillRecord> drills_of(const std::string& backup_id) {
    auto found = drills_.list(as(viewer_), team_, backup_id);
    EXPECT_TRUE(found) << (found ? "" : found.error().message);
    return found.value_or(std::vector<BackupDrillRecord>{});
  }

  BackupDrills drills_{ctx_, jobs_, steps_, backups_};
};

TEST_F(DrillScheduleTest, TheNewestSucceededBackupIsDrilledOnceAWeekAndNotBeforeTheWeekIsOut) {
  EXPECT_EQ(due(), 0U) << "no backup yet";
  const ServiceBackupRecord older = backup();
  clock_.advance(1h);
  const ServiceBackupRecord newest = backup();
  clock_.advance(1h);
  (void)backup("failed");  // newer, but a failed backup proves nothing
  clock_.advance(1min);

  EXPECT_EQ(due(), 1U);
  const auto drilled = drills_of(newest.id);
  ASSERT_EQ(drilled.size(), 1U);
  EXPECT_EQ(drilled[0].trigger, "schedule");
  EXPECT_EQ(drilled[0].status, "verified") << drilled[0].error_message;
  EXPECT_EQ(drilled[0].check_result, "2");
  EXPECT_TRUE(drills_of(older.id).empty());
  EXPECT_EQ(backups_.get(as(viewer_), team_, newest.id)->verified, "verified");

  EXPECT_EQ(due(), 0U) << "drilled just now";
  clock_.advance(7 * 24h - 1s);
  EXPECT_EQ(due(), 0U) << "a second before the week is out";
  clock_.advance(1s);
  EXPECT_EQ(due(), 0U) << "exactly a week: due only once the week has passed";
  clock_.advance(1s);
  EXPECT_EQ(due(), 1U) << "a week and a second";
  EXPECT_EQ(drills_of(newest.id).size(), 2U);
  EXPECT_EQ(due(), 0U);
}

TEST_F(DrillScheduleTest, ANewerBackupARunningDrillADeletedServiceAndTheInterval) {
  drills_.set_interval(1h);
  const ServiceBackupRecord first = backup();
  clock_.advance(1min);
  EXPECT_EQ(due(), 1U);
  EXPECT_EQ(drills_of(first.id).size(), 1U);

  // A newer backup waits for the interval since the service's last drill, then is the one.
  clock_.advance(30min);
  const ServiceBackupRecord second = backup();
  EXPECT_EQ(due(), 0U);
  clock_.advance(31min);
  EXPECT_EQ(due(), 1U);
  EXPECT_EQ(drills_of(second.id).size(), 1U);
  EXPECT_EQ(drills_of(first.id).size(), 1U);

  // A drill of the service still running (a manual one, started long ago) holds the schedule.
  BackupDrillRecord manual{.id = ids_.next("drl"),
                           .team_id = team_,
                           .backup_id = first.id,
                           .service_id = source_.id,
                           .server_id = server_,
                           .engine = "postgres",
                           .step = "restoring",
                           .created_at = clock_.now()};
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.create_backup_drill(manual); }));
  clock_.advance(3h);
  EXPECT_EQ(due(), 0U) << "a drill of the service runs";
  manual.status = "failed";
  manual.finished_at = clock_.now();
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_backup_drill(manual); }));
  EXPECT_EQ(due(), 1U);
  EXPECT_EQ(drills_of(second.id).size(), 2U);

  // A deleted service keeps its backups, but the schedule no longer drills them.
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.delete_service(source_.id); }));
  clock_.advance(3h);
  EXPECT_EQ(due(), 0U);
}

}  // namespace
}  // namespace berth
