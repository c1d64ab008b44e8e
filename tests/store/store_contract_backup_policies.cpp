// The Store contract, part 17: backup policies (of services and of apps' volumes) and their
// claims.
#include <fmt/format.h>

#include <vector>

#include "store/store_contract_app_records.hpp"

namespace berth {

// Found by argument-dependent lookup from the contract helpers, so outside the anonymous
// namespace.
std::string to_text(const BackupPolicyRecord& p) {
  return fmt::format(
      "policy service={} team={} schedule={} zone={} dest={} enabled={} keep={}/{}/{}/{} next={} "
      "last={}@{} settled={} by={} created={} updated={} subject={} app={} target={}",
      p.service_id, p.team_id, p.schedule, p.timezone, p.destination_id, p.enabled, p.keep_last,
      p.keep_daily, p.keep_weekly, p.keep_monthly, time_text(p.next_run_at), p.last_backup_id,
      time_text(p.last_run_at), p.settled_backup_id, p.created_by, time_text(p.created_at),
      time_text(p.updated_at), p.subject, p.app_id, p.mount_target);
}

namespace {

std::string policy_service_id(int n) { return fmt::format("svc_{:04}", n); }

// Team 1 has services 1 and 2, team 2 service 3 (each on its team's server and project).
Result<void> seed_policy_services(Store& store) {
  auto seeded = seed_apps(store, {.teams = {test_team(1), test_team(2)},
                                  .servers = {test_server(1, 1), test_server(2, 2)},
                                  .projects = {test_project(1, 1), test_project(2, 2)}});
  if (!seeded) {
    return seeded;
  }
  return store.write([](Tx& tx) -> Result<void> {
    for (int n : {1, 2, 3}) {
      const int team = n == 3 ? 2 : 1;
      ServiceRecord service{.id = policy_service_id(n),
                            .team_id = team_id(team),
                            .project_id = project_id(team),
                            .server_id = server_id(team),
                            .name = fmt::format("db-{}", n),
                            .engine = "postgres",
                            .volume_name = fmt::format("vol-{}", n),
                            .credentials_sealed = "sealed"};
      service.created_at = test_time(n);
      service.updated_at = test_time(n);
      if (auto made = tx.create_service(service); !made) {
        return made;
      }
    }
    return {};
  });
}

BackupPolicyRecord test_policy(int service, int team, int due_second) {
  BackupPolicyRecord policy{.service_id = policy_service_id(service),
                            .team_id = team_id(team),
                            .schedule = "30 2 * * *",
                            .destination_id = "bdst_0001"};
  policy.next_run_at = test_time(due_second);
  policy.created_at = test_time(1);
  policy.updated_at = test_time(1);
  return policy;
}

Result<void> put(Store& store, const BackupPolicyRecord& policy) {
  return store.write([&](Tx& tx) { return tx.put_backup_policy(policy); });
}

std::vector<std::string> due_services(Store& store, int now_second) {
  auto due = read_tx(
      store, [&](Tx& tx) { return tx.list_due_backup_policies(test_time(now_second), 100); });
  std::vector<std::string> out;
  for (const auto& policy : due.value_or(std::vector<BackupPolicyRecord>{})) {
    out.push_back(policy.service_id);
  }
  return out;
}

Result<bool> claim(Store& store, int service, int seen, std::optional<TimePoint> next,
                   const std::string& backup) {
  return write_value<bool>(store, [&](Tx& tx) {
    return tx.claim_backup_policy(policy_service_id(service), test_time(seen), next, backup,
                                  test_time(seen + 1));
  });
}

// Besides seed_policy_services: team 1's apps 1 and 2, team 2's app 3.
Result<void> seed_policy_apps(Store& store) {
  if (auto seeded = seed_policy_services(store); !seeded) {
    return seeded;
  }
  return seed_apps(store,
                   {.apps = {test_app(1, 1, 1, 1), test_app(2, 1, 1, 1), test_app(3, 2, 2, 2)}});
}

BackupPolicyRecord volume_policy(int app, int team, const std::string& target, int due_second) {
  BackupPolicyRecord policy = test_policy(0, team, due_second);
  policy.service_id.clear();
  policy.subject = "volume";
  policy.app_id = app_id(app);
  policy.mount_target = target;
  return policy;
}

std::optional<BackupPolicyRecord> volume_policy_of(Store& store, const std::string& team, int app,
                                                   const std::string& target) {
  auto found = read_tx(
      store, [&](Tx& tx) { return tx.get_volume_backup_policy(team, app_id(app), target); });
  return found ? *found : std::nullopt;
}

// The due (or unsettled) policies of both kinds as "svc_0001" or "app_0001:/data".
std::vector<std::string> policy_names(const std::vector<BackupPolicyRecord>& policies) {
  std::vector<std::string> out;
  for (const auto& policy : policies) {
    out.push_back(policy.subject == "volume" ? policy.app_id + ":" + policy.mount_target
                                             : policy.service_id);
  }
  return out;
}

}  // namespace

TEST_P(StoreContract, AVolumeBackupPolicyRoundTripsByItsMountAndGoesWithItsApp) {
  BERTH_ASSERT_OK(seed_policy_apps(store()));
  BackupPolicyRecord full = volume_policy(1, 1, "/srv/data", 100);
  full.timezone = "Europe/Berlin";
  full.keep_last = 3;
  full.keep_daily = 7;
  full.keep_weekly = 4;
  full.keep_monthly = 12;
  full.last_backup_id = "bkp_0009";
  full.last_run_at = test_time(50, 250);
  full.settled_backup_id = "bkp_0008";
  full.created_by = "usr_0001";
  BERTH_ASSERT_OK(put(store(), full));
  BERTH_ASSERT_OK(put(store(), volume_policy(1, 1, "/cache", 100)));
  EXPECT_EQ(to_text(volume_policy_of(store(), team_id(1), 1, "/srv/data")), to_text(full));
  EXPECT_EQ(to_text(volume_policy_of(store(), "", 1, "/srv/data")), to_text(full));
  EXPECT_EQ(to_text(volume_policy_of(store(), team_id(2), 1, "/srv/data")), "<none>");
  EXPECT_EQ(to_text(volume_policy_of(store(), team_id(1), 2, "/srv/data")), "<none>");
  // Not a service's policy, and a service's is not a volume's.
  EXPECT_EQ(to_text(read_tx(store(), [](Tx& tx) { return tx.get_backup_policy("", ""); })),
            "<none>");
  BackupPolicyRecord replaced = full;
  replaced.schedule = "@hourly";
  BERTH_ASSERT_OK(put(store(), replaced));
  EXPECT_EQ(to_text(volume_policy_of(store(), team_id(1), 1, "/srv/data")), to_text(replaced));
  auto listed = read_tx(
      store(), [](Tx& tx) { return tx.list_volume_backup_policies(team_id(1), app_id(1)); });
  ASSERT_TRUE(listed);
  EXPECT_EQ(policy_names(*listed),
            (std::vector<std::string>{app_id(1) + ":/cache", app_id(1) + ":/srv/data"}));
  EXPECT_EQ(put(store(), volume_policy(9, 1, "/srv/data", 1)).error().kind, ErrorKind::conflict);

  EXPECT_EQ(
      write_value<bool>(store(),
                        [](Tx& tx) { return tx.delete_volume_backup_policy(app_id(1), "/cache"); }),
      true);
  EXPECT_EQ(
      write_value<bool>(store(),
                        [](Tx& tx) { return tx.delete_volume_backup_policy(app_id(1), "/cache"); }),
      false);
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_app(app_id(1)); }));
  EXPECT_EQ(to_text(volume_policy_of(store(), "", 1, "/srv/data")), "<none>");
  BERTH_ASSERT_OK(put(store(), volume_policy(3, 2, "/srv/data", 100)));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_team(team_id(2)); }));
  EXPECT_EQ(to_text(volume_policy_of(store(), "", 3, "/srv/data")), "<none>");
}

