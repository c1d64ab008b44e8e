#include "domain/identity/api_key_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/time_format.hpp"
#include "domain/identity/access_checker.hpp"
#include "domain/identity/sign_in_service.hpp"
#include "support/identity_fixture.hpp"

namespace berth {
namespace {

class ApiKeyServiceTest : public testing::IdentityTest {
 protected:
  ApiKeyServiceTest() {
    ann_ = user("ann@example.com", "Ann");
    bob_ = user("bob@example.com", "Bob");
    cat_ = user("cat@example.com", "Cat");
    team_ = ann_.personal_team_id;  // Ann owns it
    put(team_, bob_, Role::admin);
    put(team_, cat_, Role::member);
  }

  Result<CreatedApiKey> create(const Principal& who, Role role, const std::string& name = "ci",
                               std::optional<TimePoint> expires_at = std::nullopt) {
    return service_.create(who, team_, {.name = name, .role = role, .expires_at = expires_at},
                           client());
  }

  ApiKeyService service_{ctx_};
  UserRecord ann_;
  UserRecord bob_;
  UserRecord cat_;
  std::string team_;
};

void expect_forbidden(const Result<CreatedApiKey>& created, std::string_view required) {
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(created.error().code, "insufficient_role");
  EXPECT_EQ(created.error().details.value("required_role", ""), required);
}

TEST_F(ApiKeyServiceTest, ANewKeyIsShownOnceAndStoredOnlyAsAHash) {
  auto created = create(as(ann_), Role::member);
  ASSERT_TRUE(created.has_value());
  const std::string& raw = created->raw_key;
  EXPECT_TRUE(raw.starts_with("bk_"));
  EXPECT_EQ(raw.size(), 3U + 43U);  // 32 random bytes in base64url
  EXPECT_TRUE(is_valid_id("key", created->key.id));
  EXPECT_EQ(created->key.token_hash, crypto::sha256_hex(raw));
  EXPECT_EQ(created->key.preview, raw.substr(raw.size() - 8));
  EXPECT_EQ(created->key.created_by, ann_.id);
  EXPECT_EQ(created->key.team_id, team_);

  auto found = read_value<std::optional<ApiKeyRecord>>(
      *store_, [&](Tx& tx) { return tx.find_api_key_by_hash(crypto::sha256_hex(raw)); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, created->key.id);
  EXPECT_EQ((*found)->role, Role::member);

  const auto entries = audit("api_key.create");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].team_id, team_);
  EXPECT_EQ(entries[0].target, created->key.id);
  const std::string details = entries[0].details.dump();
  EXPECT_EQ(details.find(raw.substr(3)), std::string::npos);
  EXPECT_EQ(details.find(created->key.preview), std::string::npos);
  EXPECT_EQ(details.find(created->key.token_hash), std::string::npos);
  EXPECT_EQ(entries[0].details.value("role", ""), "member");
}

TEST_F(ApiKeyServiceTest, AKeyNeverCarriesMoreThanItsCreatorsRole) {
  expect_forbidden(create(as(bob_), Role::owner), "owner");  // Bob is an admin
  EXPECT_TRUE(create(as(bob_), Role::admin).has_value());
  expect_forbidden(create(as(cat_), Role::viewer), "admin");  // members manage no keys
  EXPECT_TRUE(create(as(ann_), Role::owner).has_value());

  // A key acting as a caller is capped by its own role, even when its creator is the owner.
  const Principal admin_key = key_of(ann_, team_, Role::admin);
  expect_forbidden(create(admin_key, Role::owner), "owner");
  EXPECT_TRUE(create(admin_key, Role::admin).has_value());
  expect_forbidden(create(key_of(ann_, team_, Role::member), Role::viewer), "admin");
  EXPECT_EQ(audit("api_key.create").size(), 3U);
}

TEST_F(ApiKeyServiceTest, AKeyCannotCreateAKeyThatOutlivesIt) {
  Principal creator = key_of(ann_, team_, Role::owner);
  const TimePoint ends = clock_.now() + std::chrono::hours(1);
  creator.key_expires_at = ends;

  auto later = create(creator, Role::viewer, "later", ends + std::chrono::seconds(1));
  ASSERT_FALSE(later.has_value());
  EXPECT_EQ(later.error().code, "validation_failed");
  EXPECT_EQ(later.error().details.value("field", ""), "expires_at");

  auto sooner = create(creator, Role::viewer, "sooner", ends - std::chrono::minutes(1));
  ASSERT_TRUE(sooner.has_value());
  EXPECT_EQ(sooner->key.expires_at, ends - std::chrono::minutes(1));
  EXPECT_FALSE(sooner->expiry_capped);
  auto same = create(creator, Role::viewer, "same", ends);
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->key.expires_at, ends);

