#include "berthd/store_command.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "berthd/backup_command.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "store/sqlite/sqlite_migrations.hpp"
#include "store/sqlite/sqlite_snapshot.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace berth {

namespace {

std::string store_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "berth.db").string();
}

}  // namespace

std::string store_open_failure(const std::string& version, const std::string& data_dir,
                               const std::string& reason) {
  std::string text =
      fmt::format("berthd {} cannot open the store {}: {}", version, store_path(data_dir), reason);
  if (reason.find("is newer than this berthd") != std::string::npos) {
    text += fmt::format(
        "\n  This berthd is older than the one that last used the store (a downgrade). Install "
        "the newer Berth again, or restore the store saved before the upgrade "
        "({}/backups/pre-upgrade-*.sqlite) as berth.db; see docs/install.md#rolling-back",
        data_dir);
  }
  return text;
}

int run_backup_store(const DaemonOptions& options) {
  const std::string database = store_path(options.data_dir);
  if (!std::filesystem::exists(database)) {
    fmt::print(stderr, "berthd backup-store: no berth.db in {} (give --data-dir)\n",
               options.data_dir);
    return 1;
  }
  auto snapshot = snapshot_sqlite_store(database, std::chrono::seconds(10));
  if (!snapshot) {
    fmt::print(stderr, "berthd backup-store: {}\n", snapshot.error().message);
    return 1;
  }
  if (auto checked = inspect_sqlite_image(snapshot->image); !checked) {
    fmt::print(stderr, "berthd backup-store: the copy is not sound: {}\n", checked.error().message);
    return 1;
  }
  if (auto saved = write_file_atomically(options.backup_store_to, snapshot->image); !saved) {
    fmt::print(stderr, "berthd backup-store: {}\n", saved.error().message);
    return 1;
  }
  const auto& summary = snapshot->summary;
  log::info("berthd.store_copied", {{"file", options.backup_store_to},
                                    {"schema_version", std::int64_t{summary.schema_version}},
                                    {"bytes", static_cast<std::int64_t>(snapshot->image.size())}});
  fmt::print(
      "berthd backup-store: wrote {} ({} bytes; schema version {}, {} teams, {} users, {} "
      "servers, {} apps)\n",
      options.backup_store_to, snapshot->image.size(), summary.schema_version, summary.teams,
      summary.users, summary.servers, summary.apps);
  return 0;
}

int run_migrate(const DaemonOptions& options, const std::string& version) {
  const std::string database = store_path(options.data_dir);
  if (!std::filesystem::exists(database)) {
    fmt::print(stderr, "berthd migrate: no berth.db in {} (give --data-dir)\n", options.data_dir);
    return 1;
  }
  auto opened = SqliteStore::open({.path = database});
  if (!opened) {
    fmt::print(stderr, "{}\n",
               store_open_failure(version, options.data_dir, opened.error().message));
    return 1;
  }
  auto schema = (*opened)->schema_version();
  (*opened)->close();
  if (!schema) {
    fmt::print(stderr, "berthd migrate: {}\n", schema.error().message);
    return 1;
  }
  fmt::print("berthd migrate: the store {} is at schema version {} (berthd {} knows up to {})\n",
             database, *schema, version, sqlite_migrations().back().version);
  return 0;
}

}  // namespace berth
