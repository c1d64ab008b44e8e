// TeamService: inviting people to a team, and taking an invitation up.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "domain/identity/accounts.hpp"
#include "domain/identity/team_service.hpp"
#include "domain/notify/mailer.hpp"
#include "support/recording_mailer.hpp"
#include "unit/team_service_fixture.hpp"

namespace berth {
namespace {

using testing::RecordingMailer;

// The token at the end of an emailed invitation link (".../invite#<token>").
std::string token_in(const Email& email) {
  const auto hash = email.text.find("/invite#");
  if (hash == std::string::npos) {
    return {};
  }
  const auto start = hash + 8;
  return email.text.substr(start, email.text.find_first_of(" \n", start) - start);
}

TEST_F(TeamServiceTest, OnlyTheOwnerInvitesAdminsAndNobodyInvitesOwners) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord cat = user("cat@example.com", "Cat");
  const UserRecord bob = user("bob@example.com", "Bob");
  const std::string id = team(ann, {{&cat, Role::admin}, {&bob, Role::member}});
  auto admin = service_.invite(as(cat), id, "x@example.com", Role::admin, client());
  ASSERT_FALSE(admin.has_value());
  EXPECT_EQ(admin.error().details["required_role"], "owner");
  auto owner = service_.invite(as(ann), id, "x@example.com", Role::owner, client());
  ASSERT_FALSE(owner.has_value());
  EXPECT_EQ(owner.error().code, "validation_failed");
  auto by_member = service_.invite(as(bob), id, "x@example.com", Role::viewer, client());
  ASSERT_FALSE(by_member.has_value());
  EXPECT_EQ(by_member.error().kind, ErrorKind::forbidden);
  EXPECT_TRUE(audit("invitation.create").empty());

  EXPECT_TRUE(service_.invite(as(cat), id, "x@example.com", Role::member, client()).has_value());
  EXPECT_TRUE(service_.invite(as(ann), id, "y@example.com", Role::admin, client()).has_value());
  EXPECT_EQ(audit("invitation.create").size(), 2U);
}

TEST_F(TeamServiceTest, WithoutAMailerTheLinkGoesToTheInviterAndNeverIntoTheAuditLog) {
  ctx_.services.public_url = "https://berth.example.com/";
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  auto issued = service_.invite(as(ann), id, "  Dan@Example.COM ", Role::member, client());
  ASSERT_TRUE(issued.has_value());
  EXPECT_FALSE(issued->emailed);
  EXPECT_GE(issued->token.size(), 40U);
  EXPECT_EQ(issued->invite_url, "https://berth.example.com/invite#" + issued->token);
  EXPECT_EQ(issued->invitation.email, "dan@example.com");
  EXPECT_EQ(issued->invitation.expires_at - issued->invitation.created_at,
            std::chrono::seconds(7 * 24 * 3600));
  EXPECT_NE(issued->invitation.token_hash, issued->token);

  const auto entries = audit("invitation.create");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, id);
  EXPECT_EQ(entries[0].details["role"], "member");
  EXPECT_EQ(entries[0].details.dump().find(issued->token), std::string::npos);
}

TEST_F(TeamServiceTest, WithAMailerTheLinkIsEmailedAndNotReturned) {
  RecordingMailer mailer;
  ctx_.services.mailer = &mailer;
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  auto issued = service_.invite(as(ann), id, "dan@example.com", Role::viewer, client());
  ASSERT_TRUE(issued.has_value());
  EXPECT_TRUE(issued->emailed);
  EXPECT_TRUE(issued->token.empty());
  EXPECT_TRUE(issued->invite_url.empty());
  ASSERT_EQ(mailer.sent.size(), 1U);
  const Email& mail = mailer.sent[0];
  EXPECT_EQ(mail.to, "dan@example.com");
  EXPECT_NE(mail.subject.find("Platform"), std::string::npos);
  EXPECT_NE(mail.text.find("Ann (ann@example.com)"), std::string::npos);
  EXPECT_NE(mail.text.find("as viewer"), std::string::npos);
  EXPECT_NE(mail.text.find("http://127.0.0.1:8080/invite#"), std::string::npos);

  const UserRecord dan = user("dan@example.com", "Dan");
  auto joined = service_.accept_invitation(as(dan), token_in(mail), client());
  ASSERT_TRUE(joined.has_value()) << joined.error().message;
  EXPECT_EQ(role_of(id, dan), Role::viewer);
}

