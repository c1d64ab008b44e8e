// The Store contract, part 16: backup keys and service backups.
#include <fmt/format.h>

#include <vector>

#include "store/store_contract_records.hpp"

namespace berth {

// Found by argument-dependent lookup from the contract helpers, so outside the anonymous
// namespace.
std::string to_text(const ServiceBackupRecord& b) {
  return fmt::format(
      "backup {} team={} service={}/{}/{} server={} dest={} status={} trigger={} key={} size={} "
      "plain={} sha={} sealed={} job={} error={}:{} verified={}@{} drill={}/{} by={} created={} "
      "finished={} project={} version={} image={} pruning={} subject={} app={} volume={}@{}",
      b.id, b.team_id, b.service_id, b.service_name, b.engine, b.server_id, b.destination_id,
      b.status, b.trigger, b.object_key, b.size_bytes, b.plain_bytes, b.sha256, b.sealed_key,
      b.job_id, b.error_code, b.error_message, b.verified, time_text(b.verified_at), b.drill_check,
      b.drill_duration_ms, b.created_by, time_text(b.created_at), time_text(b.finished_at),
      b.project_id, b.version, b.image, time_text(b.pruning_at), b.subject, b.app_id, b.volume,
      b.mount_target);
}

std::string to_text(const BackupKeyRecord& k) {
  return fmt::format("key team={} public={} sealed={} created={}", k.team_id, k.public_key,
                     k.secret_key_sealed, time_text(k.created_at));
}

namespace {

std::string backup_id(int n) { return fmt::format("bkp_{:04}", n); }

ServiceBackupRecord test_backup(int n, int team, const std::string& service = "svc_0001") {
  ServiceBackupRecord backup{.id = backup_id(n), .team_id = team_id(team), .service_id = service};
  backup.created_at = test_time(n);
  return backup;
}

ServiceBackupRecord full_backup(int n, int team) {
  ServiceBackupRecord b = test_backup(n, team);
  b.service_name = "db";
  b.engine = "postgres";
  b.server_id = "srv_0001";
  b.destination_id = "bdst_0001";
  b.status = "succeeded";
  b.trigger = "schedule";
  b.object_key = "berth/db/x.bsb";
  b.size_bytes = 1234;
  b.plain_bytes = 5678;
  b.sha256 = std::string(64, 'a');
  b.sealed_key = "c2VhbGVk";
  b.job_id = "job_0001";
  b.error_code = "none";
  b.error_message = "fine";
  b.verified = "verified";
  b.verified_at = test_time(n + 2);
  b.drill_check = "3";
  b.drill_duration_ms = 2500;
  b.created_by = "usr_0001";
  b.finished_at = test_time(n + 1);
  b.project_id = "prj_0001";
  b.version = "16";
  b.image = "postgres:16";
  b.pruning_at = test_time(n + 3);
  return b;
}

Result<void> create(Store& store, const ServiceBackupRecord& backup) {
  return store.write([&](Tx& tx) { return tx.create_service_backup(backup); });
}

std::vector<std::string> listed_backups(Store& store, const ServiceBackupQuery& query) {
  auto page = read_tx(store, [&](Tx& tx) { return tx.list_service_backups(query); });
  return page ? ids_of(page->items) : std::vector<std::string>{"<error>"};
}

}  // namespace

TEST_P(StoreContract, ServiceBackupRoundTripsEveryColumn) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)}}));
  const ServiceBackupRecord plain = test_backup(1, 1);
  const ServiceBackupRecord full = full_backup(2, 1);
  BERTH_ASSERT_OK(create(store(), plain));
  BERTH_ASSERT_OK(create(store(), full));
  EXPECT_EQ(to_text(read_tx(store(),
                            [&](Tx& tx) { return tx.get_service_backup(team_id(1), plain.id); })),
            to_text(std::optional(plain)));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_service_backup("", full.id); })),
            to_text(std::optional(full)));
  EXPECT_EQ(
      to_text(read_tx(store(), [&](Tx& tx) { return tx.get_service_backup(team_id(2), full.id); })),
      "<none>");
  ServiceBackupRecord changed = full;
  changed.status = "failed";
  changed.verified_at = std::nullopt;
  changed.finished_at = std::nullopt;
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_service_backup(changed); }));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_service_backup("", full.id); })),
            to_text(std::optional(changed)));
  ServiceBackupRecord odd = test_backup(3, 1);
  odd.status = "maybe";
  EXPECT_EQ(create(store(), odd).error().kind, ErrorKind::invalid);
}

TEST_P(StoreContract, ServiceBackupsListNewestFirstAndGoWithTheirTeam) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)}}));
  for (const auto& backup :
       {test_backup(1, 1), full_backup(2, 1), test_backup(3, 1, "svc_0002"), test_backup(4, 2)}) {
    BERTH_ASSERT_OK(create(store(), backup));
  }
  EXPECT_EQ(listed_backups(store(), {.team_id = team_id(1)}),
            (std::vector<std::string>{backup_id(3), backup_id(2), backup_id(1)}));
  EXPECT_EQ(listed_backups(store(), {.team_id = team_id(1), .service_id = "svc_0001"}),
            (std::vector<std::string>{backup_id(2), backup_id(1)}));
  EXPECT_EQ(listed_backups(store(), {.status = "running"}),
            (std::vector<std::string>{backup_id(4), backup_id(3), backup_id(1)}));
  EXPECT_EQ(listed_backups(store(), {.team_id = team_id(1), .page = 2, .per_page = 2}),
            (std::vector<std::string>{backup_id(1)}));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_team(team_id(1)); }));
  EXPECT_TRUE(listed_backups(store(), {.team_id = team_id(1)}).empty());
}

