// The Store contract, part 17: restore drills of service backups, and which backup the drill
// schedule takes next.
#include <fmt/format.h>

#include <vector>

#include "store/store_contract_app_records.hpp"

namespace berth {

// Found by argument-dependent lookup from the contract helpers, so outside the anonymous
// namespace.
std::string to_text(const BackupDrillRecord& d) {
  return fmt::format(
      "drill {} team={} backup={} service={} server={} engine={} status={} step={} trigger={} "
      "container={} job={} check={} duration={} error={}:{} by={} created={} finished={}",
      d.id, d.team_id, d.backup_id, d.service_id, d.server_id, d.engine, d.status, d.step,
      d.trigger, d.container, d.job_id, d.check_result, d.duration_ms, d.error_code,
      d.error_message, d.created_by, time_text(d.created_at), time_text(d.finished_at));
}

namespace {

BackupDrillRecord test_drill(int n, int team, const std::string& backup,
                             const std::string& service) {
  BackupDrillRecord drill{.id = fmt::format("drl_{:04}", n),
                          .team_id = team_id(team),
                          .backup_id = backup,
                          .service_id = service};
  drill.created_at = test_time(n);
  return drill;
}

Result<void> create(Store& store, const BackupDrillRecord& drill) {
  return store.write([&](Tx& tx) { return tx.create_backup_drill(drill); });
}

ServiceBackupRecord backup_of(int n, const std::string& service, std::string status) {
  ServiceBackupRecord backup{.id = fmt::format("bkp_{:04}", n),
                             .team_id = team_id(1),
                             .service_id = service,
                             .status = std::move(status)};
  backup.created_at = test_time(n);
  return backup;
}

std::vector<std::string> candidates(Store& store, TimePoint since) {
  auto found = read_tx(store, [&](Tx& tx) { return tx.list_drill_candidates(since, 10); });
  return found ? ids_of(*found) : std::vector<std::string>{"<error>"};
}

}  // namespace

TEST_P(StoreContract, BackupDrillsRoundTripListNewestFirstAndTheRunningOnesAreFound) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)}}));
  const BackupDrillRecord plain = test_drill(1, 1, "bkp_0001", "svc_0001");
  BackupDrillRecord full = test_drill(2, 1, "bkp_0001", "svc_0001");
  full.server_id = "srv_0001";
  full.engine = "postgres";
  full.status = "verified";
  full.step = "removing";
  full.trigger = "schedule";
  full.container = "berth-drill-drl_0002";
  full.job_id = "job_0001";
  full.check_result = "3";
  full.duration_ms = 4567;
  full.error_code = "x";
  full.error_message = "y";
  full.created_by = "usr_0001";
  full.finished_at = test_time(3);
  BERTH_ASSERT_OK(create(store(), plain));
  BERTH_ASSERT_OK(create(store(), full));
  BERTH_ASSERT_OK(create(store(), test_drill(3, 1, "bkp_0002", "svc_0001")));
  EXPECT_EQ(
      to_text(read_tx(store(), [&](Tx& tx) { return tx.get_backup_drill(team_id(1), full.id); })),
      to_text(std::optional(full)));
  EXPECT_EQ(
      to_text(read_tx(store(), [&](Tx& tx) { return tx.get_backup_drill(team_id(2), full.id); })),
      "<none>");
  BackupDrillRecord bad = test_drill(4, 1, "bkp_0001", "svc_0001");
  bad.status = "succeeded";
  EXPECT_EQ(error_kind(create(store(), bad)), ErrorKind::invalid);

  auto listed =
      read_tx(store(), [](Tx& tx) { return tx.list_backup_drills(team_id(1), "bkp_0001", 10); });
  ASSERT_TRUE(listed);
  EXPECT_EQ(ids_of(*listed), (std::vector<std::string>{"drl_0002", "drl_0001"}));
  EXPECT_TRUE(read_tx(store(), [](Tx& tx) {
                return tx.list_backup_drills(team_id(2), "bkp_0001", 10);
              })->empty());

  auto running = read_tx(store(), [](Tx& tx) { return tx.list_running_drills(); });
  ASSERT_TRUE(running);
  EXPECT_EQ(ids_of(*running), (std::vector<std::string>{"drl_0001", "drl_0003"}));
  BackupDrillRecord ended = plain;
  ended.status = "failed";
  ended.finished_at = test_time(5);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_backup_drill(ended); }));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_backup_drill("", plain.id); })),
            to_text(std::optional(ended)));
}

