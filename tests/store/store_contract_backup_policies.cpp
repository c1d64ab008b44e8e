// The Store contract, part 17: backup policies and their claims.
#include <fmt/format.h>

#include <vector>

#include "store/store_contract_app_records.hpp"

namespace berth {

// Found by argument-dependent lookup from the contract helpers, so outside the anonymous
// namespace.
std::string to_text(const BackupPolicyRecord& p) {
  return fmt::format(
      "policy service={} team={} schedule={} zone={} dest={} enabled={} keep={}/{}/{}/{} next={} "
      "last={}@{} settled={} by={} created={} updated={}",
      p.service_id, p.team_id, p.schedule, p.timezone, p.destination_id, p.enabled, p.keep_last,
      p.keep_daily, p.keep_weekly, p.keep_monthly, time_text(p.next_run_at), p.last_backup_id,
      time_text(p.last_run_at), p.settled_backup_id, p.created_by, time_text(p.created_at),
      time_text(p.updated_at));
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

}  // namespace

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
