// EdgeService: the whole document replaced, passwords hashed (never stored or shown), users
// kept by name, roles (viewers read, members write), audit without hashes, and the server's
// routes re-applied for a deployed app.

#include "domain/apps/edge_service.hpp"

#include <gtest/gtest.h>

#include "apps/apps_fixture.hpp"
#include "core/bcrypt.hpp"

namespace berth {
namespace {

using nlohmann::json;

class EdgeServiceTest : public AppsTest {
 protected:
  EdgeServiceTest() { app_ = image_app("web").id; }

  Result<EdgeView> put_rules(const json& document, const UserRecord* who = nullptr) {
    return edge_.put(as(who != nullptr ? *who : member_), team_, app_, document, client());
  }
  json stored_rules() {
    auto found = read_value<std::optional<AppEdgeRecord>>(
        *store_, [&](Tx& tx) { return tx.get_app_edge(app_); });
    EXPECT_TRUE(found.has_value());
    return found && *found ? (*found)->rules : json();
  }

  EdgeService edge_{services_, &lifecycle_};
  std::string app_;
};

TEST_F(EdgeServiceTest, PasswordsAreStoredAsBcryptHashesOnly) {
  auto put =
      put_rules({{"basic_auth", {{"users", {{{"username", "ops"}, {"password", "s3cret"}}}}}}});
  ASSERT_TRUE(put) << put.error().message;
  const json rules = stored_rules();
  const std::string hash = rules["basic_auth"]["users"][0]["password_hash"];
  EXPECT_TRUE(edge::is_bcrypt_hash(hash)) << hash;
  EXPECT_TRUE(crypto::bcrypt_verify(hash, "s3cret"));
  EXPECT_EQ(rules.dump().find("s3cret"), std::string::npos);
  EXPECT_EQ(put->rules.users[0].password_hash, hash);

  // A user sent back without a password keeps it; a new one needs one; a given hash is kept.
  const std::string other = *crypto::bcrypt_hash("other", services_.random, 4);
  ASSERT_TRUE(put_rules(
      {{"basic_auth",
        {{"users", {{{"username", "ops"}}, {{"username", "ci"}, {"password_hash", other}}}}}}}));
  EXPECT_EQ(stored_rules()["basic_auth"]["users"][0]["password_hash"], hash);
  EXPECT_EQ(stored_rules()["basic_auth"]["users"][1]["password_hash"], other);
  auto missing = put_rules({{"basic_auth", {{"users", {{{"username", "new"}}}}}}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().details["field"], "basic_auth.users[0].password");
  auto both = put_rules(
      {{"basic_auth",
        {{"users", {{{"username", "x"}, {"password", "a"}, {"password_hash", other}}}}}}});
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().details["field"], "basic_auth.users[0].password");
  auto long_password = put_rules(
      {{"basic_auth", {{"users", {{{"username", "x"}, {"password", std::string(73, 'a')}}}}}}});
  ASSERT_FALSE(long_password);
  EXPECT_EQ(long_password.error().details["field"], "basic_auth.users[0].password");
}

TEST_F(EdgeServiceTest, TheDocumentIsReplacedWholeAndRefusalsNameTheField) {
  ASSERT_TRUE(put_rules({{"allow_ips", {"10.1.2.3/8"}}, {"max_body_bytes", 2048}}));
  auto got = edge_.get(as(viewer_), team_, app_);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->rules.allow_ips, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(got->rules.max_body_bytes, 2048);
  ASSERT_TRUE(put_rules({{"maintenance", {{"enabled", true}}}}));
  got = edge_.get(as(viewer_), team_, app_);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->rules.allow_ips.empty());
  EXPECT_TRUE(got->rules.maintenance.enabled);

  auto refused = put_rules({{"headers", {{"set", {{"X-A", "{env.SECRET}"}}}}}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "validation_failed");
  EXPECT_EQ(refused.error().details["field"], "headers.set.X-A");
  EXPECT_TRUE(edge_.get(as(viewer_), team_, app_)->rules.maintenance.enabled);  // unchanged
}

TEST_F(EdgeServiceTest, ViewersReadMembersWriteStrangersSeeNothing) {
  EXPECT_EQ(put_rules({{"max_body_bytes", 10}}, &viewer_).error().kind, ErrorKind::forbidden);
  EXPECT_TRUE(put_rules({{"max_body_bytes", 10}}, &admin_));
  EXPECT_EQ(edge_.get(as(stranger_), team_, app_).error().kind, ErrorKind::not_found);
  EXPECT_EQ(put_rules({{"max_body_bytes", 10}}, &stranger_).error().kind, ErrorKind::not_found);
  EXPECT_EQ(edge_.get(as(viewer_), team_, "app_unknown").error().kind, ErrorKind::not_found);
  // An app that never had rules reads as none.
  const auto other = image_app("other").id;
  auto none = edge_.get(as(viewer_), team_, other);
  ASSERT_TRUE(none);
  EXPECT_TRUE(edge::is_empty(none->rules));
  EXPECT_EQ(none->updated_at, TimePoint{});
}

TEST_F(EdgeServiceTest, ChangesAreAuditedWithoutHashesAndReachADeployedAppsServer) {
  ASSERT_TRUE(
      put_rules({{"basic_auth", {{"users", {{{"username", "ops"}, {"password", "pw"}}}}}}}));
  EXPECT_TRUE(lifecycle_.routes.empty());  // never deployed: no route to change
  auto audit = read_value<Page<AuditEntry>>(*store_, [&](Tx& tx) {
    return tx.list_audit({.team_id = team_, .actor = {}, .action = "app.edge", .q = {}});
  });
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->items.size(), 1u);
  EXPECT_EQ(audit->items[0].target, app_);
  EXPECT_EQ(audit->items[0].details["basic_auth_users"], json({"ops"}));
  EXPECT_EQ(audit->items[0].details.dump().find("$2b$"), std::string::npos);

  AppRecord app = stored(app_);
  app.current_deployment_id = "dep_0000000000000001";
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(app); }));
  ASSERT_TRUE(put_rules({{"maintenance", {{"enabled", true}}}}));
  EXPECT_EQ(lifecycle_.routes, std::vector<std::string>{server_});
}

}  // namespace
}  // namespace berth