// With a mailer the token reaches only the invited mailbox, and registering can bind no other
// address: holding the token is the proof of the address (docs/security.md), so the account
// is active at once.
TEST_F(TeamServiceTest, AnEmailedInvitationRegistersExactlyTheInvitedAddress) {
  RecordingMailer mailer;
  ctx_.services.mailer = &mailer;
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  ASSERT_TRUE(service_.invite(as(ann), id, " Dan@Example.com", Role::member, client()));
  ASSERT_EQ(mailer.sent.size(), 1U);
  EXPECT_EQ(mailer.sent[0].to, "dan@example.com");
  auto registered = service_.register_with_invitation(token_in(mailer.sent[0]),
                                                      "correct horse battery", "Dan", client());
  ASSERT_TRUE(registered.has_value()) << registered.error().message;
  EXPECT_EQ(registered->user.email, "dan@example.com");
  EXPECT_TRUE(registered->user.is_active);
}

TEST_F(TeamServiceTest, AFailedEmailWithdrawsTheInvitation) {
  RecordingMailer mailer;
  mailer.broken = true;
  ctx_.services.mailer = &mailer;
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  auto issued = service_.invite(as(ann), id, "dan@example.com", Role::viewer, client());
  ASSERT_FALSE(issued.has_value());
  EXPECT_EQ(issued.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(issued.error().internal_detail, "connection refused");
  EXPECT_TRUE(service_.list_invitations(as(ann), id)->empty());
  const auto revoked = audit("invitation.revoke");
  ASSERT_EQ(revoked.size(), 1U);
  EXPECT_EQ(revoked[0].details["reason"], "email_failed");
  // A retry is not blocked by the withdrawn one.
  mailer.broken = false;
  EXPECT_TRUE(service_.invite(as(ann), id, "dan@example.com", Role::viewer, client()).has_value());
}

TEST_F(TeamServiceTest, MembersAndPendingAddressesCannotBeInvitedAgain) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const std::string id = team(ann, {{&bob, Role::member}});
  EXPECT_EQ(service_.invite(as(ann), id, "BOB@example.com", Role::viewer, client()).error().kind,
            ErrorKind::conflict);
  invite(ann, id, "dan@example.com", Role::viewer);
  EXPECT_EQ(service_.invite(as(ann), id, "dan@example.com", Role::member, client()).error().kind,
            ErrorKind::conflict);
  EXPECT_EQ(service_.invite(as(ann), id, "not-an-email", Role::member, client()).error().code,
            "validation_failed");
  EXPECT_EQ(audit("invitation.create").size(), 1U);
}

TEST_F(TeamServiceTest, AcceptingGrantsExactlyTheInvitedRoleOnce) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  const std::string token = invite(ann, id, "dan@example.com", Role::member);
  const UserRecord dan = user("dan@example.com", "Dan");
  const auto before = ctx_.generation.load();
  auto joined = service_.accept_invitation(as(dan), token, client());
  ASSERT_TRUE(joined.has_value());
  EXPECT_GT(ctx_.generation.load(), before);
  EXPECT_EQ(joined->team.id, id);
  EXPECT_EQ(joined->role, Role::member);
  EXPECT_EQ(role_of(id, dan), Role::member);
  auto entries = audit("invitation.accept");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, id);
  EXPECT_EQ(entries[0].actor, dan.id);
  EXPECT_EQ(entries[0].details["role"], "member");
  EXPECT_TRUE(service_.list_invitations(as(ann), id)->empty());

  auto again = service_.accept_invitation(as(dan), token, client());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, "invitation_used");
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_EQ(audit("invitation.accept").size(), 1U);
}