TEST_P(StoreContract, VolumeAndServicePoliciesAreDueTogetherAndClaimedAndSettledOnce) {
  BERTH_ASSERT_OK(seed_policy_apps(store()));
  BERTH_ASSERT_OK(put(store(), test_policy(1, 1, 300)));
  BERTH_ASSERT_OK(put(store(), volume_policy(1, 1, "/srv/data", 100)));
  BERTH_ASSERT_OK(put(store(), volume_policy(2, 1, "/srv/data", 300)));
  BackupPolicyRecord disabled = volume_policy(3, 2, "/srv/data", 50);
  disabled.enabled = false;
  BERTH_ASSERT_OK(put(store(), disabled));
  auto due = [&](int now_second) {
    auto found = read_tx(
        store(), [&](Tx& tx) { return tx.list_due_backup_policies(test_time(now_second), 100); });
    return policy_names(found.value_or(std::vector<BackupPolicyRecord>{}));
  };
  EXPECT_TRUE(due(99).empty());
  EXPECT_EQ(due(100), (std::vector<std::string>{app_id(1) + ":/srv/data"}));
  // The most overdue first; at one slot, volumes (service_id "") before services.
  EXPECT_EQ(due(400), (std::vector<std::string>{app_id(1) + ":/srv/data", app_id(2) + ":/srv/data",
                                                policy_service_id(1)}));
  auto claim_volume = [&](int app, int seen, const std::string& backup) {
    return write_value<bool>(store(), [&](Tx& tx) {
      return tx.claim_volume_backup_policy(app_id(app), "/srv/data", test_time(seen),
                                           test_time(seen + 1000), backup, test_time(seen + 1));
    });
  };
  EXPECT_EQ(claim_volume(1, 99, "bkp_0001"), false);  // not what is due
  EXPECT_EQ(claim_volume(1, 100, "bkp_0001"), true);
  EXPECT_EQ(claim_volume(1, 100, "bkp_0002"), false);  // already taken
  EXPECT_EQ(claim_volume(3, 50, "bkp_0003"), false);   // disabled
  const auto claimed = volume_policy_of(store(), "", 1, "/srv/data");
  ASSERT_TRUE(claimed);
  EXPECT_EQ(time_text(claimed->next_run_at), time_text(std::optional(test_time(1100))));
  EXPECT_EQ(claimed->last_backup_id, "bkp_0001");
  EXPECT_EQ(time_text(claimed->last_run_at), time_text(std::optional(test_time(101))));
  EXPECT_EQ(due(400), (std::vector<std::string>{app_id(2) + ":/srv/data", policy_service_id(1)}));

  ASSERT_EQ(claim(store(), 1, 300, test_time(2000), "bkp_0004"), true);
  auto unsettled = [&] {
    auto found = read_tx(store(), [](Tx& tx) { return tx.list_unsettled_backup_policies(10); });
    return policy_names(found.value_or(std::vector<BackupPolicyRecord>{}));
  };
  EXPECT_EQ(unsettled(),
            (std::vector<std::string>{app_id(1) + ":/srv/data", policy_service_id(1)}));
  auto settle_volume = [&](const std::string& backup) {
    return write_value<bool>(store(), [&](Tx& tx) {
      return tx.settle_volume_backup_policy(app_id(1), "/srv/data", backup);
    });
  };
  EXPECT_EQ(settle_volume("bkp_0000"), false);  // not the last run
  EXPECT_EQ(settle_volume("bkp_0001"), true);
  EXPECT_EQ(settle_volume("bkp_0001"), false);  // settled already
  EXPECT_EQ(unsettled(), (std::vector<std::string>{policy_service_id(1)}));
}

