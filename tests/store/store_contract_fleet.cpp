// The Store contract, part 7: servers and install tokens.
#include <vector>

#include "store/store_contract_fleet_records.hpp"

namespace berth {

namespace {

Result<std::optional<ServerRecord>> get_server(Store& store, std::string_view team,
                                               std::string_view id) {
  return read_tx(store, [&](Tx& tx) { return tx.get_server(team, id); });
}

Result<std::optional<ServerRecord>> find_by_agent(Store& store, std::string_view hash) {
  return read_tx(store, [&](Tx& tx) { return tx.find_server_by_agent_token_hash(hash); });
}

Result<Page<ServerRecord>> list_servers(Store& store, int team, std::string_view q,
                                        std::int64_t page = 1, std::int64_t per_page = 20) {
  return read_tx(store, [&](Tx& tx) { return tx.list_servers(team_id(team), q, page, per_page); });
}

Result<std::vector<ServerRecord>> with_status(Store& store, std::vector<std::string> statuses) {
  return read_tx(store, [&](Tx& tx) { return tx.list_servers_with_status(statuses); });
}

Result<std::optional<InstallTokenRecord>> find_install_token(Store& store, int n) {
  return read_tx(store, [&](Tx& tx) {
    return tx.find_install_token_by_hash(test_install_token(n, 1).token_hash);
  });
}

Result<bool> use_install_token(Store& store, int n, TimePoint at) {
  return write_tx(store,
                  [&](Tx& tx) { return tx.use_install_token(test_install_token(n, 1).id, at); });
}

std::string error_code(const Result<void>& result) {
  return result ? std::string("<ok>") : result.error().code;
}

}  // namespace

TEST_P(StoreContract, ServerRoundTripsEveryField) {
  const ServerRecord server = full_server(1, 1);
  BERTH_ASSERT_OK(seed_fleet(store(), {.teams = {test_team(1)}, .servers = {server}}));
  EXPECT_EQ(to_text(get_server(store(), team_id(1), server_id(1))), to_text(std::optional(server)));
  EXPECT_EQ(to_text(get_server(store(), "", server_id(1))), to_text(std::optional(server)));
  EXPECT_EQ(to_text(find_by_agent(store(), "agent-hash-1")), to_text(std::optional(server)));

  // The defaults round-trip too: absent times stay absent, empty JSON objects stay objects.
  const ServerRecord plain = test_server(2, 1);
  BERTH_ASSERT_OK(seed_fleet(store(), {.servers = {plain}}));
  EXPECT_EQ(to_text(get_server(store(), team_id(1), server_id(2))), to_text(std::optional(plain)));
}

TEST_P(StoreContract, GetServerIsScopedToItsTeam) {
  BERTH_ASSERT_OK(seed_fleet(store(), {.teams = {test_team(1), test_team(2)},
                                       .servers = {test_server(1, 1), test_server(2, 2)}}));
  EXPECT_EQ(to_text(get_server(store(), team_id(1), server_id(2))), "<none>");
  EXPECT_EQ(to_text(get_server(store(), team_id(2), server_id(1))), "<none>");
  EXPECT_EQ(to_text(get_server(store(), team_id(1), server_id(9))), "<none>");
  EXPECT_EQ(to_text(get_server(store(), "", server_id(9))), "<none>");
  EXPECT_EQ(to_text(get_server(store(), "", server_id(2))),
            to_text(std::optional(test_server(2, 2))));
}

TEST_P(StoreContract, ServerNamesAreUniquePerTeam) {
  BERTH_ASSERT_OK(
      seed_fleet(store(), {.teams = {test_team(1), test_team(2)}, .servers = {test_server(1, 1)}}));
  ServerRecord same_name = test_server(2, 1);
  same_name.name = "server-1";
  const auto taken = seed_fleet(store(), {.servers = {same_name}});
  EXPECT_EQ(error_kind(taken), ErrorKind::conflict);
  EXPECT_EQ(error_code(taken), "server_name_taken");

  // The same name in another team is fine.
  ServerRecord other_team = same_name;
  other_team.team_id = team_id(2);
  BERTH_EXPECT_OK(seed_fleet(store(), {.servers = {other_team}}));

  // A duplicate id is a conflict too, but not about the name.
  ServerRecord same_id = test_server(1, 1);
  same_id.name = "another-name";
  const auto duplicate = seed_fleet(store(), {.servers = {same_id}});
  EXPECT_EQ(error_kind(duplicate), ErrorKind::conflict);
  EXPECT_NE(error_code(duplicate), "server_name_taken");

  // A server of a team that does not exist is refused.
  EXPECT_EQ(error_kind(seed_fleet(store(), {.servers = {test_server(5, 9)}})), ErrorKind::conflict);
}

TEST_P(StoreContract, AgentTokenHashFindsOneServerAndEmptyNeverMatches) {
  ServerRecord enrolled = test_server(2, 1);
  enrolled.agent_token_hash = "agent-hash-2";
  // Many servers without an agent ("" hash) live side by side.
  BERTH_ASSERT_OK(seed_fleet(
      store(),
      {.teams = {test_team(1)}, .servers = {test_server(1, 1), enrolled, test_server(3, 1)}}));
  EXPECT_EQ(to_text(find_by_agent(store(), "")), "<none>");
  EXPECT_EQ(to_text(find_by_agent(store(), "agent-hash-9")), "<none>");
  EXPECT_EQ(to_text(find_by_agent(store(), "agent-hash-2")), to_text(std::optional(enrolled)));

  ServerRecord same_hash = test_server(4, 1);
  same_hash.agent_token_hash = "agent-hash-2";
  EXPECT_EQ(error_kind(seed_fleet(store(), {.servers = {same_hash}})), ErrorKind::conflict);
}

TEST_P(StoreContract, UpdateServerWritesEveryColumn) {
  BERTH_ASSERT_OK(seed_fleet(store(), {.teams = {test_team(1), test_team(2)},
                                       .servers = {test_server(1, 1), test_server(2, 1)}}));
  ServerRecord changed = full_server(1, 1);
  changed.name = "renamed";
  changed.address = "203.0.113.7";
  changed.created_at = test_time(7);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_server(changed); }));
  EXPECT_EQ(to_text(get_server(store(), "", server_id(1))), to_text(std::optional(changed)));

  // Back to defaults: optional columns and the agent token hash clear again.
  const ServerRecord cleared = test_server(1, 1);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_server(cleared); }));
  EXPECT_EQ(to_text(get_server(store(), "", server_id(1))), to_text(std::optional(cleared)));
  EXPECT_EQ(to_text(find_by_agent(store(), "agent-hash-1")), "<none>");

  // Keeping its own name is fine; taking a sibling's is not.
  ServerRecord taken = test_server(1, 1);
  taken.name = "server-2";
  const auto clash = store().write([&](Tx& tx) { return tx.update_server(taken); });
  EXPECT_EQ(error_kind(clash), ErrorKind::conflict);
  EXPECT_EQ(error_code(clash), "server_name_taken");
  EXPECT_EQ(to_text(get_server(store(), "", server_id(1))), to_text(std::optional(cleared)));

  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.update_server(test_server(9, 1)); })),
            ErrorKind::not_found);
}

