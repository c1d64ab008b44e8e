// The Store contract, part 4: users, teams and memberships.
#include <vector>

#include "store/store_contract_records.hpp"

namespace berth {

namespace {

Result<std::optional<UserRecord>> get_user(Store& store, int n) {
  return read_tx(store, [&](Tx& tx) { return tx.get_user(user_id(n)); });
}

Result<std::optional<TeamRecord>> get_team(Store& store, int n) {
  return read_tx(store, [&](Tx& tx) { return tx.get_team(team_id(n)); });
}

Result<std::optional<MembershipRecord>> get_membership(Store& store, int team, int user) {
  return read_tx(store, [&](Tx& tx) { return tx.get_membership(team_id(team), user_id(user)); });
}

Result<Page<UserRecord>> list_users(Store& store, std::string_view q, std::int64_t page = 1,
                                    std::int64_t per_page = 20) {
  return read_tx(store, [&](Tx& tx) { return tx.list_users(q, page, per_page); });
}

Result<Page<TeamRecord>> list_teams(Store& store, std::string_view q, std::int64_t page = 1,
                                    std::int64_t per_page = 20) {
  return read_tx(store, [&](Tx& tx) { return tx.list_teams(q, page, per_page); });
}

// A user with every column away from its default.
UserRecord full_user(int n) {
  UserRecord user = test_user(n);
  user.is_instance_admin = true;
  user.is_active = false;
  user.personal_team_id = team_id(n);
  user.totp_secret_enc = "enc:v1:abcdef";
  user.totp_enabled = true;
  user.totp_last_step = 58'000'123;
  user.failed_logins = 4;
  user.locked_until = test_time(900, 250);
  user.updated_at = test_time(n + 60, 7);
  return user;
}

}  // namespace

TEST_P(StoreContract, UserRoundTripsEveryField) {
  const UserRecord user = full_user(1);
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1)}, .users = {user}}));
  EXPECT_EQ(to_text(get_user(store(), 1)), to_text(std::optional(user)));
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.find_user_by_email("user1@example.com"); })),
      to_text(std::optional(user)));
}

TEST_P(StoreContract, MissingUserIsNullopt) {
  BERTH_ASSERT_OK(seed(store(), {.users = {test_user(1)}}));
  EXPECT_EQ(to_text(get_user(store(), 2)), "<none>");
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.find_user_by_email("x@example.com"); })),
      "<none>");
}

TEST_P(StoreContract, FindUserByEmailIgnoresCase) {
  BERTH_ASSERT_OK(seed(store(), {.users = {test_user(1), test_user(2)}}));
  auto found = read_tx(store(), [](Tx& tx) { return tx.find_user_by_email("USER2@Example.COM"); });
  BERTH_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, user_id(2));
}

TEST_P(StoreContract, DuplicateEmailOrIdIsConflict) {
  BERTH_ASSERT_OK(seed(store(), {.users = {test_user(1)}}));
  UserRecord same_email = test_user(2);
  same_email.email = "User1@EXAMPLE.com";
  EXPECT_EQ(error_kind(seed(store(), {.users = {same_email}})), ErrorKind::conflict);
  UserRecord same_id = test_user(3);
  same_id.id = user_id(1);
  EXPECT_EQ(error_kind(seed(store(), {.users = {same_id}})), ErrorKind::conflict);
  EXPECT_EQ(read_tx(store(), [](Tx& tx) { return tx.count_users(); }).value_or(-1), 1);
}

TEST_P(StoreContract, UpdateUserWritesEveryColumn) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1)}, .users = {test_user(1), test_user(2)}}));
  UserRecord changed = full_user(1);
  changed.email = "renamed@example.com";
  changed.display_name = "Renamed";
  changed.password_hash = "$argon2id$new";
  changed.created_at = test_time(5);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_user(changed); }));
  EXPECT_EQ(to_text(get_user(store(), 1)), to_text(std::optional(changed)));

  // And back to defaults: optional columns can be cleared again.
  UserRecord cleared = test_user(1);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_user(cleared); }));
  EXPECT_EQ(to_text(get_user(store(), 1)), to_text(std::optional(cleared)));

  UserRecord taken = test_user(1);
  taken.email = "user2@example.com";
  auto clash = store().write([&](Tx& tx) { return tx.update_user(taken); });
  EXPECT_EQ(error_kind(clash), ErrorKind::conflict);
  EXPECT_EQ(to_text(get_user(store(), 1)), to_text(std::optional(cleared)));
}

