// UserAdminService and AuditService: instance administration and reading the audit log.
#include "domain/identity/user_admin_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "domain/identity/access_checker.hpp"
#include "domain/identity/accounts.hpp"
#include "domain/identity/api_key_service.hpp"
#include "domain/identity/audit_service.hpp"
#include "support/identity_fixture.hpp"

namespace berth {
namespace {

class UserAdminServiceTest : public testing::IdentityTest {
 protected:
  UserAdminServiceTest() {
    root_ = user("root@example.com", "Root", true);
    bob_ = user("bob@example.com", "Bob");
    cat_ = user("cat@example.com", "Cat");
  }

  UserRecord user(const std::string& email, const std::string& name, bool admin = false) {
    UserRecord out = add_user(
        {.email = email, .password_hash = "x", .display_name = name, .is_instance_admin = admin});
    clock_.advance(std::chrono::milliseconds(1));  // lists in order of creation are stable
    return out;
  }

  // A live session or access token for `owner`; returns the raw token.
  std::string session_for(const UserRecord& owner, SessionKind kind) {
    const std::string raw = (kind == SessionKind::browser ? "ses-token-" : "bat_token-") + owner.id;
    auto done = store_->write([&](Tx& tx) {
      return tx.create_session({.id = ids_.next("ses"),
                                .token_hash = token_hash(ctx_, raw),
                                .user_id = owner.id,
                                .kind = kind,
                                .created_at = clock_.now(),
                                .last_seen_at = clock_.now(),
                                .expires_at = clock_.now() + std::chrono::hours(1)});
    });
    EXPECT_TRUE(done.has_value());
    return raw;
  }

  UserAdminService service_{ctx_};
  ApiKeyService keys_{ctx_};
  AuditService audit_service_{ctx_};
  UserRecord root_;
  UserRecord bob_;
  UserRecord cat_;
};

PresentedCredentials bearer(const std::string& token) {
  PresentedCredentials presented;
  presented.bearer = token;
  return presented;
}

PresentedCredentials cookie(const std::string& token) {
  PresentedCredentials presented;
  presented.session_cookie = token;
  return presented;
}

TEST_F(UserAdminServiceTest, DeactivatingEndsEveryCredentialAtOnce) {
  const std::string session = session_for(bob_, SessionKind::browser);
  const std::string access_token = session_for(bob_, SessionKind::access_token);
  auto key = keys_.create(as(bob_), bob_.personal_team_id,
                          {.name = "ci", .role = Role::admin, .expires_at = {}}, client());
  ASSERT_TRUE(key.has_value());
  AccessChecker access(ctx_);
  ASSERT_TRUE(access.authenticate(cookie(session)).has_value());  // all three now cached
  ASSERT_TRUE(access.authenticate(bearer(access_token)).has_value());
  ASSERT_TRUE(access.authenticate(bearer(key->raw_key)).has_value());
  const RefreshTokenRecord refresh{.id = ids_.next("rtk"),
                                   .token_hash = token_hash(ctx_, "brt_refresh"),
                                   .user_id = bob_.id,
                                   .chain_id = "chn_test",
                                   .created_at = clock_.now(),
                                   .expires_at = clock_.now() + std::chrono::hours(1)};
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.create_refresh_token(refresh); }));

  auto updated = service_.update_user(as(root_), bob_.id, {.is_active = false}, client());
  ASSERT_TRUE(updated.has_value());
  EXPECT_FALSE(updated->is_active);
  for (const auto& presented : {cookie(session), bearer(access_token), bearer(key->raw_key)}) {
    auto who = access.authenticate(presented);
    ASSERT_FALSE(who.has_value());
    EXPECT_EQ(who.error().kind, ErrorKind::unauthenticated);
  }
  auto live = read_value<std::vector<SessionRecord>>(*store_, [&](Tx& tx) {
    return tx.list_user_sessions(bob_.id, SessionKind::access_token, clock_.now());
  });
  ASSERT_TRUE(live.has_value());
  EXPECT_TRUE(live->empty());
  auto stored_refresh = read_value<std::optional<RefreshTokenRecord>>(
      *store_, [&](Tx& tx) { return tx.find_refresh_token_by_hash(refresh.token_hash); });
  ASSERT_TRUE(stored_refresh && *stored_refresh);
  EXPECT_TRUE((*stored_refresh)->revoked_at.has_value());

  const auto entries = audit("user.update");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].actor, root_.id);
  EXPECT_EQ(entries[0].target, bob_.id);
  EXPECT_EQ(entries[0].details["fields"], nlohmann::json::array({"is_active"}));
}

