// The Store contract, part 15: backup destinations.
#include <fmt/format.h>

#include <vector>

#include "store/store_contract_records.hpp"

namespace berth {

// Found by argument-dependent lookup from the contract helpers, so outside the anonymous
// namespace.
std::string to_text(const BackupDestinationRecord& d) {
  return fmt::format(
      "destination {} team={} name={} kind={} config={} secrets={} last_test={} tested={} "
      "by={} created={} updated={}",
      d.id, d.team_id, d.name, d.kind, d.config.dump(), d.secrets_sealed, d.last_test.dump(),
      time_text(d.last_tested_at), d.created_by, time_text(d.created_at), time_text(d.updated_at));
}

namespace {

std::string destination_id(int n) { return fmt::format("bdst_{:04}", n); }

// bdst_000n of team_id(team), an s3 destination named "dest-n".
BackupDestinationRecord test_destination(int n, int team) {
  BackupDestinationRecord destination{.id = destination_id(n),
                                      .team_id = team_id(team),
                                      .name = fmt::format("dest-{}", n),
                                      .kind = "s3"};
  destination.created_at = test_time(n);
  destination.updated_at = test_time(n);
  return destination;
}

// Every column away from its default.
BackupDestinationRecord full_destination(int n, int team) {
  BackupDestinationRecord destination = test_destination(n, team);
  destination.kind = "sftp";
  destination.config = {{"host", "backup.example.test"}, {"port", 2222}};
  destination.secrets_sealed = "sealed-secrets";
  destination.last_test = {{"ok", true}, {"steps", nlohmann::json::array()}};
  destination.last_tested_at = test_time(n + 3);
  destination.created_by = "usr_0001";
  destination.updated_at = test_time(n + 4);
  return destination;
}

Result<void> create(Store& store, const BackupDestinationRecord& destination) {
  return store.write([&](Tx& tx) { return tx.create_backup_destination(destination); });
}

std::vector<std::string> listed_destinations(Store& store, const BackupDestinationQuery& query) {
  auto page = read_tx(store, [&](Tx& tx) { return tx.list_backup_destinations(query); });
  return page ? ids_of(page->items) : std::vector<std::string>{"<error>"};
}

}  // namespace

TEST_P(StoreContract, BackupDestinationRoundTripsEveryColumn) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)}}));
  const BackupDestinationRecord plain = test_destination(1, 1);
  const BackupDestinationRecord full = full_destination(2, 1);
  BERTH_ASSERT_OK(create(store(), plain));
  BERTH_ASSERT_OK(create(store(), full));
  EXPECT_EQ(to_text(read_tx(
                store(), [&](Tx& tx) { return tx.get_backup_destination(team_id(1), plain.id); })),
            to_text(std::optional(plain)));
  EXPECT_EQ(
      to_text(read_tx(store(), [&](Tx& tx) { return tx.get_backup_destination("", full.id); })),
      to_text(std::optional(full)));
  EXPECT_EQ(to_text(read_tx(
                store(), [&](Tx& tx) { return tx.get_backup_destination(team_id(2), full.id); })),
            "<none>");

  BackupDestinationRecord changed = full;
  changed.name = "renamed";
  changed.last_test = nullptr;
  changed.last_tested_at = std::nullopt;
  changed.secrets_sealed = "";
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_backup_destination(changed); }));
  EXPECT_EQ(
      to_text(read_tx(store(), [&](Tx& tx) { return tx.get_backup_destination("", full.id); })),
      to_text(std::optional(changed)));
}

TEST_P(StoreContract, BackupDestinationNamesAreUniqueWithinATeam) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)}}));
  BERTH_ASSERT_OK(create(store(), test_destination(1, 1)));
  BackupDestinationRecord same = test_destination(2, 1);
  same.name = "dest-1";
  const auto taken = create(store(), same);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::conflict);
  EXPECT_EQ(taken.error().code, "destination_name_taken");
  same.team_id = team_id(2);  // another team may use the name
  BERTH_EXPECT_OK(create(store(), same));

  BackupDestinationRecord rename = test_destination(3, 1);
  BERTH_ASSERT_OK(create(store(), rename));
  rename.name = "dest-1";
  const auto update = store().write([&](Tx& tx) { return tx.update_backup_destination(rename); });
  ASSERT_FALSE(update);
  EXPECT_EQ(update.error().code, "destination_name_taken");

  BackupDestinationRecord odd = test_destination(4, 1);
  odd.kind = "ftp";
  EXPECT_EQ(create(store(), odd).error().kind, ErrorKind::invalid);
}

TEST_P(StoreContract, BackupDestinationsListFilterAndGoWithTheirTeam) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)}}));
  for (const auto& destination : {test_destination(3, 1), full_destination(1, 1),
                                  test_destination(2, 1), test_destination(4, 2)}) {
    BERTH_ASSERT_OK(create(store(), destination));
  }
  EXPECT_EQ(listed_destinations(store(), {.team_id = team_id(1)}),
            (std::vector<std::string>{destination_id(1), destination_id(2), destination_id(3)}));
  EXPECT_EQ(listed_destinations(store(), {.team_id = team_id(1), .kind = "sftp"}),
            (std::vector<std::string>{destination_id(1)}));
  EXPECT_EQ(listed_destinations(store(), {.team_id = team_id(1), .q = "ST-2"}),
            (std::vector<std::string>{destination_id(2)}));
  EXPECT_EQ(listed_destinations(store(), {.team_id = team_id(1), .page = 2, .per_page = 2}),
            (std::vector<std::string>{destination_id(3)}));

  BERTH_ASSERT_OK(
      store().write([](Tx& tx) { return tx.delete_backup_destination(destination_id(2)); }));
  EXPECT_EQ(store()
                .write([](Tx& tx) { return tx.delete_backup_destination(destination_id(2)); })
                .error()
                .kind,
            ErrorKind::not_found);
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_team(team_id(1)); }));
  EXPECT_TRUE(listed_destinations(store(), {.team_id = team_id(1)}).empty());
  EXPECT_EQ(listed_destinations(store(), {.team_id = team_id(2)}),
            (std::vector<std::string>{destination_id(4)}));
}

}  // namespace berth
