// The Store contract: password-reset tokens (single use, superseded by newer ones).
#include <fmt/format.h>

#include <string>

#include "store/store_contract_records.hpp"

namespace berth {

namespace {

// prt_000n of user_id(user), created at test_time(n), expiring 30 minutes later.
PasswordResetRecord test_reset(int n, int user) {
  PasswordResetRecord reset{.id = fmt::format("prt_{:04}", n),
                            .token_hash = fmt::format("reset-hash-{}", n),
                            .user_id = user_id(user)};
  reset.created_at = test_time(n);
  reset.expires_at = test_time(n + 1800);
  return reset;
}

std::string reset_text(const std::optional<PasswordResetRecord>& reset) {
  if (!reset) {
    return "<none>";
  }
  return fmt::format("{} {} {} by={} created={} expires={} used={} revoked={}", reset->id,
                     reset->token_hash, reset->user_id, reset->issued_by,
                     time_text(reset->created_at), time_text(reset->expires_at),
                     time_text(reset->used_at), time_text(reset->revoked_at));
}

std::string stored_reset(Store& store, int n) {
  auto found = read_tx(store, [&](Tx& tx) {
    return tx.find_password_reset_by_hash(fmt::format("reset-hash-{}", n));
  });
  return found ? reset_text(*found) : "<error: " + describe(found.error()) + ">";
}

Result<void> create_resets(Store& store, const std::vector<PasswordResetRecord>& resets) {
  return store.write([&](Tx& tx) { return create_each(resets, &Tx::create_password_reset, tx); });
}

// Whether use_password_reset took the token; a failure fails the test.
bool take(Store& store, const std::string& id, TimePoint at) {
  auto used = write_value<bool>(store, [&](Tx& tx) { return tx.use_password_reset(id, at); });
  EXPECT_TRUE(used.has_value()) << describe(used.error());
  return used.value_or(false);
}

}  // namespace

TEST_P(StoreContract, PasswordResetsRoundTripEveryField) {
  BERTH_ASSERT_OK(seed(store(), {.users = {test_user(1), test_user(2)}}));
  PasswordResetRecord full = test_reset(1, 1);
  full.issued_by = user_id(2);
  full.used_at = test_time(5, 7);
  full.revoked_at = test_time(6, 8);
  BERTH_ASSERT_OK(create_resets(store(), {full, test_reset(2, 2)}));
  EXPECT_EQ(stored_reset(store(), 1), reset_text(full));
  EXPECT_EQ(stored_reset(store(), 2), reset_text(test_reset(2, 2)));
  EXPECT_EQ(stored_reset(store(), 3), "<none>");
  // The same hash twice, or a token of no user, is refused.
  PasswordResetRecord clash = test_reset(3, 1);
  clash.token_hash = full.token_hash;
  EXPECT_EQ(error_kind(create_resets(store(), {clash})), ErrorKind::conflict);
  EXPECT_EQ(error_kind(create_resets(store(), {test_reset(4, 9)})), ErrorKind::conflict);
}

TEST_P(StoreContract, APasswordResetIsUsedOnceAndNeverAfterItIsRevoked) {
  BERTH_ASSERT_OK(seed(store(), {.users = {test_user(1)}}));
  BERTH_ASSERT_OK(create_resets(store(), {test_reset(1, 1), test_reset(2, 1)}));
  EXPECT_TRUE(take(store(), "prt_0001", test_time(10)));
  EXPECT_FALSE(take(store(), "prt_0001", test_time(11)));  // the first use stays recorded
  PasswordResetRecord used = test_reset(1, 1);
  used.used_at = test_time(10);
  EXPECT_EQ(stored_reset(store(), 1), reset_text(used));
  EXPECT_FALSE(take(store(), "prt_9999", test_time(10)));  // unknown

  BERTH_ASSERT_OK(store().write(
      [](Tx& tx) { return tx.revoke_user_password_resets(user_id(1), test_time(20)); }));
  EXPECT_FALSE(take(store(), "prt_0002", test_time(21)));
  PasswordResetRecord revoked = test_reset(2, 1);
  revoked.revoked_at = test_time(20);
  EXPECT_EQ(stored_reset(store(), 2), reset_text(revoked));
  EXPECT_EQ(stored_reset(store(), 1), reset_text(used));  // a used one is not revoked after
}

TEST_P(StoreContract, RevokingPasswordResetsTouchesOnlyThatUsersOpenTokens) {
  BERTH_ASSERT_OK(seed(store(), {.users = {test_user(1), test_user(2)}}));
  PasswordResetRecord earlier = test_reset(2, 1);
  earlier.revoked_at = test_time(3);
  BERTH_ASSERT_OK(create_resets(store(), {test_reset(1, 1), earlier, test_reset(3, 2)}));
  BERTH_ASSERT_OK(store().write(
      [](Tx& tx) { return tx.revoke_user_password_resets(user_id(1), test_time(40)); }));
  PasswordResetRecord first = test_reset(1, 1);
  first.revoked_at = test_time(40);
  EXPECT_EQ(stored_reset(store(), 1), reset_text(first));
  EXPECT_EQ(stored_reset(store(), 2), reset_text(earlier));  // keeps its first revocation
  EXPECT_EQ(stored_reset(store(), 3), reset_text(test_reset(3, 2)));
}

}  // namespace berth
