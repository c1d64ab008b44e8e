#include "domain/backups/backup_retention.hpp"

#include <date/date.h>
#include <date/iso_week.h>
#include <date/tz.h>

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>

namespace berth {

namespace {

// Keeps the newest item of each of the newest `slots` periods; `period` names an item's one.
void keep_newest_per_period(const std::vector<RetentionItem>& newest_first, std::int64_t slots,
                            const std::function<std::int64_t(TimePoint)>& period,
                            std::vector<bool>& keep) {
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < newest_first.size() && std::cmp_less(seen.size(), slots); ++i) {
    if (seen.insert(period(newest_first[i].created_at)).second) {
      keep[i] = true;
    }
  }
}

}  // namespace

std::vector<std::string> backups_to_prune(std::vector<RetentionItem> items,
                                          const RetentionRule& rule, std::string_view zone_name) {
  std::ranges::sort(items, [](const RetentionItem& a, const RetentionItem& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
  });
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(zone_name);
  } catch (const std::runtime_error&) {
    return {};  // never guess: an unknown zone prunes nothing
  }
  auto local_day = [zone](TimePoint at) {
    return date::floor<date::days>(zone->to_local(std::chrono::floor<std::chrono::seconds>(at)));
  };
  std::vector<bool> keep(items.size(), false);
  for (std::size_t i = 0; i < items.size(); ++i) {
    keep[i] = items[i].pinned || std::cmp_less(i, std::max<std::int64_t>(rule.keep_last, 1));
  }
  keep_newest_per_period(
      items, rule.keep_daily,
      [&](TimePoint at) { return std::int64_t{local_day(at).time_since_epoch().count()}; }, keep);
  keep_newest_per_period(
      items, rule.keep_weekly,
      [&](TimePoint at) {
        const iso_week::year_weeknum_weekday week{local_day(at)};
        return std::int64_t{static_cast<int>(week.year())} * 100 +
               static_cast<unsigned>(week.weeknum());
      },
      keep);
  keep_newest_per_period(
      items, rule.keep_monthly,
      [&](TimePoint at) {
        const date::year_month_day ymd{local_day(at)};
        return std::int64_t{static_cast<int>(ymd.year())} * 100 +
               static_cast<unsigned>(ymd.month());
      },
      keep);
  std::vector<std::string> prune;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!keep[i]) {
      prune.push_back(items[i].id);
    }
  }
  return prune;
}

}  // namespace berth
