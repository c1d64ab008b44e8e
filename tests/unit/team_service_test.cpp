// TeamService: teams, members and ownership (invitations: team_invitations_test.cpp).
#include "domain/identity/team_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "unit/team_service_fixture.hpp"

namespace berth {
namespace {

// ----- Teams -----

TEST_F(TeamServiceTest, CreatingATeamMakesTheCallerItsOwnerAndIsAudited) {
  const UserRecord ann = user("ann@example.com", "Ann");
  auto created = service_.create_team(as(ann), "Platform", client());
  ASSERT_TRUE(created.has_value());
  EXPECT_TRUE(is_valid_id("team", created->team.id));
  EXPECT_FALSE(created->team.personal);
  EXPECT_EQ(created->role, Role::owner);
  EXPECT_EQ(role_of(created->team.id, ann), Role::owner);

  auto teams = service_.list_teams(as(ann));
  ASSERT_TRUE(teams.has_value());
  ASSERT_EQ(teams->size(), 2U);  // the personal team and the new one
  std::set<std::string> ids;
  for (const auto& row : *teams) {
    ids.insert(row.team.id);
  }
  EXPECT_EQ(ids, (std::set<std::string>{ann.personal_team_id, created->team.id}));

  const auto entries = audit("team.create");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, created->team.id);
  EXPECT_EQ(entries[0].actor, ann.id);
  EXPECT_EQ(entries[0].request_id, "req-1");
}

TEST_F(TeamServiceTest, TeamNamesAreChecked) {
  const UserRecord ann = user("ann@example.com", "Ann");
  for (const std::string& bad : {std::string(), std::string(64, 'x'), std::string("a\tb"),
                                 std::string("   "), std::string("a\x7f")}) {
    auto created = service_.create_team(as(ann), bad, client());
    ASSERT_FALSE(created.has_value()) << bad;
    EXPECT_EQ(created.error().code, "validation_failed");
  }
  EXPECT_TRUE(audit("team.create").empty());
  EXPECT_TRUE(service_.create_team(as(ann), std::string(63, 'x'), client()).has_value());
  EXPECT_TRUE(service_.create_team(as(ann), "Équipe ünïcode", client()).has_value());
}

TEST_F(TeamServiceTest, ApiKeysCannotCreateTeamsAndSeeOnlyTheirOwnTeam) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  auto created = service_.create_team(key_of(ann, id, Role::admin), "Other", client());
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().code, "api_key_not_allowed");

  auto teams = service_.list_teams(key_of(ann, id, Role::viewer));
  ASSERT_TRUE(teams.has_value());
  ASSERT_EQ(teams->size(), 1U);
  EXPECT_EQ((*teams)[0].team.id, id);
  EXPECT_EQ((*teams)[0].role, Role::viewer);  // capped by the key
}

TEST_F(TeamServiceTest, AnotherTeamIsNotFoundAndAKeyActsOnlyInItsTeamAtItsRole) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const std::string id = team(ann);
  auto seen = service_.get_team(as(bob), id);
  ASSERT_FALSE(seen.has_value());
  EXPECT_EQ(seen.error().kind, ErrorKind::not_found);
  EXPECT_EQ(service_.list_members(as(bob), id).error().kind, ErrorKind::not_found);

  // Ann owns both teams, but a key for her personal team cannot touch the other one.
  auto elsewhere = service_.get_team(key_of(ann, ann.personal_team_id, Role::owner), id);
  ASSERT_FALSE(elsewhere.has_value());
  EXPECT_EQ(elsewhere.error().kind, ErrorKind::not_found);
  auto renamed = service_.rename_team(key_of(ann, id, Role::member), id, "New", client());
  ASSERT_FALSE(renamed.has_value());
  EXPECT_EQ(renamed.error().code, "insufficient_role");
}

TEST_F(TeamServiceTest, RenamingNeedsAnAdmin) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const UserRecord cat = user("cat@example.com", "Cat");
  const std::string id = team(ann, {{&bob, Role::member}, {&cat, Role::admin}});
  auto refused = service_.rename_team(as(bob), id, "Bob's", client());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(refused.error().details["required_role"], "admin");
  EXPECT_TRUE(audit("team.update").empty());

  auto renamed = service_.rename_team(as(cat), id, "Infra", client());
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(renamed->team.name, "Infra");
  EXPECT_EQ(service_.get_team(as(bob), id)->team.name, "Infra");
  const auto entries = audit("team.update");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, id);
}