TEST_F(TeamServiceTest, AnInvitationIsBoundToItsAddress) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  const std::string token = invite(ann, id, "dan@example.com", Role::member);
  const UserRecord eve = user("eve@example.com", "Eve");
  auto stolen = service_.accept_invitation(as(eve), token, client());
  ASSERT_FALSE(stolen.has_value());
  EXPECT_EQ(stolen.error().code, "invitation_email_mismatch");
  EXPECT_EQ(stolen.error().kind, ErrorKind::forbidden);
  EXPECT_FALSE(role_of(id, eve).has_value());
  EXPECT_TRUE(audit("invitation.accept").empty());

  const UserRecord dan = user("dan@example.com", "Dan");
  EXPECT_TRUE(service_.accept_invitation(as(dan), token, client()).has_value());
}

TEST_F(TeamServiceTest, InvitationsExpireAfterTheirLifetime) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord dan = user("dan@example.com", "Dan");
  const UserRecord eve = user("eve@example.com", "Eve");
  const std::string id = team(ann);
  const std::string late = invite(ann, id, "dan@example.com", Role::member);
  const std::string in_time = invite(ann, id, "eve@example.com", Role::member);
  clock_.advance(std::chrono::hours(7 * 24) - std::chrono::milliseconds(1));
  EXPECT_EQ(service_.list_invitations(as(ann), id)->size(), 2U);
  EXPECT_TRUE(service_.accept_invitation(as(eve), in_time, client()).has_value());
  clock_.advance(std::chrono::milliseconds(1));
  auto expired = service_.accept_invitation(as(dan), late, client());
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code, "invitation_expired");
  EXPECT_FALSE(role_of(id, dan).has_value());
  EXPECT_TRUE(service_.list_invitations(as(ann), id)->empty());
}

TEST_F(TeamServiceTest, AcceptingNeverLowersAHigherRoleButRaisesALowerOne) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord dan = user("dan@example.com", "Dan");
  const UserRecord eve = user("eve@example.com", "Eve");
  const std::string id = team(ann);
  const std::string to_viewer = invite(ann, id, "dan@example.com", Role::viewer);
  const std::string to_admin = invite(ann, id, "eve@example.com", Role::admin);
  put(id, dan, Role::admin);  // joined another way meanwhile
  put(id, eve, Role::viewer);
  auto kept = service_.accept_invitation(as(dan), to_viewer, client());
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->role, Role::admin);
  EXPECT_EQ(role_of(id, dan), Role::admin);
  auto raised = service_.accept_invitation(as(eve), to_admin, client());
  ASSERT_TRUE(raised.has_value());
  EXPECT_EQ(role_of(id, eve), Role::admin);
}

TEST_F(TeamServiceTest, UnknownAndRevokedTokensAreNotFound) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord dan = user("dan@example.com", "Dan");
  const std::string id = team(ann);
  EXPECT_EQ(service_.accept_invitation(as(dan), "nope", client()).error().kind,
            ErrorKind::not_found);
  auto issued = service_.invite(as(ann), id, "dan@example.com", Role::viewer, client());
  ASSERT_TRUE(issued.has_value());
  ASSERT_TRUE(service_.revoke_invitation(as(ann), id, issued->invitation.id, client()).has_value());
  auto revoked = service_.accept_invitation(as(dan), issued->token, client());
  ASSERT_FALSE(revoked.has_value());
  EXPECT_EQ(revoked.error().kind, ErrorKind::not_found);
  EXPECT_EQ(service_.revoke_invitation(as(ann), id, issued->invitation.id, client()).error().kind,
            ErrorKind::not_found);
  const auto entries = audit("invitation.revoke");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, id);
  EXPECT_EQ(entries[0].target, issued->invitation.id);
}