TEST_F(UserAdminServiceTest, AdministratorsCannotLockThemselvesOut) {
  for (const UserChanges& changes :
       {UserChanges{.is_active = false}, UserChanges{.is_instance_admin = false}}) {
    auto updated = service_.update_user(as(root_), root_.id, changes, client());
    ASSERT_FALSE(updated.has_value());
    EXPECT_EQ(updated.error().kind, ErrorKind::conflict);
  }
  auto me = service_.get_user(as(root_), root_.id);
  ASSERT_TRUE(me.has_value());
  EXPECT_TRUE(me->is_active);
  EXPECT_TRUE(me->is_instance_admin);
  EXPECT_TRUE(audit("user.update").empty());

  auto renamed = service_.update_user(as(root_), root_.id, {.display_name = "Groot"}, client());
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(renamed->display_name, "Groot");
}

TEST_F(UserAdminServiceTest, PromotingDemotingAndRenamingAreAuditedByField) {
  auto promoted = service_.update_user(
      as(root_), bob_.id, {.is_instance_admin = true, .display_name = "Robert"}, client());
  ASSERT_TRUE(promoted.has_value());
  EXPECT_TRUE(promoted->is_instance_admin);
  EXPECT_EQ(promoted->display_name, "Robert");
  clock_.advance(std::chrono::seconds(1));  // the log lists newest first
  // The new administrator may now demote the first one.
  Principal bob = as(bob_);
  bob.is_instance_admin = true;
  ASSERT_TRUE(service_.update_user(bob, root_.id, {.is_instance_admin = false}, client()));
  auto refused = service_.list_users(as(root_), "", {});
  ASSERT_FALSE(refused.has_value());  // the stored account decides, not the stale principal
  EXPECT_EQ(refused.error().code, "insufficient_role");

  auto same = service_.update_user(bob, cat_.id, {.is_active = true}, client());
  ASSERT_TRUE(same.has_value());  // nothing changes: nothing is recorded
  const auto entries = audit("user.update");
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[1].details["fields"],
            nlohmann::json::array({"is_instance_admin", "display_name"}));
  EXPECT_EQ(entries[0].details["fields"], nlohmann::json::array({"is_instance_admin"}));

  auto bad = service_.update_user(bob, cat_.id, {.display_name = "a\tb"}, client());
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().details.value("field", ""), "display_name");
  auto unknown = service_.update_user(bob, ids_.next("usr"), {.is_active = false}, client());
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  EXPECT_EQ(audit("user.update").size(), 2U);
}

TEST_F(UserAdminServiceTest, OnlyInstanceAdministratorsGetIn) {
  Principal pretender = as(bob_);
  pretender.is_instance_admin = true;  // a principal claiming what the store does not say
  Principal key = as(root_);
  key.credential = CredentialKind::api_key;
  key.key_team_id = root_.personal_team_id;
  key.key_role = Role::owner;
  for (const Principal& who : {as(bob_), pretender, key}) {
    auto users = service_.list_users(who, "", {});
    ASSERT_FALSE(users.has_value());
    EXPECT_EQ(users.error().kind, ErrorKind::forbidden);
    EXPECT_FALSE(service_.update_user(who, cat_.id, {.is_active = false}, client()));
    EXPECT_FALSE(audit_service_.list_all(who, {}));
  }
  EXPECT_TRUE(audit("user.update").empty());
}

TEST_F(UserAdminServiceTest, UsersAndTeamsAreSearchedAndPaged) {
  auto found = service_.list_users(as(root_), "BOB@", {});
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->items.size(), 1U);
  EXPECT_EQ(found->items[0].id, bob_.id);

  auto paged = service_.list_users(as(root_), "", {.page = 2, .per_page = 2});
  ASSERT_TRUE(paged.has_value());
  EXPECT_EQ(paged->total, 3);
  ASSERT_EQ(paged->items.size(), 1U);
  EXPECT_EQ(paged->items[0].id, cat_.id);

  auto teams = service_.list_teams(as(root_), "Cat", {});
  ASSERT_TRUE(teams.has_value());
  ASSERT_EQ(teams->items.size(), 1U);
  EXPECT_EQ(teams->items[0].id, cat_.personal_team_id);

  auto bad = service_.list_teams(as(root_), "", {.page = 1, .per_page = 101});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().details.value("field", ""), "per_page");
  auto long_q = service_.list_users(as(root_), std::string(201, 'q'), {});
  ASSERT_FALSE(long_q.has_value());
  EXPECT_EQ(long_q.error().details.value("field", ""), "q");
}