TEST_P(StoreContract, UpdateMissingUserOrTeamIsNotFound) {
  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.update_user(test_user(9)); })),
            ErrorKind::not_found);
  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.update_team(test_team(9)); })),
            ErrorKind::not_found);
}

TEST_P(StoreContract, CountUsersCountsEveryUser) {
  EXPECT_EQ(read_tx(store(), [](Tx& tx) { return tx.count_users(); }).value_or(-1), 0);
  BERTH_ASSERT_OK(seed(store(), {.users = {test_user(1), test_user(2), test_user(3)}}));
  EXPECT_EQ(read_tx(store(), [](Tx& tx) { return tx.count_users(); }).value_or(-1), 3);
}

TEST_P(StoreContract, ListUsersPagesInCreationOrder) {
  BERTH_ASSERT_OK(seed(
      store(), {.users = {test_user(3), test_user(1), test_user(5), test_user(2), test_user(4)}}));
  const std::vector<std::vector<std::string>> expected{
      {user_id(1), user_id(2)}, {user_id(3), user_id(4)}, {user_id(5)}, {}};
  for (std::int64_t page = 1; page <= 4; ++page) {
    auto listed = list_users(store(), "", page, 2);
    BERTH_ASSERT_OK(listed);
    EXPECT_EQ(ids_of(listed->items), expected[static_cast<std::size_t>(page - 1)]) << page;
    EXPECT_EQ(listed->total, 5) << page;
  }
}

TEST_P(StoreContract, ListUsersSearchesEmailAndNameWithoutCase) {
  UserRecord alice = test_user(1);
  alice.email = "alice@example.com";
  alice.display_name = "Alice Smith";
  UserRecord bob = test_user(2);
  bob.email = "bob_b@example.org";
  bob.display_name = "Bob 100% Jones";
  UserRecord carol = test_user(3);
  carol.email = "carol@example.org";
  carol.display_name = "Carol Smithers";
  BERTH_ASSERT_OK(seed(store(), {.users = {alice, bob, carol}}));

  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {"", {user_id(1), user_id(2), user_id(3)}},
      {"ALICE", {user_id(1)}},              // email, any case
      {"smith", {user_id(1), user_id(3)}},  // display name
      {"example.org", {user_id(2), user_id(3)}},
      {"%", {user_id(2)}},    // a literal percent sign, not a wildcard
      {"b_b", {user_id(2)}},  // a literal underscore
      {"_", {user_id(2)}},
      {"nobody", {}},
  };
  for (const auto& [q, expected] : cases) {
    auto listed = list_users(store(), q);
    BERTH_ASSERT_OK(listed);
    EXPECT_EQ(ids_of(listed->items), expected) << "q=" << q;
    EXPECT_EQ(listed->total, static_cast<std::int64_t>(expected.size())) << "q=" << q;
  }
}

TEST_P(StoreContract, ListUsersAndTeamsRejectBadPaging) {
  for (const auto& [page, per_page] : std::vector<std::pair<std::int64_t, std::int64_t>>{
           {0, 20}, {-1, 20}, {1, 0}, {1, -3}, {1, 1001}}) {
    EXPECT_EQ(error_kind(list_users(store(), "", page, per_page)), ErrorKind::invalid)
        << page << "/" << per_page;
    EXPECT_EQ(error_kind(list_teams(store(), "", page, per_page)), ErrorKind::invalid)
        << page << "/" << per_page;
  }
  BERTH_EXPECT_OK(list_users(store(), "", 1, 1000));
  BERTH_EXPECT_OK(list_teams(store(), "", 1, 1000));
}

TEST_P(StoreContract, TeamRoundTripsAndUpdates) {
  TeamRecord team = test_team(1);
  team.personal = true;
  team.created_at = test_time(3, 456);
  BERTH_ASSERT_OK(seed(store(), {.teams = {team}}));
  EXPECT_EQ(to_text(get_team(store(), 1)), to_text(std::optional(team)));
  EXPECT_EQ(to_text(get_team(store(), 2)), "<none>");

  team.name = "Renamed";
  team.personal = false;
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_team(team); }));
  EXPECT_EQ(to_text(get_team(store(), 1)), to_text(std::optional(team)));
  EXPECT_EQ(error_kind(seed(store(), {.teams = {test_team(1)}})), ErrorKind::conflict);
}

