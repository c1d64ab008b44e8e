#pragma once
/// Which backups a policy's retention keeps (issue 15): the newest `keep_last`, plus the
/// newest backup of each of the newest `keep_daily` days, `keep_weekly` ISO weeks and
/// `keep_monthly` months that have a backup (days, weeks and months read in the policy's time
/// zone, as restic and borg count them: a period without a backup does not use up a slot, so
/// a pause in backups never ages the last ones out). The newest backup is always kept, and so
/// is every backup marked `pinned` (one a running restore or drill uses).
/// Pure and thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace berth {

struct RetentionRule {
  std::int64_t keep_last = 0;
  std::int64_t keep_daily = 0;
  std::int64_t keep_weekly = 0;
  std::int64_t keep_monthly = 0;
};

struct RetentionItem {
  std::string id = {};
  TimePoint created_at = {};
  bool pinned = false;
};

/// The ids of `items` (succeeded backups of one service at one destination, in any order)
/// that the rule does not keep, newest first. `zone` must be a known time zone.
std::vector<std::string> backups_to_prune(std::vector<RetentionItem> items,
                                          const RetentionRule& rule, std::string_view zone);

}  // namespace berth