TEST_F(TeamServiceTest, OnlyTheOwnerDeletesATeamAndNeverAPersonalOne) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord cat = user("cat@example.com", "Cat");
  const std::string id = team(ann, {{&cat, Role::admin}});
  invite(ann, id, "dan@example.com", Role::member);

  auto refused = service_.delete_team(as(cat), id, client());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().details["required_role"], "owner");

  auto personal = service_.delete_team(as(ann), ann.personal_team_id, client());
  ASSERT_FALSE(personal.has_value());
  EXPECT_EQ(personal.error().kind, ErrorKind::conflict);
  // The service's own rule, not only the store's foreign key.
  EXPECT_EQ(personal.error().message, "a personal team cannot be deleted");
  EXPECT_TRUE(audit("team.delete").empty());

  ASSERT_TRUE(service_.delete_team(as(ann), id, client()).has_value());
  EXPECT_FALSE(role_of(id, cat).has_value());
  EXPECT_EQ(service_.get_team(as(ann), id).error().kind, ErrorKind::not_found);
  const auto entries = audit("team.delete");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, id);
}

// ----- Members -----

TEST_F(TeamServiceTest, AdminsManageMembersAndViewersOnly) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const UserRecord cat = user("cat@example.com", "Cat");
  const UserRecord eve = user("eve@example.com", "Eve");
  const std::string id =
      team(ann, {{&bob, Role::member}, {&cat, Role::admin}, {&eve, Role::admin}});

  auto demoted = service_.set_member_role(as(cat), id, bob.id, Role::viewer, client());
  ASSERT_TRUE(demoted.has_value());
  EXPECT_EQ(demoted->membership.role, Role::viewer);
  EXPECT_EQ(demoted->email, "bob@example.com");
  EXPECT_EQ(role_of(id, bob), Role::viewer);
  auto entries = audit("member.update");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, id);
  EXPECT_EQ(entries[0].target, bob.id);
  EXPECT_EQ(entries[0].details["previous_role"], "member");
  EXPECT_EQ(entries[0].details["role"], "viewer");

  // Promoting to admin, or touching another admin, is the owner's.
  auto promoted = service_.set_member_role(as(cat), id, bob.id, Role::admin, client());
  ASSERT_FALSE(promoted.has_value());
  EXPECT_EQ(promoted.error().details["required_role"], "owner");
  auto other_admin = service_.set_member_role(as(cat), id, eve.id, Role::member, client());
  ASSERT_FALSE(other_admin.has_value());
  EXPECT_EQ(other_admin.error().kind, ErrorKind::forbidden);
  auto removed = service_.remove_member(as(cat), id, eve.id, client());
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(role_of(id, eve), Role::admin);
  EXPECT_EQ(audit("member.update").size(), 1U);
  EXPECT_TRUE(audit("member.remove").empty());

  // The owner may.
  EXPECT_TRUE(service_.set_member_role(as(ann), id, bob.id, Role::admin, client()).has_value());
  EXPECT_TRUE(service_.set_member_role(as(ann), id, eve.id, Role::member, client()).has_value());
  EXPECT_TRUE(service_.remove_member(as(ann), id, cat.id, client()).has_value());
  EXPECT_EQ(role_of(id, bob), Role::admin);
  EXPECT_EQ(role_of(id, eve), Role::member);
  EXPECT_FALSE(role_of(id, cat).has_value());
}

TEST_F(TeamServiceTest, MembersCannotChangeRoles) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const UserRecord dan = user("dan@example.com", "Dan");
  const std::string id = team(ann, {{&bob, Role::member}, {&dan, Role::viewer}});
  auto changed = service_.set_member_role(as(bob), id, dan.id, Role::member, client());
  ASSERT_FALSE(changed.has_value());
  EXPECT_EQ(changed.error().details["required_role"], "admin");
  EXPECT_EQ(role_of(id, dan), Role::viewer);
}

TEST_F(TeamServiceTest, NobodySetsTheOwnerRoleNorChangesTheOwnersRole) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const std::string id = team(ann, {{&bob, Role::admin}});
  auto made_owner = service_.set_member_role(as(ann), id, bob.id, Role::owner, client());
  ASSERT_FALSE(made_owner.has_value());
  EXPECT_EQ(made_owner.error().code, "validation_failed");

  auto own = service_.set_member_role(as(ann), id, ann.id, Role::admin, client());
  ASSERT_FALSE(own.has_value());
  EXPECT_EQ(own.error().code, "owner_protected");
  auto by_admin = service_.set_member_role(as(bob), id, ann.id, Role::viewer, client());
  ASSERT_FALSE(by_admin.has_value());
  EXPECT_EQ(by_admin.error().kind, ErrorKind::conflict);
  EXPECT_EQ(role_of(id, ann), Role::owner);
  EXPECT_EQ(role_of(id, bob), Role::admin);
  EXPECT_TRUE(audit("member.update").empty());
}