TEST_P(StoreContract, BackupPolicyRoundTripsEveryColumnAndIsReplaced) {
  BERTH_ASSERT_OK(seed_policy_services(store()));
  BackupPolicyRecord full = test_policy(1, 1, 100);
  full.timezone = "Europe/Berlin";
  full.enabled = false;
  full.keep_last = 3;
  full.keep_daily = 7;
  full.keep_weekly = 4;
  full.keep_monthly = 12;
  full.last_backup_id = "bkp_0009";
  full.last_run_at = test_time(50, 250);
  full.settled_backup_id = "bkp_0008";
  full.created_by = "usr_0001";
  full.updated_at = test_time(2);
  BERTH_ASSERT_OK(put(store(), full));
  EXPECT_EQ(
      to_text(read_tx(
          store(), [](Tx& tx) { return tx.get_backup_policy(team_id(1), policy_service_id(1)); })),
      to_text(std::optional(full)));
  EXPECT_EQ(
      to_text(read_tx(
          store(), [](Tx& tx) { return tx.get_backup_policy(team_id(2), policy_service_id(1)); })),
      "<none>");
  BackupPolicyRecord plain = test_policy(1, 1, 200);
  plain.next_run_at = std::nullopt;
  BERTH_ASSERT_OK(put(store(), plain));
  EXPECT_EQ(to_text(read_tx(store(),
                            [](Tx& tx) { return tx.get_backup_policy("", policy_service_id(1)); })),
            to_text(std::optional(plain)));
  EXPECT_EQ(put(store(), test_policy(9, 1, 1)).error().kind, ErrorKind::conflict);
}