// ----- The audit log -----

TEST_F(UserAdminServiceTest, ATeamsLogHoldsOnlyItsOwnEntriesAndNeedsAnAdmin) {
  const std::string team = bob_.personal_team_id;
  ASSERT_TRUE(store_->write([&](Tx& tx) {
    return tx.put_membership(
        {.team_id = team, .user_id = cat_.id, .role = Role::member, .created_at = clock_.now()});
  }));
  const NewApiKey key{.name = "deploy", .role = Role::viewer, .expires_at = {}};
  ASSERT_TRUE(keys_.create(as(bob_), team, key, client()));
  ASSERT_TRUE(keys_.create(as(cat_), cat_.personal_team_id, key, client()));
  ASSERT_TRUE(service_.update_user(as(root_), cat_.id, {.display_name = "Kat"}, client()));

  auto page = audit_service_.list_team(as(bob_), team, {});
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].action, "api_key.create");
  EXPECT_EQ(page->items[0].team_id, team);

  // Asking for another team's entries through the query changes nothing.
  auto forged = audit_service_.list_team(as(bob_), team, {.team_id = cat_.personal_team_id});
  ASSERT_TRUE(forged.has_value());
  EXPECT_EQ(forged->total, 1);
  EXPECT_EQ(forged->items[0].team_id, team);

  auto member = audit_service_.list_team(as(cat_), team, {});
  ASSERT_FALSE(member.has_value());
  EXPECT_EQ(member.error().kind, ErrorKind::forbidden);
  auto stranger = audit_service_.list_team(as(root_), team, {});
  ASSERT_FALSE(stranger.has_value());
  EXPECT_EQ(stranger.error().kind, ErrorKind::not_found);

  auto everything = audit_service_.list_all(as(root_), {.per_page = 100});
  ASSERT_TRUE(everything.has_value());
  EXPECT_EQ(everything->total, 3);
  auto one_team = audit_service_.list_all(as(root_), {.team_id = cat_.personal_team_id});
  ASSERT_TRUE(one_team.has_value());
  EXPECT_EQ(one_team->total, 1);
}

TEST_F(UserAdminServiceTest, TheLogIsFilteredAndPaged) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(keys_.create(as(root_), root_.personal_team_id,
                             {.name = "key", .role = Role::viewer, .expires_at = {}}, client()));
    clock_.advance(std::chrono::seconds(1));
  }
  auto keys = keys_.list(as(root_), root_.personal_team_id, {});
  ASSERT_TRUE(keys && keys->total == 3);
  ASSERT_TRUE(keys_.revoke(as(root_), root_.personal_team_id, keys->items[0].id, client()));
  ASSERT_TRUE(service_.update_user(as(root_), bob_.id, {.display_name = "Robert"}, client()));

  const std::string team = root_.personal_team_id;
  auto created = audit_service_.list_team(as(root_), team, {.action = "api_key.create"});
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->total, 3);
  auto by_target = audit_service_.list_all(as(root_), {.q = keys->items[0].id});
  ASSERT_TRUE(by_target.has_value());
  EXPECT_EQ(by_target->total, 2);                           // created, then revoked
  EXPECT_EQ(by_target->items[0].action, "api_key.revoke");  // newest first
  auto by_actor = audit_service_.list_all(as(root_), {.actor = bob_.id});
  ASSERT_TRUE(by_actor.has_value());
  EXPECT_EQ(by_actor->total, 0);
  auto by_root = audit_service_.list_all(as(root_), {.actor = root_.id, .per_page = 2});
  ASSERT_TRUE(by_root.has_value());
  EXPECT_EQ(by_root->total, 5);
  EXPECT_EQ(by_root->items.size(), 2U);

  for (const AuditQuery& bad : {AuditQuery{.page = 0}, AuditQuery{.per_page = 0},
                                AuditQuery{.per_page = 101}, AuditQuery{.page = -3}}) {
    auto listed = audit_service_.list_team(as(root_), team, bad);
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().code, "validation_failed");
    EXPECT_EQ(listed.error().details.value("field", ""), bad.page < 1 ? "page" : "per_page");
  }
  auto long_action = audit_service_.list_all(as(root_), {.action = std::string(201, 'a')});
  ASSERT_FALSE(long_action.has_value());
  EXPECT_EQ(long_action.error().details.value("field", ""), "action");
}

}  // namespace
}  // namespace berth
