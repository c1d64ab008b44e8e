#pragma once
/// Cron schedules for scheduled backups (issue 15): the classic five fields (minute, hour,
/// day of month, month, day of week) with `*`, lists, ranges and steps, month and weekday
/// names (jan…dec, sun…sat), and the shorthands @hourly, @daily (@midnight), @weekly,
/// @monthly and @yearly (@annually), read in an IANA time zone.
///
/// Written here because Debian 12 packages no C++ cron library; the zone rules come from
/// libhowardhinnant-date (date/tz.h over the system's /usr/share/zoneinfo), since libstdc++ 12
/// has no std::chrono::tzdb.
///
/// Daylight saving time, decided once:
/// - When the hour field is fixed (not starting with `*`), a local time the clocks skip
///   (02:30 on a spring-forward day) runs once, at the moment the clocks jump; a local time
///   that happens twice (02:30 on a fall-back day) runs once, at its first occurrence.
/// - When the hour field starts with `*`, the schedule follows real time: a skipped local time
///   has no run (the next hour comes anyway) and a repeated one runs at both occurrences.
/// As in Vixie cron, when both the day of month and the day of week are restricted (neither
/// starts with `*`), a day matching either one runs. Pure and thread-safe.

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace berth::cron {

struct Schedule {
  std::bitset<60> minutes = {};
  std::bitset<24> hours = {};
  std::bitset<32> days = {};     // 1..31
  std::bitset<13> months = {};   // 1..12
  std::bitset<7> weekdays = {};  // 0 = Sunday
  bool any_hour = false;         // the hour field starts with `*`
  bool any_day = false;          // the day-of-month field starts with `*`
  bool any_weekday = false;      // the day-of-week field starts with `*`
};

/// Parses `text`; Error::validation on `field` naming the part that is wrong ("hour field
/// '25': 25 is out of range 0-23").
Result<Schedule> parse(std::string_view text, const std::string& field = "schedule");

/// True when `zone` names a time zone of the system's database ("UTC", "Europe/Berlin").
bool known_zone(std::string_view zone);

/// The first run strictly after `after` in `zone` (which must be known), or nullopt when the
/// schedule has none in the next ten years ("0 0 30 2 *").
std::optional<TimePoint> next_run(const Schedule& schedule, std::string_view zone, TimePoint after);

/// next_run for a schedule given as text: Error::validation on `field` for a bad schedule,
/// on "timezone" for an unknown zone, and on `field` for one that never runs.
Result<TimePoint> next_run_of(std::string_view text, std::string_view zone, TimePoint after,
                              const std::string& field = "schedule");

}  // namespace berth::cron
