#include "domain/identity/team_service.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "domain/identity/accounts.hpp"
#include "domain/notify/mailer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/fakes.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

class RecordingMailer final : public Mailer {
 public:
  Result<void> send(const Email& email) override {
    if (broken) {
      Error error = Error::unavailable("smtp down");
      error.internal_detail = "connection refused";
      return fail(std::move(error));
    }
    sent.push_back(email);
    return {};
  }
  std::vector<Email> sent;
  bool broken = false;
};

std::unique_ptr<Store> open_store(const testing::TempDir& dir) {
  auto opened = SqliteStore::open({.path = dir.file("berth.db")});
  if (!opened) {
    ADD_FAILURE() << opened.error().message << " " << opened.error().internal_detail;
    return nullptr;
  }
  return std::move(*opened);
}

// The token at the end of an emailed invitation link (".../invite#<token>").
std::string token_in(const Email& email) {
  const auto hash = email.text.find("/invite#");
  if (hash == std::string::npos) {
    return {};
  }
  const auto start = hash + 8;
  return email.text.substr(start, email.text.find_first_of(" \n", start) - start);
}

class TeamServiceTest : public ::testing::Test {
 protected:
  ~TeamServiceTest() override {
    if (store_) {
      store_->close();
    }
  }

  UserRecord user(const std::string& email, const std::string& name) {
    std::optional<UserRecord> out;
    auto done = store_->write([&](Tx& tx) -> Result<void> {
      auto created =
          create_account(ctx_, tx, {.email = email, .password_hash = "x", .display_name = name});
      if (!created) {
        return fail(std::move(created.error()));
      }
      out = std::move(*created);
      return {};
    });
    EXPECT_TRUE(done.has_value());
    return out.value_or(UserRecord{});
  }

  static Principal as(const UserRecord& user) {
    Principal who;
    who.user_id = user.id;
    who.email = user.email;
    who.personal_team_id = user.personal_team_id;
    who.credential_id = "ses_test";
    return who;
  }

  static Principal key_of(const UserRecord& user, const std::string& team_id, Role role) {
    Principal who = as(user);
    who.credential = CredentialKind::api_key;
    who.credential_id = "key_test";
    who.key_team_id = team_id;
    who.key_role = role;
    return who;
  }

  static ClientInfo client() {
    return ClientInfo{.request_id = "req-1", .source_address = "10.0.0.1", .user_agent = "test"};
  }

  // A team owned by `owner`, with `others` as members in the given roles (set directly).
  std::string team(const UserRecord& owner,
                   const std::vector<std::pair<const UserRecord*, Role>>& others = {}) {
    auto created = service_.create_team(as(owner), "Platform", client());
    EXPECT_TRUE(created.has_value());
    const std::string id = created ? created->team.id : std::string{};
    for (const auto& [member, role] : others) {
      put(id, *member, role);
    }
    return id;
  }

  void put(const std::string& team_id, const UserRecord& member, Role role) {
    auto done = store_->write([&](Tx& tx) {
      return tx.put_membership(
          {.team_id = team_id, .user_id = member.id, .role = role, .created_at = clock_.now()});
    });
    EXPECT_TRUE(done.has_value());
  }

  std::optional<Role> role_of(const std::string& team_id, const UserRecord& member) {
    auto found = read_value<std::optional<MembershipRecord>>(
        *store_, [&](Tx& tx) { return tx.get_membership(team_id, member.id); });
    EXPECT_TRUE(found.has_value());
    return found && *found ? std::optional<Role>((*found)->role) : std::nullopt;
  }

  std::vector<AuditEntry> audit(const std::string& action = {}) {
    auto page = read_value<Page<AuditEntry>>(
        *store_, [&](Tx& tx) { return tx.list_audit({.action = action, .per_page = 100}); });
    EXPECT_TRUE(page.has_value());
    return page ? page->items : std::vector<AuditEntry>{};
  }

  std::string invite(const UserRecord& by, const std::string& team_id, const std::string& email,
                     Role role) {
    auto issued = service_.invite(as(by), team_id, email, role, client());
    EXPECT_TRUE(issued.has_value()) << (issued ? "" : issued.error().message);
    return issued ? issued->token : std::string{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_ = open_store(dir_);
  testing::ManualClock clock_;
  SodiumRandom random_;
  IdGenerator ids_{clock_, random_};
  IdentityContext ctx_{.store = *store_,
                       .clock = clock_,
                       .random = random_,
                       .ids = ids_,
                       .session_key = crypto::Key{},
                       .master_key = crypto::Key{},
                       .policy = IdentityPolicy{},
                       .mailer = nullptr};
  TeamService service_{ctx_};
};

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

// ----- Invitations -----

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
  ctx_.policy.public_url = "https://berth.example.com/";
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
  ctx_.mailer = &mailer;
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

TEST_F(TeamServiceTest, AFailedEmailWithdrawsTheInvitation) {
  RecordingMailer mailer;
  mailer.broken = true;
  ctx_.mailer = &mailer;
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