TEST_P(StoreContract, ListTeamsSearchesNameInCreationOrder) {
  TeamRecord ops = test_team(2);
  ops.name = "Platform Ops";
  TeamRecord web = test_team(1);
  web.name = "Web_Frontend";
  TeamRecord data = test_team(3);
  data.name = "Data platform";
  BERTH_ASSERT_OK(seed(store(), {.teams = {ops, web, data}}));
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {"", {team_id(1), team_id(2), team_id(3)}},
      {"PLATFORM", {team_id(2), team_id(3)}},
      {"_", {team_id(1)}},
      {"%", {}},
  };
  for (const auto& [q, expected] : cases) {
    auto listed = list_teams(store(), q);
    BERTH_ASSERT_OK(listed);
    EXPECT_EQ(ids_of(listed->items), expected) << "q=" << q;
    EXPECT_EQ(listed->total, static_cast<std::int64_t>(expected.size())) << "q=" << q;
  }
  auto second = list_teams(store(), "", 2, 2);
  BERTH_ASSERT_OK(second);
  EXPECT_EQ(ids_of(second->items), std::vector<std::string>{team_id(3)});
  EXPECT_EQ(second->total, 3);
}

TEST_P(StoreContract, UserAndPersonalTeamCanBeCreatedInEitherOrder) {
  UserRecord first = test_user(1);
  first.personal_team_id = team_id(1);
  // User first, then the team it names, then the membership.
  BERTH_ASSERT_OK(store().write([&](Tx& tx) -> Result<void> {
    auto done = tx.create_user(first);
    if (done) {
      done = tx.create_team(test_team(1));
    }
    if (done) {
      done = tx.put_membership(test_membership(1, 1, Role::owner));
    }
    return done;
  }));
  // Team first, then user, then membership.
  UserRecord second = test_user(2);
  second.personal_team_id = team_id(2);
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(2)},
                                 .users = {second},
                                 .memberships = {test_membership(2, 2, Role::owner)}}));
  EXPECT_EQ(to_text(get_user(store(), 1)), to_text(std::optional(first)));
  EXPECT_EQ(to_text(get_user(store(), 2)), to_text(std::optional(second)));
  EXPECT_EQ(to_text(get_membership(store(), 1, 1)),
            to_text(std::optional(test_membership(1, 1, Role::owner))));
  EXPECT_EQ(to_text(get_membership(store(), 2, 2)),
            to_text(std::optional(test_membership(2, 2, Role::owner))));
}

TEST_P(StoreContract, UserWhosePersonalTeamNeverAppearsIsRejected) {
  UserRecord user = test_user(1);
  user.personal_team_id = team_id(7);
  EXPECT_EQ(error_kind(seed(store(), {.users = {user}})), ErrorKind::conflict);
  EXPECT_EQ(to_text(get_user(store(), 1)), "<none>");
}

TEST_P(StoreContract, DeletingTeamDeletesItsMembershipsKeysAndInvitations) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)},
                                 .users = {test_user(1), test_user(2)},
                                 .memberships = {test_membership(1, 1, Role::owner),
                                                 test_membership(1, 2), test_membership(2, 2)},
                                 .api_keys = {test_api_key(1, 1), test_api_key(2, 2)},
                                 .invitations = {test_invitation(1, 1, "x@example.com"),
                                                 test_invitation(2, 2, "y@example.com")}}));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_team(team_id(1)); }));

  EXPECT_EQ(to_text(get_team(store(), 1)), "<none>");
  EXPECT_EQ(to_text(get_membership(store(), 1, 1)), "<none>");
  EXPECT_EQ(to_text(get_membership(store(), 1, 2)), "<none>");
  EXPECT_EQ(to_text(read_tx(store(), [](Tx& tx) { return tx.find_api_key_by_hash("key-hash-1"); })),
            "<none>");
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.find_invitation_by_hash("invite-hash-1"); })),
      "<none>");
  // The users and the other team keep everything.
  EXPECT_NE(to_text(get_user(store(), 1)), "<none>");
  EXPECT_NE(to_text(get_membership(store(), 2, 2)), "<none>");
  EXPECT_NE(to_text(read_tx(store(), [](Tx& tx) { return tx.find_api_key_by_hash("key-hash-2"); })),
            "<none>");
  EXPECT_NE(
      to_text(read_tx(store(), [](Tx& tx) { return tx.find_invitation_by_hash("invite-hash-2"); })),
      "<none>");
  auto teams = read_tx(store(), [](Tx& tx) { return tx.list_user_teams(user_id(2)); });
  BERTH_ASSERT_OK(teams);
  ASSERT_EQ(teams->size(), 1U);
  EXPECT_EQ((*teams)[0].team.id, team_id(2));
}

TEST_P(StoreContract, DeletingMissingTeamIsNotFound) {
  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.delete_team(team_id(1)); })),
            ErrorKind::not_found);
}

