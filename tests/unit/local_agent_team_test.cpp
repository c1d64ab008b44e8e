// The team the agent on berthd's own machine enrols into (accounts.hpp, local_agent_team):
// before anyone exists one team is made and kept, and setup gives it to the first
// administrator instead of making another; afterwards it is the first user's own team.
#include <gtest/gtest.h>

#include "support/identity_fixture.hpp"

namespace berth::testing {
namespace {

class LocalAgentTeamTest : public IdentityTest {
 protected:
  std::string local_team() {
    std::string id;
    auto done = store_->write([&](Tx& tx) -> Result<void> {
      auto team = local_agent_team(ctx_, tx);
      if (!team) {
        return fail(std::move(team.error()));
      }
      id = *team;
      return {};
    });
    EXPECT_TRUE(done.has_value()) << (done ? "" : done.error().message);
    return id;
  }

  std::int64_t team_count() {
    auto teams =
        read_value<Page<TeamRecord>>(*store_, [](Tx& tx) { return tx.list_teams("", 1, 100); });
    return teams ? teams->total : -1;
  }

  SignInService sign_in_{ctx_};
};

TEST_F(LocalAgentTeamTest, BeforeSetupOneTeamIsMadeAndSetupGivesItToTheAdministrator) {
  const std::string first = local_team();
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(local_team(), first) << "made once, then the same team";
  EXPECT_EQ(team_count(), 1);

  auto token = sign_in_.prepare_setup();
  ASSERT_TRUE(token && *token);
  auto admin = sign_in_.setup(
      **token, {.email = "ada@example.com", .password = "a long passphrase 1", .totp = ""}, "Ada",
      client());
  ASSERT_TRUE(admin.has_value()) << admin.error().message;
  EXPECT_EQ(admin->user.personal_team_id, first);
  EXPECT_EQ(team_count(), 1) << "setup made no second team";
  EXPECT_EQ(role_of(first, admin->user), Role::owner);
  auto team =
      read_value<std::optional<TeamRecord>>(*store_, [&](Tx& tx) { return tx.get_team(first); });
  ASSERT_TRUE(team && *team);
  EXPECT_EQ((*team)->name, "Ada's team");
  EXPECT_TRUE((*team)->personal);
  EXPECT_EQ(local_team(), first) << "afterwards, the administrator's own team";
}

TEST_F(LocalAgentTeamTest, AfterSetupItIsTheFirstUsersOwnTeamAndNothingIsMade) {
  const UserRecord first = user("first@example.com", "First");
  clock_.advance(std::chrono::milliseconds(1));  // users are listed by creation time
  user("second@example.com", "Second");
  EXPECT_EQ(local_team(), first.personal_team_id);
  EXPECT_EQ(team_count(), 2);
}

TEST_F(LocalAgentTeamTest, ATeamThatGainedMembersIsNotAdoptedAgain) {
  const std::string first = local_team();
  const UserRecord someone = user("someone@example.com", "Someone");
  put(first, someone, Role::member);
  std::string waiting = "unset";
  ASSERT_TRUE(store_->write([&](Tx& tx) -> Result<void> {
    auto found = team_awaiting_first_admin(tx);
    if (!found) {
      return fail(std::move(found.error()));
    }
    waiting = *found;
    return {};
  }));
  EXPECT_EQ(waiting, "");
}

}  // namespace
}  // namespace berth::testing