TEST_F(TeamServiceTest, RevokingIsScopedByTeamAndAdminInvitationsAreTheOwners) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord cat = user("cat@example.com", "Cat");
  const std::string a = team(ann, {{&cat, Role::admin}});
  const std::string b = team(cat);
  auto issued = service_.invite(as(ann), a, "dan@example.com", Role::admin, client());
  ASSERT_TRUE(issued.has_value());
  // Cat administers team B; team A's invitation id under B's path is not found.
  EXPECT_EQ(service_.revoke_invitation(as(cat), b, issued->invitation.id, client()).error().kind,
            ErrorKind::not_found);
  EXPECT_EQ(service_.revoke_invitation(as(cat), a, issued->invitation.id, client()).error().kind,
            ErrorKind::forbidden);
  EXPECT_EQ(service_.list_invitations(as(ann), a)->size(), 1U);
  EXPECT_TRUE(audit("invitation.revoke").empty());
}

TEST_F(TeamServiceTest, ListingInvitationsNeedsAnAdmin) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const UserRecord bob = user("bob@example.com", "Bob");
  const std::string id = team(ann, {{&bob, Role::member}});
  invite(ann, id, "dan@example.com", Role::viewer);
  EXPECT_EQ(service_.list_invitations(as(bob), id).error().kind, ErrorKind::forbidden);
  auto listed = service_.list_invitations(as(ann), id);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ((*listed)[0].email, "dan@example.com");
}

TEST_F(TeamServiceTest, AColleagueWithoutAnAccountRegistersWithTheInvitation) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  const std::string token = invite(ann, id, "dan@example.com", Role::member);
  auto weak = service_.register_with_invitation(token, "short", "Dan", client());
  ASSERT_FALSE(weak.has_value());
  EXPECT_EQ(weak.error().code, "validation_failed");

  auto registered =
      service_.register_with_invitation(token, "correct horse battery", "Dan", client());
  ASSERT_TRUE(registered.has_value()) << registered.error().message;
  EXPECT_EQ(registered->user.email, "dan@example.com");
  EXPECT_FALSE(registered->user.is_instance_admin);
  EXPECT_EQ(registered->membership.role, Role::member);
  EXPECT_EQ(role_of(id, registered->user), Role::member);
  EXPECT_EQ(role_of(registered->user.personal_team_id, registered->user), Role::owner);
  EXPECT_TRUE(crypto::verify_password(
      read_value<UserRecord>(*store_, [&](Tx& tx) { return require_user(tx, registered->user.id); })
          ->password_hash,
      "correct horse battery"));
  EXPECT_EQ(audit("user.register").size(), 1U);
  ASSERT_EQ(audit("invitation.accept").size(), 1U);
  EXPECT_EQ(audit("invitation.accept")[0].team_id, id);

  auto again = service_.register_with_invitation(token, "correct horse battery", "Dan", client());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, "invitation_used");
}

TEST_F(TeamServiceTest, RegisteringIsRefusedWhenTheAddressHasAnAccount) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  const std::string token = invite(ann, id, "dan@example.com", Role::member);
  const UserRecord dan = user("dan@example.com", "Dan");
  auto refused = service_.register_with_invitation(token, "correct horse battery", "D", client());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "account_exists");
  EXPECT_TRUE(audit("user.register").empty());
  EXPECT_TRUE(service_.accept_invitation(as(dan), token, client()).has_value());
}

TEST_F(TeamServiceTest, ApiKeysCannotAcceptInvitations) {
  const UserRecord ann = user("ann@example.com", "Ann");
  const std::string id = team(ann);
  const std::string token = invite(ann, id, "dan@example.com", Role::member);
  const UserRecord dan = user("dan@example.com", "Dan");
  auto refused =
      service_.accept_invitation(key_of(dan, dan.personal_team_id, Role::owner), token, client());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "api_key_not_allowed");
  EXPECT_FALSE(role_of(id, dan).has_value());
}

}  // namespace
}  // namespace berth