TEST_P(StoreContract, BackupPoliciesAreDueInOrderAndGoWithTheirService) {
  BERTH_ASSERT_OK(seed_policy_services(store()));
  BERTH_ASSERT_OK(put(store(), test_policy(1, 1, 300)));
  BERTH_ASSERT_OK(put(store(), test_policy(2, 1, 100)));
  BackupPolicyRecord disabled = test_policy(3, 2, 50);
  disabled.enabled = false;
  BERTH_ASSERT_OK(put(store(), disabled));
  EXPECT_TRUE(due_services(store(), 99).empty());
  EXPECT_EQ(due_services(store(), 100), (std::vector<std::string>{policy_service_id(2)}));
  EXPECT_EQ(due_services(store(), 400),
            (std::vector<std::string>{policy_service_id(2), policy_service_id(1)}));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_service(policy_service_id(2)); }));
  EXPECT_EQ(due_services(store(), 400), (std::vector<std::string>{policy_service_id(1)}));
  EXPECT_EQ(write_value<bool>(store(),
                              [](Tx& tx) { return tx.delete_backup_policy(policy_service_id(1)); }),
            true);
  EXPECT_EQ(write_value<bool>(store(),
                              [](Tx& tx) { return tx.delete_backup_policy(policy_service_id(1)); }),
            false);
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_team(team_id(2)); }));
  EXPECT_EQ(to_text(read_tx(store(),
                            [](Tx& tx) { return tx.get_backup_policy("", policy_service_id(3)); })),
            "<none>");
}

TEST_P(StoreContract, ABackupPolicyRunIsClaimedOnce) {
  BERTH_ASSERT_OK(seed_policy_services(store()));
  BERTH_ASSERT_OK(put(store(), test_policy(1, 1, 100)));
  EXPECT_EQ(claim(store(), 1, 99, test_time(200), "bkp_0001"), false);  // not what is due
  EXPECT_EQ(claim(store(), 1, 100, test_time(200), "bkp_0001"), true);
  EXPECT_EQ(claim(store(), 1, 100, test_time(200), "bkp_0002"), false);  // already taken
  auto policy =
      read_tx(store(), [](Tx& tx) { return tx.get_backup_policy("", policy_service_id(1)); });
  ASSERT_TRUE(policy && *policy);
  EXPECT_EQ(time_text((*policy)->next_run_at), time_text(std::optional(test_time(200))));
  EXPECT_EQ((*policy)->last_backup_id, "bkp_0001");
  EXPECT_EQ(time_text((*policy)->last_run_at), time_text(std::optional(test_time(101))));
  BackupPolicyRecord disabled = **policy;
  disabled.enabled = false;
  BERTH_ASSERT_OK(put(store(), disabled));
  EXPECT_EQ(claim(store(), 1, 200, test_time(300), "bkp_0003"), false);
}

TEST_P(StoreContract, ABackupPolicyRunIsSettledOnce) {
  BERTH_ASSERT_OK(seed_policy_services(store()));
  BERTH_ASSERT_OK(put(store(), test_policy(1, 1, 100)));
  BERTH_ASSERT_OK(put(store(), test_policy(2, 1, 100)));
  auto unsettled = [&] {
    auto found = read_tx(store(), [](Tx& tx) { return tx.list_unsettled_backup_policies(10); });
    std::vector<std::string> out;
    for (const auto& p : found.value_or(std::vector<BackupPolicyRecord>{})) {
      out.push_back(p.service_id + ":" + p.last_backup_id);
    }
    return out;
  };
  EXPECT_TRUE(unsettled().empty());
  ASSERT_EQ(claim(store(), 1, 100, test_time(200), "bkp_0001"), true);
  EXPECT_EQ(unsettled(), (std::vector<std::string>{policy_service_id(1) + ":bkp_0001"}));
  auto settle = [&](int service, const std::string& backup) {
    return write_value<bool>(store(), [&](Tx& tx) {
      return tx.settle_backup_policy(policy_service_id(service), backup);
    });
  };
  EXPECT_EQ(settle(1, "bkp_0000"), false);  // not the last run
  EXPECT_EQ(settle(1, "bkp_0001"), true);
  EXPECT_EQ(settle(1, "bkp_0001"), false);  // settled already
  EXPECT_TRUE(unsettled().empty());
  EXPECT_EQ(settle(3, "bkp_0001"), false);  // no policy
}

TEST_P(StoreContract, AServiceBackupRowCanBeDeleted) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1)}}));
  ServiceBackupRecord backup{.id = "bkp_0001", .team_id = team_id(1), .service_id = "svc_0001"};
  backup.created_at = test_time(1);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.create_service_backup(backup); }));
  EXPECT_EQ(write_value<bool>(store(), [](Tx& tx) { return tx.delete_service_backup("bkp_0001"); }),
            true);
  EXPECT_EQ(write_value<bool>(store(), [](Tx& tx) { return tx.delete_service_backup("bkp_0001"); }),
            false);
  const auto gone = read_tx(store(), [](Tx& tx) { return tx.get_service_backup("", "bkp_0001"); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
}

}  // namespace berth
