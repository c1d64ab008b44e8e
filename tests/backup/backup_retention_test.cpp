// Which backups retention keeps (domain/backups/backup_retention.hpp).
#include "domain/backups/backup_retention.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/time_format.hpp"

namespace berth {
namespace {

RetentionItem item(const char* id, const char* when, bool pinned = false) {
  return RetentionItem{.id = id, .created_at = *parse_rfc3339(when), .pinned = pinned};
}

// One backup a day at 02:30Z from 2026-01-01 for `days` days: "d01", "d02", ...
std::vector<RetentionItem> daily(int days) {
  std::vector<RetentionItem> items;
  for (int d = 1; d <= days; ++d) {
    const std::string id = (d < 10 ? "d0" : "d") + std::to_string(d);
    const TimePoint at = *parse_rfc3339("2026-01-01T02:30:00Z") + std::chrono::days(d - 1);
    items.push_back(RetentionItem{.id = id, .created_at = at});
  }
  return items;
}

using Ids = std::vector<std::string>;

TEST(BackupRetention, KeepsTheLastNNewestFirst) {
  EXPECT_EQ(backups_to_prune(daily(5), {.keep_last = 3}, "UTC"), (Ids{"d02", "d01"}));
  EXPECT_EQ(backups_to_prune(daily(2), {.keep_last = 3}, "UTC"), Ids{});
}

TEST(BackupRetention, NeverPrunesTheNewestNorAPinnedOne) {
  auto items = daily(4);
  items[0].pinned = true;  // d01: a running restore reads it
  EXPECT_EQ(backups_to_prune(items, {.keep_last = 0}, "UTC"), (Ids{"d03", "d02"}));
}

TEST(BackupRetention, KeepsTheNewestOfEachDay) {
  std::vector<RetentionItem> items = {
      item("a1", "2026-01-01T01:00:00Z"), item("a2", "2026-01-01T20:00:00Z"),
      item("b1", "2026-01-02T01:00:00Z"), item("b2", "2026-01-02T20:00:00Z"),
      item("c1", "2026-01-03T01:00:00Z")};
  EXPECT_EQ(backups_to_prune(items, {.keep_last = 1, .keep_daily = 2}, "UTC"),
            (Ids{"b1", "a2", "a1"}));
  EXPECT_EQ(backups_to_prune(items, {.keep_last = 1, .keep_daily = 3}, "UTC"), (Ids{"b1", "a1"}));
}

TEST(BackupRetention, CountsDaysInThePolicysZone) {
  // 23:30Z on Jan 1 is 00:30 on Jan 2 in Berlin: the same local day as b.
  std::vector<RetentionItem> items = {item("a", "2026-01-01T23:30:00Z"),
                                      item("b", "2026-01-02T10:00:00Z"),
                                      item("c", "2026-01-03T10:00:00Z")};
  EXPECT_EQ(backups_to_prune(items, {.keep_last = 1, .keep_daily = 2}, "UTC"), (Ids{"a"}));
  EXPECT_EQ(backups_to_prune(items, {.keep_last = 1, .keep_daily = 2}, "Europe/Berlin"),
            (Ids{"a"}));
  EXPECT_EQ(backups_to_prune(items, {.keep_last = 1, .keep_daily = 3}, "UTC"), Ids{});
  EXPECT_EQ(backups_to_prune(items, {.keep_last = 1, .keep_daily = 3}, "Europe/Berlin"),
            (Ids{"a"}));
}

TEST(BackupRetention, KeepsTheNewestOfEachIsoWeekAndMonth) {
  // 60 daily backups from Thursday 2026-01-01 to 2026-03-01.
  auto prune = backups_to_prune(daily(60), {.keep_last = 1, .keep_weekly = 3}, "UTC");
  // Kept: d60 (Sun Mar 1, week 9, also newest), d53 (Sun Feb 22, week 8), d46 (Feb 15, week 7).
  EXPECT_EQ(prune.size(), 57u);
  for (const char* kept : {"d60", "d53", "d46"}) {
    EXPECT_EQ(std::ranges::find(prune, kept), prune.end()) << kept;
  }
  prune = backups_to_prune(daily(60), {.keep_last = 1, .keep_monthly = 3}, "UTC");
  // Kept: d60 (March), d59 (Feb 28), d31 (Jan 31).
  EXPECT_EQ(prune.size(), 57u);
  for (const char* kept : {"d60", "d59", "d31"}) {
    EXPECT_EQ(std::ranges::find(prune, kept), prune.end()) << kept;
  }
}

TEST(BackupRetention, AnUnknownZonePrunesNothing) {
  EXPECT_EQ(backups_to_prune(daily(5), {.keep_last = 1}, "Mars/Olympus"), Ids{});
}

}  // namespace
}  // namespace berth
