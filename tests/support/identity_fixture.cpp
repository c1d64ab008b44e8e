#include "support/identity_fixture.hpp"

#include <utility>

#include "store/sqlite/sqlite_store.hpp"

namespace berth::testing {

std::unique_ptr<Store> IdentityTest::open_store(const TempDir& dir) {
  auto opened = SqliteStore::open({.path = dir.file("berth.db")});
  if (!opened) {
    ADD_FAILURE() << opened.error().message << " " << opened.error().internal_detail;
    return nullptr;
  }
  return std::move(*opened);
}

IdentityTest::~IdentityTest() {
  if (store_) {
    store_->close();
  }
}

UserRecord IdentityTest::add_user(const NewAccount& account) {
  std::optional<UserRecord> out;
  auto done = store_->write([&](Tx& tx) -> Result<void> {
    auto created = create_account(ctx_, tx, account);
    if (!created) {
      return fail(std::move(created.error()));
    }
    out = std::move(*created);
    return {};
  });
  EXPECT_TRUE(done.has_value());
  return out.value_or(UserRecord{});
}

UserRecord IdentityTest::user(const std::string& email, const std::string& name) {
  return add_user({.email = email, .password_hash = "x", .display_name = name});
}

void IdentityTest::put(const std::string& team_id, const UserRecord& member, Role role) {
  auto done = store_->write([&](Tx& tx) {
    return tx.put_membership(
        {.team_id = team_id, .user_id = member.id, .role = role, .created_at = clock_.now()});
  });
  EXPECT_TRUE(done.has_value());
}

std::optional<Role> IdentityTest::role_of(const std::string& team_id, const UserRecord& member) {
  auto found = read_value<std::optional<MembershipRecord>>(
      *store_, [&](Tx& tx) { return tx.get_membership(team_id, member.id); });
  EXPECT_TRUE(found.has_value());
  return found && *found ? std::optional<Role>((*found)->role) : std::nullopt;
}

std::vector<AuditEntry> IdentityTest::audit(const std::string& action) {
  auto page = read_value<Page<AuditEntry>>(
      *store_, [&](Tx& tx) { return tx.list_audit({.action = action, .per_page = 100}); });
  EXPECT_TRUE(page.has_value());
  return page ? page->items : std::vector<AuditEntry>{};
}

Principal IdentityTest::as(const UserRecord& user) {
  Principal who;
  who.user_id = user.id;
  who.email = user.email;
  who.is_instance_admin = user.is_instance_admin;
  who.personal_team_id = user.personal_team_id;
  who.credential_id = "ses_test";
  return who;
}

Principal IdentityTest::key_of(const UserRecord& user, const std::string& team_id, Role role) {
  Principal who = as(user);
  who.credential = CredentialKind::api_key;
  who.credential_id = "key_test";
  who.key_team_id = team_id;
  who.key_role = role;
  return who;
}

ClientInfo IdentityTest::client() {
  return ClientInfo{.request_id = "req-1", .source_address = "10.0.0.1", .user_agent = "test"};
}

}  // namespace berth::testing