TEST_P(StoreContract, UnknownServerStatusOrSchedulingIsInvalid) {
  BERTH_ASSERT_OK(seed_fleet(store(), {.teams = {test_team(1)}}));
  ServerRecord bad_status = test_server(1, 1);
  bad_status.status = "sleeping";
  EXPECT_EQ(error_kind(seed_fleet(store(), {.servers = {bad_status}})), ErrorKind::invalid);
  ServerRecord bad_scheduling = test_server(1, 1);
  bad_scheduling.scheduling = "paused";
  EXPECT_EQ(error_kind(seed_fleet(store(), {.servers = {bad_scheduling}})), ErrorKind::invalid);
  EXPECT_EQ(error_kind(with_status(store(), {"online", "sleeping"})), ErrorKind::invalid);
}

TEST_P(StoreContract, ListServersOrdersByNameAndPages) {
  std::vector<ServerRecord> servers;
  for (int n : {3, 1, 5, 2, 4}) {
    servers.push_back(test_server(n, 1));
  }
  BERTH_ASSERT_OK(seed_fleet(store(), {.teams = {test_team(1), test_team(2)}, .servers = servers}));
  BERTH_ASSERT_OK(seed_fleet(store(), {.servers = {test_server(6, 2)}}));  // another team's
  const std::vector<std::vector<std::string>> expected{
      {server_id(1), server_id(2)}, {server_id(3), server_id(4)}, {server_id(5)}, {}};
  for (std::int64_t page = 1; page <= 4; ++page) {
    auto listed = list_servers(store(), 1, "", page, 2);
    BERTH_ASSERT_OK(listed);
    EXPECT_EQ(ids_of(listed->items), expected[static_cast<std::size_t>(page - 1)]) << page;
    EXPECT_EQ(listed->total, 5) << page;
  }
  EXPECT_EQ(error_kind(list_servers(store(), 1, "", 0, 2)), ErrorKind::invalid);
  EXPECT_EQ(error_kind(list_servers(store(), 1, "", 1, 0)), ErrorKind::invalid);
}