TEST_P(StoreContract, TheDrillScheduleTakesEachServicesNewestSucceededBackupOnceAWeek) {
  BERTH_ASSERT_OK(seed_apps(
      store(),
      {.teams = {test_team(1)}, .servers = {test_server(1, 1)}, .projects = {test_project(1, 1)}}));
  for (int n : {1, 2}) {
    ServiceRecord service{.id = fmt::format("svc_{:04}", n),
                          .team_id = team_id(1),
                          .project_id = project_id(1),
                          .server_id = server_id(1),
                          .name = fmt::format("db-{}", n),
                          .engine = "postgres"};
    service.created_at = test_time(0);
    service.updated_at = test_time(0);
    BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.create_service(service); }));
  }
  // svc 1: two succeeded backups and a newer failed one; svc 2: one; a deleted service: one.
  for (const auto& backup :
       {backup_of(1, "svc_0001", "succeeded"), backup_of(2, "svc_0001", "succeeded"),
        backup_of(3, "svc_0001", "failed"), backup_of(4, "svc_0002", "succeeded"),
        backup_of(5, "svc_gone", "succeeded"), backup_of(6, "svc_0002", "running")}) {
    BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.create_service_backup(backup); }));
  }
  EXPECT_EQ(candidates(store(), test_time(0)), (std::vector<std::string>{"bkp_0002", "bkp_0004"}));

  // A drill created since the cut-off takes the service out; an older one does not, unless it
  // still runs.
  BackupDrillRecord old = test_drill(1, 1, "bkp_0001", "svc_0001");
  old.status = "verified";
  BERTH_ASSERT_OK(create(store(), old));
  EXPECT_EQ(candidates(store(), test_time(2)), (std::vector<std::string>{"bkp_0002", "bkp_0004"}));
  EXPECT_EQ(candidates(store(), test_time(1)), (std::vector<std::string>{"bkp_0004"}));
  BERTH_ASSERT_OK(create(store(), test_drill(2, 1, "bkp_0004", "svc_0002")));  // running
  EXPECT_EQ(candidates(store(), test_time(9)), (std::vector<std::string>{"bkp_0002"}));
}

TEST_P(StoreContract, TheDrillScheduleTakesEachAppMountsNewestVolumeBackup) {
  BERTH_ASSERT_OK(seed_apps(store(), {.teams = {test_team(1)},
                                      .servers = {test_server(1, 1)},
                                      .projects = {test_project(1, 1)},
                                      .apps = {test_app(1, 1, 1)}}));
  const std::string app = app_id(1);
  const auto volume_backup = [&](int n, const std::string& of_app, const std::string& volume,
                                 const std::string& target) {
    ServiceBackupRecord b = backup_of(n, "", "succeeded");
    b.subject = "volume";
    b.app_id = of_app;
    b.volume = volume;
    b.mount_target = target;
    return b;
  };
  // /data: backed up from "data", then (after a restore) from "data-r1"; /logs: one backup; a
  // deleted app's: one.
  for (const auto& backup :
       {volume_backup(1, app, "data", "/data"), volume_backup(2, app, "data-r1", "/data"),
        volume_backup(3, app, "logs", "/logs"), volume_backup(4, "app_gone", "data", "/data")}) {
    BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.create_service_backup(backup); }));
  }
  EXPECT_EQ(candidates(store(), test_time(0)), (std::vector<std::string>{"bkp_0002", "bkp_0003"}));
  // A running drill of an older backup of /data takes the mount out.
  BERTH_ASSERT_OK(create(store(), test_drill(5, 1, "bkp_0001", "")));
  EXPECT_EQ(candidates(store(), test_time(9)), (std::vector<std::string>{"bkp_0003"}));
}

}  // namespace berth