TEST_F(TeamServiceTest, NobodyRemovesTheOwnerNotEvenThemselves) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const std::string id = team(ann, {{&bob, Role::admin}});
  auto by_admin = service_.remove_member(as(bob), id, ann.id, client());
  ASSERT_FALSE(by_admin.has_value());
  EXPECT_EQ(by_admin.error().code, "owner_protected");
  auto self = service_.remove_member(as(ann), id, ann.id, client());
  ASSERT_FALSE(self.has_value());
  EXPECT_EQ(self.error().code, "owner_protected");
  EXPECT_EQ(role_of(id, ann), Role::owner);
  EXPECT_TRUE(audit("member.remove").empty());
}

TEST_F(TeamServiceTest, AnyMemberMayLeaveButOnlyAdminsRemoveOthers) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const UserRecord dan = user("dan@example.com", "Dan");
  const std::string id = team(ann, {{&bob, Role::member}, {&dan, Role::viewer}});
  auto other = service_.remove_member(as(dan), id, bob.id, client());
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().details["required_role"], "admin");
  EXPECT_EQ(role_of(id, bob), Role::member);

  auto by_key = service_.remove_member(key_of(dan, id, Role::viewer), id, dan.id, client());
  ASSERT_FALSE(by_key.has_value());
  EXPECT_EQ(by_key.error().code, "api_key_not_allowed");
  EXPECT_EQ(role_of(id, dan), Role::viewer);

  const auto before = ctx_.generation.load();
  ASSERT_TRUE(service_.remove_member(as(dan), id, dan.id, client()).has_value());
  EXPECT_GT(ctx_.generation.load(), before);  // cached role checks are dropped
  EXPECT_FALSE(role_of(id, dan).has_value());
  const auto entries = audit("member.remove");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, id);
  EXPECT_EQ(entries[0].details["self"], true);
}

TEST_F(TeamServiceTest, UsersWhoAreNotMembersAreNotFound) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const std::string id = team(ann);
  EXPECT_EQ(service_.set_member_role(as(ann), id, bob.id, Role::member, client()).error().kind,
            ErrorKind::not_found);
  EXPECT_EQ(service_.remove_member(as(ann), id, bob.id, client()).error().kind,
            ErrorKind::not_found);
  EXPECT_EQ(service_.transfer_ownership(as(ann), id, bob.id, client()).error().kind,
            ErrorKind::not_found);
  EXPECT_EQ(audit().size(), 1U);  // only team.create
}

TEST_F(TeamServiceTest, TransferMakesTheTargetOwnerAndTheOldOwnerAdmin) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const std::string id = team(ann, {{&bob, Role::member}});
  ASSERT_TRUE(service_.transfer_ownership(as(ann), id, bob.id, client()).has_value());
  EXPECT_EQ(role_of(id, bob), Role::owner);
  EXPECT_EQ(role_of(id, ann), Role::admin);
  auto members = service_.list_members(as(ann), id);
  ASSERT_TRUE(members.has_value());
  EXPECT_EQ(std::count_if(members->begin(), members->end(),
                          [](const MemberRow& m) { return m.membership.role == Role::owner; }),
            1);
  const auto entries = audit("team.transfer");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, id);
  EXPECT_EQ(entries[0].details["to"], bob.id);

  // Now Ann is an admin: she can no longer transfer or delete.
  EXPECT_EQ(service_.transfer_ownership(as(ann), id, ann.id, client()).error().kind,
            ErrorKind::forbidden);
  EXPECT_EQ(service_.delete_team(as(ann), id, client()).error().kind, ErrorKind::forbidden);
}

TEST_F(TeamServiceTest, TransferRefusesPersonalTeamsAndOneself) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  put(ann.personal_team_id, bob, Role::member);
  EXPECT_EQ(
      service_.transfer_ownership(as(ann), ann.personal_team_id, bob.id, client()).error().kind,
      ErrorKind::conflict);
  const std::string id = team(ann);
  EXPECT_EQ(service_.transfer_ownership(as(ann), id, ann.id, client()).error().kind,
            ErrorKind::conflict);
  EXPECT_EQ(role_of(ann.personal_team_id, ann), Role::owner);
  EXPECT_TRUE(audit("team.transfer").empty());
}

}  // namespace
}  // namespace berth