TEST_P(StoreContract, ListServersSearchesNameAndAddressWithoutCase) {
  ServerRecord web = test_server(1, 1);
  web.name = "Web-Frontend";
  web.address = "192.0.2.10";
  ServerRecord db = test_server(2, 1);
  db.name = "db_main";
  db.address = "db.internal.example";
  ServerRecord percent = test_server(3, 1);
  percent.name = "batch-100%";
  percent.address = "198.51.100.3";
  ServerRecord foreign = test_server(4, 2);
  foreign.name = "web-other-team";
  BERTH_ASSERT_OK(seed_fleet(
      store(), {.teams = {test_team(1), test_team(2)}, .servers = {web, db, percent, foreign}}));
  const auto found = [&](std::string_view q) {
    auto listed = list_servers(store(), 1, q);
    return listed ? ids_of(listed->items) : std::vector<std::string>{"<error>"};
  };
  EXPECT_EQ(found("WEB"), std::vector<std::string>{server_id(1)});
  EXPECT_EQ(found("internal"), std::vector<std::string>{server_id(2)});
  EXPECT_EQ(found("192.0.2."), std::vector<std::string>{server_id(1)});
  // LIKE's wildcards match only themselves.
  EXPECT_EQ(found("_"), std::vector<std::string>{server_id(2)});
  EXPECT_EQ(found("0%"), std::vector<std::string>{server_id(3)});
  EXPECT_EQ(found("nothing"), std::vector<std::string>{});
  auto listed = list_servers(store(), 1, "e");
  BERTH_ASSERT_OK(listed);
  EXPECT_EQ(listed->total, 2);  // "Web-Frontend" by name, "db.internal.example" by address
}

TEST_P(StoreContract, ListServersWithStatusSpansTeams) {
  ServerRecord online = test_server(1, 1);
  online.status = "online";
  ServerRecord degraded = test_server(2, 2);
  degraded.status = "degraded";
  ServerRecord offline = test_server(3, 1);
  offline.status = "offline";
  BERTH_ASSERT_OK(seed_fleet(store(), {.teams = {test_team(1), test_team(2)},
                                       .servers = {offline, degraded, online, test_server(4, 2)}}));
  auto live = with_status(store(), {"online", "degraded", "online"});
  BERTH_ASSERT_OK(live);
  EXPECT_EQ(ids_of(*live), (std::vector<std::string>{server_id(1), server_id(2)}));
  auto pending = with_status(store(), {"pending"});
  BERTH_ASSERT_OK(pending);
  EXPECT_EQ(ids_of(*pending), std::vector<std::string>{server_id(4)});
  auto none = with_status(store(), {});
  BERTH_ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContract, DeletingATeamDeletesItsServers) {
  BERTH_ASSERT_OK(seed_fleet(store(), {.teams = {test_team(1), test_team(2)},
                                       .servers = {test_server(1, 1), test_server(2, 2)},
                                       .install_tokens = {test_install_token(1, 1)}}));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_team(team_id(1)); }));
  EXPECT_EQ(to_text(get_server(store(), "", server_id(1))), "<none>");
  EXPECT_EQ(to_text(find_install_token(store(), 1)), "<none>");
  EXPECT_NE(to_text(get_server(store(), "", server_id(2))), "<none>");
  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.delete_server(server_id(1)); })),
            ErrorKind::not_found);
}

TEST_P(StoreContract, InstallTokenRoundTripsAndIsUsedOnce) {
  const InstallTokenRecord fresh = test_install_token(1, 1);
  const InstallTokenRecord adoption = test_install_token(2, 1, 1);
  BERTH_ASSERT_OK(seed_fleet(store(), {.teams = {test_team(1)},
                                       .servers = {test_server(1, 1)},
                                       .install_tokens = {fresh, adoption}}));
  EXPECT_EQ(to_text(find_install_token(store(), 1)), to_text(std::optional(fresh)));
  EXPECT_EQ(to_text(find_install_token(store(), 2)), to_text(std::optional(adoption)));
  EXPECT_EQ(to_text(find_install_token(store(), 3)), "<none>");

  EXPECT_EQ(use_install_token(store(), 1, test_time(30)).value_or(false), true);
  EXPECT_EQ(use_install_token(store(), 1, test_time(40)).value_or(true), false);
  InstallTokenRecord used = fresh;
  used.used_at = test_time(30);  // the first use is kept
  EXPECT_EQ(to_text(find_install_token(store(), 1)), to_text(std::optional(used)));
  EXPECT_EQ(use_install_token(store(), 9, test_time(30)).value_or(true), false);

  // A token bound to a server that does not exist is refused; so is a duplicate hash.
  EXPECT_EQ(error_kind(seed_fleet(store(), {.install_tokens = {test_install_token(3, 1, 9)}})),
            ErrorKind::conflict);
  InstallTokenRecord same_hash = test_install_token(4, 1);
  same_hash.token_hash = fresh.token_hash;
  EXPECT_EQ(error_kind(seed_fleet(store(), {.install_tokens = {same_hash}})), ErrorKind::conflict);
}

}  // namespace berth