  // Asked for no expiry, it gets its creator's, and the answer says so.
  auto unbounded = create(creator, Role::viewer, "unbounded");
  ASSERT_TRUE(unbounded.has_value());
  EXPECT_EQ(unbounded->key.expires_at, ends);
  EXPECT_TRUE(unbounded->expiry_capped);
  const auto entries = audit("api_key.create");
  ASSERT_EQ(entries.size(), 3U);
  // The entries share one instant on the fixed clock, so find the key's by name.
  const auto unbounded_entry = std::find_if(entries.begin(), entries.end(), [](const auto& e) {
    return e.details.value("name", "") == "unbounded";
  });
  ASSERT_NE(unbounded_entry, entries.end());
  EXPECT_EQ(unbounded_entry->details.value("expires_at", ""), format_rfc3339(ends));

  // Only keys with an expiry pass one on.
  auto from_forever_key = create(key_of(ann_, team_, Role::owner), Role::viewer, "a");
  ASSERT_TRUE(from_forever_key.has_value());
  EXPECT_FALSE(from_forever_key->key.expires_at.has_value());
  auto from_user = create(as(ann_), Role::viewer, "b");
  ASSERT_TRUE(from_user.has_value());
  EXPECT_FALSE(from_user->key.expires_at.has_value());
}

TEST_F(ApiKeyServiceTest, MeThroughAKeyShowsOnlyTheKeysTeamAtTheKeysRole) {
  put(bob_.personal_team_id, ann_, Role::admin);
  SignInService sign_in(ctx_);
  auto as_user = sign_in.me(as(ann_));
  ASSERT_TRUE(as_user.has_value());
  EXPECT_EQ((*as_user)->second.size(), 2U);

  auto through_key = sign_in.me(key_of(ann_, team_, Role::viewer));
  ASSERT_TRUE(through_key.has_value());
  ASSERT_EQ((*through_key)->second.size(), 1U);
  EXPECT_EQ((*through_key)->second[0].team.id, team_);
  EXPECT_EQ((*through_key)->second[0].role, Role::viewer);
  EXPECT_EQ((*through_key)->first.id, ann_.id);
  // The user's own view is not changed by a key's.
  auto again = sign_in.me(as(ann_));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ((*again)->second.size(), 2U);
}

TEST_F(ApiKeyServiceTest, RoleNameAndExpiryAreChecked) {
  for (Role bad : {Role::instance_admin, Role::user, Role::anyone}) {
    auto created = create(as(ann_), bad);
    ASSERT_FALSE(created.has_value());
    EXPECT_EQ(created.error().details.value("field", ""), "role");
  }
  for (const std::string& bad :
       {std::string(), std::string(64, 'k'), std::string("a\nb"), std::string("   ")}) {
    auto created = create(as(ann_), Role::viewer, bad);
    ASSERT_FALSE(created.has_value()) << bad;
    EXPECT_EQ(created.error().details.value("field", ""), "name");
  }
  for (const TimePoint past : {clock_.now(), clock_.now() - std::chrono::seconds(1)}) {
    auto created = create(as(ann_), Role::viewer, "ci", past);
    ASSERT_FALSE(created.has_value());
    EXPECT_EQ(created.error().code, "validation_failed");
    EXPECT_EQ(created.error().details.value("field", ""), "expires_at");
  }
  EXPECT_TRUE(audit("api_key.create").empty());

  const TimePoint later = clock_.now() + std::chrono::hours(24);
  auto created = create(as(ann_), Role::viewer, std::string(63, 'k'), later);
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->key.expires_at, later);
}

