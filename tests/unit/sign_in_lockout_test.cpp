#include <gtest/gtest.h>

#include <string>

#include "domain/identity/accounts.hpp"
#include "domain/identity/sign_in_service.hpp"
#include "support/identity_fixture.hpp"

namespace berth {
namespace {

class SignInLockoutTest : public testing::IdentityTest {
 protected:
  SignInLockoutTest() {
    auto hash = crypto::hash_password(testing::kTestPassword);
    EXPECT_TRUE(hash.has_value());
    ann_ = add_user(
        {.email = "ann@example.com", .password_hash = hash.value_or(""), .display_name = "Ann"});
  }

  static ClientInfo from(const std::string& address) {
    return ClientInfo{.request_id = "req-1", .source_address = address, .user_agent = "test"};
  }

  Result<SignedIn> login(const std::string& address,
                         std::string_view password = testing::kTestPassword,
                         const std::string& email = "ann@example.com") {
    return sign_in_.login({.email = email, .password = std::string(password), .totp = {}},
                          from(address));
  }

  void fail_times(int times, const std::string& address,
                  const std::string& email = "ann@example.com") {
    for (int i = 0; i < times; ++i) {
      auto wrong = login(address, "not the password at all", email);
      ASSERT_FALSE(wrong.has_value());
      ASSERT_EQ(wrong.error().code, "invalid_credentials") << address << " attempt " << i;
    }
  }

  static void expect_locked(const Result<SignedIn>& result) {
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().kind, ErrorKind::rate_limited);
    EXPECT_EQ(result.error().code, "account_locked");
    EXPECT_GE(result.error().details.value("retry_after_seconds", 0), 1);
  }

  SignInService sign_in_{ctx_};
  UserRecord ann_;
};

TEST_F(SignInLockoutTest, FailuresFromOneClientLockOutThatClientOnly) {
  fail_times(5, "203.0.113.9");
  expect_locked(login("203.0.113.9"));  // even with the right password
  // The owner elsewhere still signs in: a stranger cannot keep them out.
  ASSERT_TRUE(login("198.51.100.7").has_value());
  // ...and that success does not lift the stranger's lock.
  expect_locked(login("203.0.113.9"));

  const auto failures = audit("auth.login");
  ASSERT_GE(failures.size(), 5U);
  bool locked_noted = false;
  for (const auto& entry : failures) {
    if (entry.outcome == "failure") {
      EXPECT_EQ(entry.source_address, "203.0.113.9");
      locked_noted = locked_noted || entry.details.value("locked", false);
    }
  }
  EXPECT_TRUE(locked_noted);
}

TEST_F(SignInLockoutTest, ALockEndsAfterItsTime) {
  fail_times(5, "203.0.113.9");
  expect_locked(login("203.0.113.9"));
  clock_.advance(std::chrono::minutes(14));
  expect_locked(login("203.0.113.9"));
  clock_.advance(std::chrono::minutes(1));
  ASSERT_TRUE(login("203.0.113.9").has_value());
}

TEST_F(SignInLockoutTest, ASuccessStartsTheCountAgain) {
  fail_times(4, "203.0.113.9");
  ASSERT_TRUE(login("203.0.113.9").has_value());
  fail_times(4, "203.0.113.9");
  ASSERT_TRUE(login("203.0.113.9").has_value());
}

TEST_F(SignInLockoutTest, AnIPv6ClientRotatingInsideItsSlash64IsOneClient) {
  for (const char* address : {"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:aaaa::3",
                              "2001:db8:1:2:ffff:ffff:ffff:4", "2001:db8:1:2::5"}) {
    fail_times(1, address);
  }
  expect_locked(login("2001:db8:1:2:1234:5678:9abc:def0"));
  ASSERT_TRUE(login("2001:db8:1:3::1").has_value());  // the next /64 is someone else
}

TEST_F(SignInLockoutTest, AnEmailWithoutAnAccountLocksTheSameWay) {
  fail_times(5, "203.0.113.9", "nobody@example.com");
  expect_locked(login("203.0.113.9", "not the password at all", "nobody@example.com"));
  auto elsewhere = login("198.51.100.7", "not the password at all", "nobody@example.com");
  ASSERT_FALSE(elsewhere.has_value());
  EXPECT_EQ(elsewhere.error().code, "invalid_credentials");
}

TEST_F(SignInLockoutTest, ChangingThePasswordCountsWrongCurrentPasswords) {
  const ClientInfo stranger = from("203.0.113.9");
  for (int i = 0; i < 5; ++i) {
    auto wrong = sign_in_.change_password(as(ann_), "not the password at all",
                                          "a brand new password", stranger);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().details.value("field", ""), "current");
  }
  auto locked =
      sign_in_.change_password(as(ann_), testing::kTestPassword, "a brand new password", stranger);
  ASSERT_FALSE(locked.has_value());
  EXPECT_EQ(locked.error().code, "account_locked");
  expect_locked(login("203.0.113.9"));
  ASSERT_TRUE(login("198.51.100.7").has_value());
}

TEST_F(SignInLockoutTest, TheAccountWideCeilingSparesNetworksTheAccountSignedInFrom) {
  ctx_.policy.lockout.failures = 3;
  ctx_.policy.lockout.account_failures = 6;
  ASSERT_TRUE(login("198.51.100.7").has_value());  // home

  // Guessing spread over networks: each is locked in turn, and together they reach the
  // account-wide ceiling.
  fail_times(3, "203.0.113.1");
  fail_times(3, "203.0.113.2");
  expect_locked(login("192.0.2.77"));  // a network new to the account
  ASSERT_TRUE(login("198.51.100.7").has_value());

  clock_.advance(std::chrono::minutes(15));
  ASSERT_TRUE(login("192.0.2.77").has_value());
}

TEST(SignInLockouts, AFullTableForgetsCountsBeforeLocksAndThenTheLockEndingSoonest) {
  const LockoutPolicy policy{
      .failures = 2, .account_failures = 1000, .duration = std::chrono::minutes(15)};
  SignInLockouts lockouts(3);
  TimePoint now{};
  ASSERT_FALSE(lockouts.record_failure("usr_a", "192.0.2.1", now, policy));
  ASSERT_TRUE(lockouts.record_failure("usr_a", "192.0.2.1", now, policy));
  // Counts for other networks fill the table; they go first, the lock stays.
  for (const char* address : {"192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"}) {
    EXPECT_FALSE(lockouts.record_failure("usr_a", address, now, policy));
  }
  EXPECT_EQ(lockouts.locked_until("usr_a", "192.0.2.1", now), now + std::chrono::minutes(15));

  // Only live locks left: the one that ends soonest makes room.
  for (const char* address : {"192.0.2.6", "192.0.2.7"}) {
    now += std::chrono::minutes(1);
    lockouts.record_failure("usr_a", address, now, policy);
    EXPECT_TRUE(lockouts.record_failure("usr_a", address, now, policy));
  }
  now += std::chrono::minutes(1);
  lockouts.record_failure("usr_a", "192.0.2.8", now, policy);
  EXPECT_TRUE(lockouts.record_failure("usr_a", "192.0.2.8", now, policy));
  EXPECT_FALSE(lockouts.locked_until("usr_a", "192.0.2.1", now).has_value());
  for (const char* address : {"192.0.2.6", "192.0.2.7", "192.0.2.8"}) {
    EXPECT_TRUE(lockouts.locked_until("usr_a", address, now).has_value()) << address;
  }
}

}  // namespace
}  // namespace berth
