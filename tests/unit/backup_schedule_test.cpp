// berthd's scheduled backup: the daily time, the file names, pruning, and a run with a real
// store and data directory that records its success (so a restart neither repeats nor skips).

#include "berthd/backup_schedule.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "berthd/backup_command.hpp"
#include "berthd/backup_file.hpp"
#include "berthd/instance_secrets.hpp"
#include "core/time_format.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/fakes.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TimePoint at(const char* text) { return parse_rfc3339(text).value(); }

TEST(BackupScheduleTest, ParsesADailyTimeAndNothingElse) {
  EXPECT_EQ(parse_daily_time("03:30"), std::chrono::minutes(210));
  EXPECT_EQ(parse_daily_time("00:00"), std::chrono::minutes(0));
  EXPECT_EQ(parse_daily_time("23:59"), std::chrono::minutes(23 * 60 + 59));
  for (const char* bad : {"24:00", "3:30", "03:60", "03-30", "", "0330", "03:3x", "-1:00"}) {
    EXPECT_FALSE(parse_daily_time(bad).has_value()) << bad;
  }
}

TEST(BackupScheduleTest, ThePreviousRunIsTodayOnceItsTimeHasComeElseYesterday) {
  const auto daily = std::chrono::minutes(3 * 60);
  EXPECT_EQ(previous_daily_run(at("2026-12-06T04:00:00Z"), daily), at("2026-12-06T03:00:00Z"));
  EXPECT_EQ(previous_daily_run(at("2026-12-06T03:00:00Z"), daily), at("2026-12-06T03:00:00Z"));
  EXPECT_EQ(previous_daily_run(at("2026-12-06T02:59:59Z"), daily), at("2026-12-05T03:00:00Z"));
}

TEST(BackupScheduleTest, NamesSortByTimeAndPruningKeepsTheNewestOfThisInstanceOnly) {
  EXPECT_EQ(scheduled_backup_name("ins_a", at("2026-12-06T03:00:05.250Z")),
            "berth-ins_a-20261206T030005Z.backup");
  testing::TempDir dir;
  for (const char* day : {"01", "02", "03", "04", "05"}) {
    std::ofstream(
        dir.path() /
        scheduled_backup_name("ins_a", at((std::string("2026-12-") + day + "T03:00:00Z").c_str())));
  }
  std::ofstream(dir.path() / "berth-ins_b-20261201T030000Z.backup");  // another instance's
  std::ofstream(dir.path() / "notes.txt");
  const auto removed = prune_scheduled_backups(dir.path().string(), "ins_a", 2);
  EXPECT_EQ(removed, (std::vector<std::string>{"berth-ins_a-20261201T030000Z.backup",
                                               "berth-ins_a-20261202T030000Z.backup",
                                               "berth-ins_a-20261203T030000Z.backup"}));
  EXPECT_TRUE(fs::exists(dir.path() / "berth-ins_a-20261205T030000Z.backup"));
  EXPECT_TRUE(fs::exists(dir.path() / "berth-ins_a-20261204T030000Z.backup"));
  EXPECT_TRUE(fs::exists(dir.path() / "berth-ins_b-20261201T030000Z.backup"));
  EXPECT_TRUE(fs::exists(dir.path() / "notes.txt"));
}

class BackupSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    fs::create_directories(data_);
    testing::CountingRandom random;
    ASSERT_TRUE(load_or_create_instance_secrets(data_.string(), random).has_value());
    auto opened = SqliteStore::open({.path = (data_ / "berth.db").string()});
    ASSERT_TRUE(opened.has_value());
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->write(
        [](Tx& tx) { return tx.put_setting("instance_id", "ins_sched", SystemClock().now()); }));
  }
  std::string last_success() {
    std::string value = "<missing>";
    (void)store_->read([&](Tx& tx) -> Result<void> {
      auto got = tx.get_setting("backup.last_success_at");
      if (got && *got) {
        value = **got;
      }
      return {};
    });
    return value;
  }
  std::size_t backups() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir_.path() / "out"), fs::directory_iterator()));
  }
  BackupScheduleOptions options(std::chrono::minutes daily_at) const {
    return {.daily_at = daily_at,
            .directory = (dir_.path() / "out").string(),
            .keep = 2,
            .passphrase = "the scheduled passphrase"};
  }

  testing::TempDir dir_;
  fs::path data_;
  std::unique_ptr<Store> store_;
  SystemClock clock_;
};

TEST_F(BackupSchedulerTest, ARunWritesARestorableFileRecordsItAndPrunes) {
  fs::create_directories(dir_.path() / "out");
  BackupScheduler scheduler(options(1min), data_.string(), "ins_sched", "9.9.9", *store_, clock_);
  auto first = scheduler.run_once();
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_NE(last_success(), "<missing>");
  std::ifstream in(*first, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto plaintext = backup::decrypt(file, "the scheduled passphrase");
  ASSERT_TRUE(plaintext.has_value()) << plaintext.error().message;
  auto bundle = backup::decode_bundle(*plaintext);
  ASSERT_TRUE(bundle.has_value());
  EXPECT_EQ(bundle->manifest["instance_id"], "ins_sched");
  EXPECT_EQ(bundle->manifest["berth_version"], "9.9.9");
  // Two more runs (a second apart, so the names differ): only the newest two are kept.
  for (int i = 0; i < 2; ++i) {
    std::this_thread::sleep_for(1100ms);  // the names have a resolution of one second
    ASSERT_TRUE(scheduler.run_once().has_value());
  }
  EXPECT_EQ(backups(), 2U);
  EXPECT_FALSE(fs::exists(*first));
}

TEST_F(BackupSchedulerTest, AMissedRunIsMadeUpAtStartAndNotRepeatedAfterARestart) {
  fs::create_directories(dir_.path() / "out");
  // Never backed up: the run of the last scheduled time is missing, so start() runs one.
  {
    BackupScheduler scheduler(options(0min), data_.string(), "ins_sched", "1", *store_, clock_);
    scheduler.start();
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (last_success() == "<missing>" && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    scheduler.stop();
  }
  ASSERT_NE(last_success(), "<missing>");
  EXPECT_EQ(backups(), 1U);
  const std::string recorded = last_success();
  // A restart: the last run is newer than the last scheduled time, so it is not due until the
  // next day's time has passed.
  BackupScheduler restarted(options(0min), data_.string(), "ins_sched", "1", *store_, clock_);
  const TimePoint now = clock_.now();
  EXPECT_FALSE(restarted.due(now));
  EXPECT_TRUE(restarted.due(previous_daily_run(now, 0min) + 24h));
  EXPECT_EQ(last_success(), recorded);
  EXPECT_EQ(backups(), 1U);
}

}  // namespace
}  // namespace berth
