// Cron schedules in time zones (domain/backups/cron_schedule.hpp), DST included.
#include "domain/backups/cron_schedule.hpp"

#include <gtest/gtest.h>

#include "core/time_format.hpp"

namespace berth {
namespace {

TimePoint at(const char* text) { return *parse_rfc3339(text); }

std::string next(const char* schedule, const char* zone, const char* after) {
  auto found = cron::next_run_of(schedule, zone, at(after));
  return found ? format_rfc3339(*found) : "error: " + found.error().message;
}

std::string error_of(const char* schedule) {
  auto parsed = cron::parse(schedule);
  return parsed ? "ok" : parsed.error().message;
}

TEST(CronSchedule, ReadsFieldsListsRangesStepsAndNames) {
  EXPECT_EQ(next("* * * * *", "UTC", "2026-03-01T10:00:30.000Z"), "2026-03-01T10:01:00.000Z");
  EXPECT_EQ(next("*/15 * * * *", "UTC", "2026-03-01T10:01:00.000Z"), "2026-03-01T10:15:00.000Z");
  EXPECT_EQ(next("5,35 8-10 * * *", "UTC", "2026-03-01T10:40:00.000Z"), "2026-03-02T08:05:00.000Z");
  EXPECT_EQ(next("0 0 1 jan,JUL *", "UTC", "2026-03-01T00:00:00.000Z"), "2026-07-01T00:00:00.000Z");
  EXPECT_EQ(next("0 12 * * mon-fri", "UTC", "2026-03-06T12:00:00.000Z"),  // a Friday
            "2026-03-09T12:00:00.000Z");
  EXPECT_EQ(next("0 12 * * 7", "UTC", "2026-03-06T12:00:00.000Z"), "2026-03-08T12:00:00.000Z");
  EXPECT_EQ(next("10/20 * * * *", "UTC", "2026-03-01T10:31:00.000Z"), "2026-03-01T10:50:00.000Z");
}

TEST(CronSchedule, ShorthandsExpand) {
  EXPECT_EQ(next("@hourly", "UTC", "2026-03-01T10:00:00.000Z"), "2026-03-01T11:00:00.000Z");
  EXPECT_EQ(next("@daily", "UTC", "2026-03-01T10:00:00.000Z"), "2026-03-02T00:00:00.000Z");
  EXPECT_EQ(next("@weekly", "UTC", "2026-03-02T10:00:00.000Z"), "2026-03-08T00:00:00.000Z");
  EXPECT_EQ(next("@monthly", "UTC", "2026-03-02T10:00:00.000Z"), "2026-04-01T00:00:00.000Z");
}

TEST(CronSchedule, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // The 15th or any Monday, whichever comes first (Vixie cron).
  EXPECT_EQ(next("0 0 15 * mon", "UTC", "2026-03-10T00:00:00.000Z"), "2026-03-15T00:00:00.000Z");
  EXPECT_EQ(next("0 0 15 * mon", "UTC", "2026-03-03T00:00:00.000Z"), "2026-03-09T00:00:00.000Z");
  // The 13th or a Friday: Friday Jan 2 comes first.
  EXPECT_EQ(next("0 0 13 * 5", "UTC", "2026-01-01T00:00:00.000Z"), "2026-01-02T00:00:00.000Z");
  // A step starting with a star counts as a star: every other day that is a Friday.
  EXPECT_EQ(next("0 0 */2 * 5", "UTC", "2026-01-01T00:00:00.000Z"), "2026-01-09T00:00:00.000Z");
}

TEST(CronSchedule, ReadsTheZone) {
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2026-01-10T00:00:00.000Z"),
            "2026-01-10T01:30:00.000Z");  // CET, UTC+1
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2026-07-10T00:00:00.000Z"),
            "2026-07-10T00:30:00.000Z");  // CEST, UTC+2
}