TEST_P(StoreContract, VolumeBackupsRoundTripAndListByAppAndVolume) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)}}));
  const auto volume_backup = [](int n, const std::string& app, const std::string& volume) {
    ServiceBackupRecord b = test_backup(n, 1, "");
    b.subject = "volume";
    b.engine = "volume";
    b.service_name = "web";
    b.app_id = app;
    b.volume = volume;
    b.mount_target = "/var/lib/web";
    return b;
  };
  const ServiceBackupRecord first = volume_backup(1, "app_0001", "team_0001-data");
  ServiceBackupRecord second = volume_backup(2, "app_0001", "team_0001-uploads");
  for (const auto& backup :
       {first, second, volume_backup(3, "app_0002", "team_0001-data"), test_backup(4, 1)}) {
    BERTH_ASSERT_OK(create(store(), backup));
  }
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_service_backup("", first.id); })),
            to_text(std::optional(first)));
  EXPECT_EQ(listed_backups(store(), {.team_id = team_id(1), .app_id = "app_0001"}),
            (std::vector<std::string>{backup_id(2), backup_id(1)}));
  EXPECT_EQ(listed_backups(
                store(), {.team_id = team_id(1), .app_id = "app_0001", .volume = "team_0001-data"}),
            (std::vector<std::string>{backup_id(1)}));
  // The team's list has both kinds; a service's has none of the volumes'.
  EXPECT_EQ(listed_backups(store(), {.team_id = team_id(1)}).size(), 4U);
  EXPECT_EQ(listed_backups(store(), {.team_id = team_id(1), .service_id = "svc_0001"}),
            (std::vector<std::string>{backup_id(4)}));
  second.status = "succeeded";
  second.volume = "team_0001-uploads-r1";
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_service_backup(second); }));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_service_backup("", second.id); })),
            to_text(std::optional(second)));
  ServiceBackupRecord odd = volume_backup(5, "app_0001", "x");
  odd.subject = "disk";
  EXPECT_EQ(create(store(), odd).error().kind, ErrorKind::invalid);
  // A backup older than migration 0017 is a service's.
  EXPECT_EQ(test_backup(6, 1).subject, "service");
}

TEST_P(StoreContract, ATeamHasOneBackupKey) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1)}}));
  EXPECT_EQ(to_text(read_tx(store(), [](Tx& tx) { return tx.get_backup_key(team_id(1)); })),
            "<none>");
  const BackupKeyRecord key{.team_id = team_id(1),
                            .public_key = "cHVibGlj",
                            .secret_key_sealed = "sealed",
                            .created_at = test_time(1)};
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.create_backup_key(key); }));
  EXPECT_EQ(to_text(read_tx(store(), [](Tx& tx) { return tx.get_backup_key(team_id(1)); })),
            to_text(std::optional(key)));
  const auto again = store().write([&](Tx& tx) { return tx.create_backup_key(key); });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
}

}  // namespace berth

namespace berth {

std::string to_text(const BackupRestoreRecord& r) {
  return fmt::format(
      "restore {} team={} backup={} service={} status={} step={} safety={} job={} check={} "
      "error={}:{} by={} created={} finished={} target={} app={} new_volume={} deployment={}",
      r.id, r.team_id, r.backup_id, r.service_id, r.status, r.step, r.safety_backup_id, r.job_id,
      r.check_result, r.error_code, r.error_message, r.created_by, time_text(r.created_at),
      time_text(r.finished_at), r.target, r.app_id, r.new_volume, r.deployment_id);
}

TEST_P(StoreContract, BackupRestoresRoundTripAndTheRunningOnesAreFound) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)}}));
  BackupRestoreRecord plain{
      .id = "rst_0001", .team_id = team_id(1), .backup_id = "bkp_0001", .service_id = "svc_0001"};
  plain.created_at = test_time(1);
  BackupRestoreRecord full = plain;
  full.id = "rst_0002";
  full.status = "succeeded";
  full.step = "restoring";
  full.safety_backup_id = "bkp_0009";
  full.job_id = "job_0001";
  full.check_result = "12";
  full.error_code = "x";
  full.error_message = "y";
  full.created_by = "usr_0001";
  full.created_at = test_time(2);
  full.finished_at = test_time(3);
  full.target = "new";
  full.app_id = "app_0001";
  full.new_volume = "team_0001-data-r1";
  full.deployment_id = "dep_0001";
  for (const auto& restore : {plain, full}) {
    BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.create_backup_restore(restore); }));
  }
  EXPECT_EQ(
      to_text(read_tx(store(), [&](Tx& tx) { return tx.get_backup_restore(team_id(1), full.id); })),
      to_text(std::optional(full)));
  EXPECT_EQ(
      to_text(read_tx(store(), [&](Tx& tx) { return tx.get_backup_restore(team_id(2), full.id); })),
      "<none>");
  auto running = read_tx(store(), [](Tx& tx) { return tx.list_running_restores(); });
  ASSERT_TRUE(running);
  ASSERT_EQ(running->size(), 1U);
  EXPECT_EQ(to_text((*running)[0]), to_text(plain));
  plain.status = "failed";
  plain.finished_at = test_time(5);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_backup_restore(plain); }));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_backup_restore("", plain.id); })),
            to_text(std::optional(plain)));
  EXPECT_TRUE(read_tx(store(), [](Tx& tx) { return tx.list_running_restores(); })->empty());
}

}  // namespace berth
