#include "berthd/backup_schedule.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "backup/s3_client.hpp"
#include "backup/s3_listing.hpp"
#include "berthd/backup_command.hpp"
#include "berthd/backup_target.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"

namespace berth {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kLastSuccessKey = "backup.last_success_at";
constexpr std::chrono::minutes kRetryAfterFailure{15};

std::string backup_prefix(const std::string& instance_id) {
  return fmt::format("berth-{}-", instance_id);
}

// Keeps the newest `keep` of `names` (which sort by time): the others, oldest first.
std::vector<std::string> beyond_keep(std::vector<std::string> names, std::size_t keep) {
  std::ranges::sort(names);
  if (names.size() <= keep) {
    return {};
  }
  names.resize(names.size() - keep);
  return names;
}

// The same as prune_scheduled_backups, under an s3:// prefix.
Result<std::vector<std::string>> prune_s3_backups(const std::string& directory,
                                                  const std::string& instance_id, std::size_t keep,
                                                  const Clock& clock) {
  auto where =
      s3_location(scheduled_backup_target(directory, backup_prefix(instance_id)), ::getenv);
  if (!where) {
    return fail(std::move(where.error()));
  }
  const backup::S3Client client(where->settings, clock);
  auto keys = backup::list_keys(client, where->key);
  if (!keys) {
    return fail(std::move(keys.error()));
  }
  std::vector<std::string> ours;
  for (auto& key : *keys) {
    if (key.ends_with(".backup") && key.find('/', where->key.size()) == std::string::npos) {
      ours.push_back(std::move(key));
    }
  }
  std::vector<std::string> removed;
  for (const auto& key : beyond_keep(std::move(ours), keep)) {
    if (auto gone = client.remove(key); !gone) {
      return fail(std::move(gone.error()));
    }
    removed.push_back(key);
  }
  return removed;
}

}  // namespace

std::string scheduled_backup_target(const std::string& directory, const std::string& name) {
  if (is_s3_target(directory)) {
    std::string prefix = directory;
    while (prefix.ends_with('/')) {
      prefix.pop_back();
    }
    return prefix + "/" + name;
  }
  return (fs::path(directory) / name).string();
}

std::optional<std::chrono::minutes> parse_daily_time(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') {
    return std::nullopt;
  }
  int hours = -1;
  int minutes = -1;
  const auto [hours_end, hours_error] = std::from_chars(text.data(), text.data() + 2, hours);
  const auto [minutes_end, minutes_error] =
      std::from_chars(text.data() + 3, text.data() + 5, minutes);
  if (hours_error != std::errc{} || minutes_error != std::errc{} || hours_end != text.data() + 2 ||
      minutes_end != text.data() + 5 || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
    return std::nullopt;
  }
  return std::chrono::minutes(hours * 60 + minutes);
}

TimePoint previous_daily_run(TimePoint now, std::chrono::minutes daily_at) {
  const auto day = std::chrono::floor<std::chrono::days>(now);
  const TimePoint today = day + daily_at;
  return today <= now ? today : today - std::chrono::days(1);
}

std::string scheduled_backup_name(const std::string& instance_id, TimePoint at) {
  return fmt::format("{}{:%Y%m%dT%H%M%SZ}.backup", backup_prefix(instance_id),
                     std::chrono::floor<std::chrono::seconds>(at));
}

std::vector<std::string> prune_scheduled_backups(const std::string& directory,
                                                 const std::string& instance_id, std::size_t keep) {
  const std::string prefix = backup_prefix(instance_id);
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(ec) && name.starts_with(prefix) && name.ends_with(".backup")) {
      names.push_back(name);
    }
  }
  std::vector<std::string> removed;
  for (const auto& name : beyond_keep(std::move(names), keep)) {
    if (fs::remove(fs::path(directory) / name, ec)) {
      removed.push_back(name);
    }
  }
  return removed;
}

BackupScheduler::BackupScheduler(BackupScheduleOptions options, std::string data_dir,
                                 std::string instance_id, std::string version, Store& store,
                                 const Clock& clock)
    : options_(std::move(options)),
      data_dir_(std::move(data_dir)),
      instance_id_(std::move(instance_id)),
      version_(std::move(version)),
      store_(store),
      clock_(clock) {}

BackupScheduler::~BackupScheduler() { stop(); }

void BackupScheduler::start() {
  if (options_.daily_at) {
    thread_ = std::thread([this] { loop(); });
  }
}

void BackupScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool BackupScheduler::due(TimePoint now) {
  std::optional<std::string> last;
  auto read = store_.read([&](Tx& tx) -> Result<void> {
    auto value = tx.get_setting(kLastSuccessKey);
    if (!value) {
      return fail(std::move(value.error()));
    }
    last = std::move(*value);
    return {};
  });
  if (!read) {
    return false;  // the store is unavailable: the next wake-up tries again
  }
  const auto last_at = last ? parse_rfc3339(*last) : std::nullopt;
  return !last_at || *last_at < previous_daily_run(now, *options_.daily_at);
}

Result<std::string> BackupScheduler::run_once() {
  const TimePoint now = clock_.now();
  const std::string path =
      scheduled_backup_target(options_.directory, scheduled_backup_name(instance_id_, now));
  auto written = write_backup(data_dir_, path, options_.passphrase, version_, now);
  if (!written) {
    return fail(std::move(written.error()));
  }
  if (auto recorded = store_.write(
          [&](Tx& tx) { return tx.put_setting(kLastSuccessKey, format_rfc3339(now), now); });
      !recorded) {
    return fail(std::move(recorded.error()));
  }
  std::vector<std::string> removed;
  if (is_s3_target(options_.directory)) {
    auto pruned = prune_s3_backups(options_.directory, instance_id_, options_.keep, clock_);
    if (!pruned) {  // the backup is written: only the older ones stay a day longer
      log::warn("berthd.backup_prune_failed", {{"error", pruned.error().message}});
    } else {
      removed = std::move(*pruned);
    }
  } else {
    removed = prune_scheduled_backups(options_.directory, instance_id_, options_.keep);
  }
  log::info("berthd.backup_written", {{"file", path},
                                      {"bytes", static_cast<std::int64_t>(written->bytes)},
                                      {"pruned", static_cast<std::int64_t>(removed.size())}});
  return path;
}

void BackupScheduler::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    TimePoint now = clock_.now();
    std::chrono::system_clock::duration wait =
        previous_daily_run(now, *options_.daily_at) + std::chrono::days(1) - now;
    lock.unlock();
    if (due(now)) {
      auto ran = run_once();
      if (!ran) {
        log::error("berthd.backup_failed",
                   {{"error", ran.error().message}, {"detail", ran.error().internal_detail}});
        wait = kRetryAfterFailure;
      } else {
        now = clock_.now();
        wait = previous_daily_run(now, *options_.daily_at) + std::chrono::days(1) - now;
      }
    }
    lock.lock();
    // The system clock, not a steady one: the schedule is a time of day. Wake at least hourly
    // so a clock change is noticed.
    wake_.wait_for(lock, std::min<std::chrono::system_clock::duration>(wait, std::chrono::hours(1)),
                   [this] { return stopping_; });
  }
}

}  // namespace berth