TEST_P(StoreContract, PersonalTeamOfAUserCannotBeDeleted) {
  UserRecord user = test_user(1);
  user.personal_team_id = team_id(1);
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1)}, .users = {user}}));
  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.delete_team(team_id(1)); })),
            ErrorKind::conflict);
  EXPECT_NE(to_text(get_team(store(), 1)), "<none>");
}

TEST_P(StoreContract, PutMembershipInsertsThenChangesOnlyTheRole) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1)}, .users = {test_user(1)}}));
  const MembershipRecord first = test_membership(1, 1, Role::viewer);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.put_membership(first); }));
  EXPECT_EQ(to_text(get_membership(store(), 1, 1)), to_text(std::optional(first)));

  MembershipRecord promoted = first;
  promoted.role = Role::owner;
  promoted.created_at = test_time(99);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.put_membership(promoted); }));
  MembershipRecord expected = first;
  expected.role = Role::owner;
  EXPECT_EQ(to_text(get_membership(store(), 1, 1)), to_text(std::optional(expected)));
}

TEST_P(StoreContract, MembershipNeedsATeamRoleAndExistingTeamAndUser) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1)}, .users = {test_user(1)}}));
  EXPECT_EQ(error_kind(seed(store(), {.memberships = {test_membership(2, 1)}})),
            ErrorKind::conflict);
  EXPECT_EQ(error_kind(seed(store(), {.memberships = {test_membership(1, 2)}})),
            ErrorKind::conflict);
  for (Role role : {Role::anyone, Role::user, Role::instance_admin}) {
    EXPECT_EQ(error_kind(seed(store(), {.memberships = {test_membership(1, 1, role)}})),
              ErrorKind::invalid)
        << role_name(role);
  }
  EXPECT_EQ(to_text(get_membership(store(), 1, 1)), "<none>");
}

TEST_P(StoreContract, DeleteMembershipRemovesOnlyThatOne) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1)},
                                 .users = {test_user(1), test_user(2)},
                                 .memberships = {test_membership(1, 1), test_membership(1, 2)}}));
  BERTH_ASSERT_OK(
      store().write([](Tx& tx) { return tx.delete_membership(team_id(1), user_id(1)); }));
  EXPECT_EQ(to_text(get_membership(store(), 1, 1)), "<none>");
  EXPECT_NE(to_text(get_membership(store(), 1, 2)), "<none>");
  EXPECT_EQ(error_kind(
                store().write([](Tx& tx) { return tx.delete_membership(team_id(1), user_id(1)); })),
            ErrorKind::not_found);
}

TEST_P(StoreContract, ListMembersShowsEmailAndNameInJoinOrder) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(1), test_team(2)},
                                 .users = {test_user(1), test_user(2), test_user(3)},
                                 .memberships = {test_membership(1, 3, Role::viewer),
                                                 test_membership(1, 1, Role::owner),
                                                 test_membership(2, 2, Role::admin)}}));
  auto members = read_tx(store(), [](Tx& tx) { return tx.list_members(team_id(1)); });
  BERTH_ASSERT_OK(members);
  const std::vector<std::string> expected{
      to_text(MemberRow{.membership = test_membership(1, 1, Role::owner),
                        .email = "user1@example.com",
                        .display_name = "User 1"}),
      to_text(MemberRow{.membership = test_membership(1, 3, Role::viewer),
                        .email = "user3@example.com",
                        .display_name = "User 3"}),
  };
  EXPECT_EQ(texts_of(*members), expected);
  auto none = read_tx(store(), [](Tx& tx) { return tx.list_members(team_id(9)); });
  BERTH_ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContract, ListUserTeamsShowsRolesInTeamCreationOrder) {
  BERTH_ASSERT_OK(seed(store(), {.teams = {test_team(3), test_team(1), test_team(2)},
                                 .users = {test_user(1), test_user(2)},
                                 .memberships = {test_membership(3, 1, Role::viewer),
                                                 test_membership(1, 1, Role::owner),
                                                 test_membership(2, 2, Role::admin)}}));
  auto teams = read_tx(store(), [](Tx& tx) { return tx.list_user_teams(user_id(1)); });
  BERTH_ASSERT_OK(teams);
  const std::vector<std::string> expected{
      to_text(TeamMembershipRow{.team = test_team(1), .role = Role::owner}),
      to_text(TeamMembershipRow{.team = test_team(3), .role = Role::viewer}),
  };
  EXPECT_EQ(texts_of(*teams), expected);
  auto none = read_tx(store(), [](Tx& tx) { return tx.list_user_teams(user_id(3)); });
  BERTH_ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace berth