TEST(CronSchedule, ADailyRunInTheSpringForwardGapRunsOnceWhenTheClocksJump) {
  // 2026-03-29 in Berlin: 02:00 CET becomes 03:00 CEST (01:00Z); 02:30 does not exist.
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2026-03-28T23:00:00.000Z"),
            "2026-03-29T01:00:00.000Z");
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00.000Z"),
            "2026-03-30T00:30:00.000Z");
  // Several skipped times run once between them.
  EXPECT_EQ(next("*/15 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00.000Z"),
            "2026-03-30T00:00:00.000Z");
}

TEST(CronSchedule, ADailyRunInTheFallBackOverlapRunsOnceAtItsFirstOccurrence) {
  // 2026-10-25 in Berlin: 03:00 CEST becomes 02:00 CET (01:00Z); 02:30 happens twice.
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2026-10-24T23:00:00.000Z"),
            "2026-10-25T00:30:00.000Z");
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00.000Z"),
            "2026-10-26T01:30:00.000Z");
}

TEST(CronSchedule, AnHourlyRunFollowsRealTimeAcrossBothChanges) {
  // Spring: 01:30 CET (00:30Z), then 03:30 CEST (01:30Z): one run per real hour.
  EXPECT_EQ(next("30 * * * *", "Europe/Berlin", "2026-03-29T00:30:00.000Z"),
            "2026-03-29T01:30:00.000Z");
  // Autumn: 02:30 CEST (00:30Z) and 02:30 CET (01:30Z) both run.
  EXPECT_EQ(next("30 * * * *", "Europe/Berlin", "2026-10-25T00:30:00.000Z"),
            "2026-10-25T01:30:00.000Z");
  EXPECT_EQ(next("30 * * * *", "Europe/Berlin", "2026-10-25T01:30:00.000Z"),
            "2026-10-25T02:30:00.000Z");
}

TEST(CronSchedule, NamesTheWrongPart) {
  EXPECT_EQ(error_of("61 * * * *"), "minute field '61': 61 is out of range 0-59");
  EXPECT_EQ(error_of("0 25 * * *"), "hour field '25': 25 is out of range 0-23");
  EXPECT_EQ(error_of("0 0 0 * *"), "day-of-month field '0': 0 is out of range 1-31");
  EXPECT_EQ(error_of("0 0 * foo *"), "month field 'foo': 'foo' is not a number or a name");
  EXPECT_EQ(error_of("0 0 * * 1-9"), "day-of-week field '1-9': 9 is out of range 0-7");
  EXPECT_EQ(error_of("*/0 * * * *"), "minute field '*/0': the step '0' is not a positive number");
  EXPECT_EQ(error_of("5-2 * * * *"), "minute field '5-2': the range 5-2 runs backwards");
  EXPECT_EQ(error_of("1,,2 * * * *"), "minute field '1,,2': an empty item in the list");
  EXPECT_EQ(error_of("* * * *"),
            "expected 5 fields (minute hour day-of-month month day-of-week) or a shorthand such "
            "as @daily; got 4");
  EXPECT_NE(error_of("@often").find("'@often' is not one of"), std::string::npos);
  auto parsed = cron::parse("0 0 * * x", "schedule");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().details.dump().find("schedule") != std::string::npos ||
                parsed.error().message.find("day-of-week") != std::string::npos,
            true);
}

TEST(CronSchedule, RefusesUnknownZonesAndSchedulesThatNeverRun) {
  EXPECT_TRUE(cron::known_zone("Europe/Berlin"));
  EXPECT_FALSE(cron::known_zone("Mars/Olympus"));
  EXPECT_FALSE(cron::known_zone(""));
  auto unknown = cron::next_run_of("@daily", "Mars/Olympus", at("2026-01-01T00:00:00Z"));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("not a known IANA time zone"), std::string::npos);
  EXPECT_EQ(next("0 0 30 2 *", "UTC", "2026-01-01T00:00:00.000Z"),
            "error: the schedule '0 0 30 2 *' has no run in the next ten years");
  EXPECT_EQ(next("0 0 29 2 *", "UTC", "2026-03-01T00:00:00.000Z"), "2028-02-29T00:00:00.000Z");
}

}  // namespace
}  // namespace berth