TEST_F(ApiKeyServiceTest, KeysBelongToTheirTeam) {
  auto created = create(as(ann_), Role::viewer);
  ASSERT_TRUE(created.has_value());
  const std::string other_team = bob_.personal_team_id;  // Bob owns it

  auto revoked = service_.revoke(as(bob_), other_team, created->key.id, client());
  ASSERT_FALSE(revoked.has_value());
  EXPECT_EQ(revoked.error().kind, ErrorKind::not_found);
  auto listed = service_.list(as(bob_), other_team, {});
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->total, 0);

  // Not a member at all: the team does not exist as far as the caller can tell.
  auto strangers = service_.list(as(ann_), other_team, {});
  ASSERT_FALSE(strangers.has_value());
  EXPECT_EQ(strangers.error().kind, ErrorKind::not_found);
  // A key acts only in its own team, whatever its creator's memberships.
  auto elsewhere = service_.list(key_of(bob_, other_team, Role::owner), team_, {});
  ASSERT_FALSE(elsewhere.has_value());
  EXPECT_EQ(elsewhere.error().kind, ErrorKind::not_found);
  EXPECT_TRUE(audit("api_key.revoke").empty());
}

TEST_F(ApiKeyServiceTest, ARevokedKeyFailsOnTheVeryNextRequest) {
  auto created = create(as(ann_), Role::admin);
  ASSERT_TRUE(created.has_value());
  AccessChecker access(ctx_);
  PresentedCredentials presented;
  presented.bearer = created->raw_key;
  ASSERT_TRUE(access.authenticate(presented).has_value());  // now cached

  ASSERT_TRUE(service_.revoke(as(bob_), team_, created->key.id, client()).has_value());
  auto after = access.authenticate(presented);
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().kind, ErrorKind::unauthenticated);

  auto listed = service_.list(as(ann_), team_, {});
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->total, 0);
  const auto entries = audit("api_key.revoke");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].actor, bob_.id);
  EXPECT_EQ(entries[0].target, created->key.id);
  EXPECT_EQ(entries[0].team_id, team_);

  auto again = service_.revoke(as(ann_), team_, created->key.id, client());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::not_found);
  EXPECT_EQ(audit("api_key.revoke").size(), 1U);
}

TEST_F(ApiKeyServiceTest, MembersCannotRevokeKeys) {
  auto created = create(as(ann_), Role::viewer);
  ASSERT_TRUE(created.has_value());
  auto revoked = service_.revoke(as(cat_), team_, created->key.id, client());
  ASSERT_FALSE(revoked.has_value());
  EXPECT_EQ(revoked.error().kind, ErrorKind::forbidden);
  auto listed = service_.list(as(ann_), team_, {});
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->total, 1);
}

TEST_F(ApiKeyServiceTest, ListsArePagedNewestFirst) {
  std::vector<std::string> made;
  for (const char* name : {"one", "two", "three"}) {
    auto created = create(as(ann_), Role::viewer, name);
    ASSERT_TRUE(created.has_value());
    made.push_back(created->key.id);
    clock_.advance(std::chrono::seconds(1));
  }
  auto first = service_.list(as(ann_), team_, {.page = 1, .per_page = 2});
  auto second = service_.list(as(ann_), team_, {.page = 2, .per_page = 2});
  auto beyond = service_.list(as(ann_), team_, {.page = 1'000'000'000'000, .per_page = 100});
  ASSERT_TRUE(first && second && beyond);
  EXPECT_EQ(first->total, 3);
  ASSERT_EQ(first->items.size(), 2U);
  EXPECT_EQ(first->items[0].id, made[2]);
  ASSERT_EQ(second->items.size(), 1U);
  EXPECT_EQ(second->items[0].id, made[0]);
  EXPECT_TRUE(beyond->items.empty());
  EXPECT_EQ(beyond->total, 3);

  for (const PageRequest bad :
       {PageRequest{.page = 0, .per_page = 20}, PageRequest{.page = 1, .per_page = 0},
        PageRequest{.page = 1, .per_page = 101}}) {
    auto listed = service_.list(as(ann_), team_, bad);
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().details.value("field", ""), bad.page == 0 ? "page" : "per_page");
  }
}

}  // namespace
}  // namespace berth
