#include "domain/identity/totp_service.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/totp.hpp"
#include "domain/identity/accounts.hpp"
#include "domain/identity/second_factor.hpp"
#include "domain/identity/sign_in_service.hpp"
#include "support/identity_fixture.hpp"

namespace berth {
namespace {

class TotpServiceTest : public testing::IdentityTest {
 protected:
  TotpServiceTest() {
    auto hash = crypto::hash_password(testing::kTestPassword);
    EXPECT_TRUE(hash.has_value());
    ann_ = add_user(
        {.email = "ann@example.com", .password_hash = hash.value_or(""), .display_name = "Ann"});
  }

  Principal ann() const { return as(ann_); }

  UserRecord stored() {
    auto user = read_value<UserRecord>(*store_, [&](Tx& tx) { return require_user(tx, ann_.id); });
    EXPECT_TRUE(user.has_value());
    return user.value_or(UserRecord{});
  }

  std::int64_t unused_recovery_codes() {
    auto count = read_value<std::int64_t>(
        *store_, [&](Tx& tx) { return tx.count_unused_recovery_codes(ann_.id); });
    EXPECT_TRUE(count.has_value());
    return count.value_or(-1);
  }

  std::string code_now(const std::string& secret) const {
    const auto bytes = crypto::base32_decode(secret);
    EXPECT_TRUE(bytes.has_value());
    return totp::code_at(bytes.value_or(std::vector<std::uint8_t>{}),
                         totp::time_step(clock_.now()));
  }

  // Six digits that are none of the codes the window accepts now.
  std::string wrong_code(const std::string& secret) const {
    const auto bytes = crypto::base32_decode(secret).value_or(std::vector<std::uint8_t>{});
    const std::int64_t step = totp::time_step(clock_.now());
    for (int candidate = 0;; ++candidate) {
      const std::string code = fmt::format("{:06}", candidate);
      if (code != totp::code_at(bytes, step - 1) && code != totp::code_at(bytes, step) &&
          code != totp::code_at(bytes, step + 1)) {
        return code;
      }
    }
  }

  // Enrolled and confirmed: the secret and the recovery codes.
  std::pair<std::string, std::vector<std::string>> turned_on() {
    auto enrolment = service_.enrol(ann(), client());
    EXPECT_TRUE(enrolment.has_value());
    const std::string secret = enrolment ? enrolment->secret : std::string{};
    auto codes = service_.confirm(ann(), code_now(secret), client());
    EXPECT_TRUE(codes.has_value());
    clock_.advance(std::chrono::seconds(30));  // the next step's code is fresh
    return {secret, codes.value_or(std::vector<std::string>{})};
  }

  static void expect_invalid(const Result<void>& result, const std::string& field) {
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, "validation_failed");
    EXPECT_EQ(result.error().details.value("field", ""), field);
  }

  TotpService service_{ctx_};
  UserRecord ann_;
};

Result<void> as_void(const Result<std::vector<std::string>>& result) {
  if (!result) {
    return fail(result.error());
  }
  return {};
}

TEST_F(TotpServiceTest, EnrolmentStoresTheSecretEncryptedAndDoesNotRequireItYet) {
  auto enrolment = service_.enrol(ann(), client());
  ASSERT_TRUE(enrolment.has_value());
  EXPECT_EQ(enrolment->secret.size(), 32U);  // 20 bytes in base32
  EXPECT_TRUE(enrolment->otpauth_uri.starts_with("otpauth://totp/Berth:ann%40example.com?"));
  EXPECT_NE(enrolment->otpauth_uri.find("secret=" + enrolment->secret), std::string::npos);

  const UserRecord user = stored();
  EXPECT_FALSE(user.totp_enabled);
  EXPECT_FALSE(user.totp_secret_enc.empty());
  EXPECT_EQ(user.totp_secret_enc.find(enrolment->secret), std::string::npos);
  auto secret = totp_secret_of(ctx_, user);
  ASSERT_TRUE(secret.has_value());
  EXPECT_EQ(crypto::base32_encode(*secret), enrolment->secret);

  const auto entries = audit("totp.enrol");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].target, ann_.id);
  EXPECT_EQ(entries[0].actor, ann_.id);
  EXPECT_EQ(entries[0].details.dump().find(enrolment->secret), std::string::npos);
}

TEST_F(TotpServiceTest, EnrollingAgainReplacesAnUnconfirmedSecretButNotAnActiveOne) {
  auto first = service_.enrol(ann(), client());
  auto second = service_.enrol(ann(), client());
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->secret, second->secret);
  expect_invalid(as_void(service_.confirm(ann(), code_now(first->secret), client())), "code");
  ASSERT_TRUE(service_.confirm(ann(), code_now(second->secret), client()).has_value());

  auto third = service_.enrol(ann(), client());
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().kind, ErrorKind::conflict);
  EXPECT_EQ(audit("totp.enrol").size(), 2U);
  auto secret = totp_secret_of(ctx_, stored());
  ASSERT_TRUE(secret.has_value());
  EXPECT_EQ(crypto::base32_encode(*secret), second->secret);
}

TEST_F(TotpServiceTest, ConfirmingWithACurrentCodeTurnsItOnWithTenRecoveryCodes) {
  auto enrolment = service_.enrol(ann(), client());
  ASSERT_TRUE(enrolment.has_value());
  auto codes = service_.confirm(ann(), code_now(enrolment->secret), client());
  ASSERT_TRUE(codes.has_value());
  EXPECT_EQ(codes->size(), 10U);
  EXPECT_EQ(unused_recovery_codes(), 10);
  const UserRecord user = stored();
  EXPECT_TRUE(user.totp_enabled);
  EXPECT_EQ(user.totp_last_step, totp::time_step(clock_.now()));

  const auto entries = audit("totp.confirm");
  ASSERT_EQ(entries.size(), 1U);
  for (const auto& code : *codes) {
    EXPECT_EQ(entries[0].details.dump().find(code), std::string::npos);
  }
}

TEST_F(TotpServiceTest, AWrongCodeOrNoEnrolmentConfirmsNothing) {
  auto none = service_.confirm(ann(), "123456", client());
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().kind, ErrorKind::conflict);

  auto enrolment = service_.enrol(ann(), client());
  ASSERT_TRUE(enrolment.has_value());
  expect_invalid(as_void(service_.confirm(ann(), wrong_code(enrolment->secret), client())), "code");
  expect_invalid(as_void(service_.confirm(ann(), "not a code", client())), "code");
  EXPECT_FALSE(stored().totp_enabled);
  EXPECT_EQ(unused_recovery_codes(), 0);
  EXPECT_TRUE(audit("totp.confirm").empty());
}

TEST_F(TotpServiceTest, ACodeAcceptedOnceIsRefusedWithinItsWindow) {
  auto enrolment = service_.enrol(ann(), client());
  ASSERT_TRUE(enrolment.has_value());
  const std::string code = code_now(enrolment->secret);
  ASSERT_TRUE(service_.confirm(ann(), code, client()).has_value());
  expect_invalid(as_void(service_.replace_recovery_codes(ann(), code, client())), "code");

  // Still inside the window (verify accepts one step either side), still refused.
  clock_.advance(std::chrono::seconds(20));
  expect_invalid(as_void(service_.replace_recovery_codes(ann(), code, client())), "code");

  clock_.advance(std::chrono::seconds(30));
  const std::string next = code_now(enrolment->secret);
  ASSERT_TRUE(service_.replace_recovery_codes(ann(), next, client()).has_value());
  expect_invalid(service_.disable(ann(), testing::kTestPassword, next, client()), "code");
  EXPECT_TRUE(stored().totp_enabled);
  EXPECT_EQ(audit("totp.recovery_codes").size(), 1U);
}

TEST_F(TotpServiceTest, DisablingNeedsThePasswordAndACode) {
  const auto [secret, codes] = turned_on();
  expect_invalid(service_.disable(ann(), "not the password", code_now(secret), client()),
                 "password");
  expect_invalid(service_.disable(ann(), testing::kTestPassword, wrong_code(secret), client()),
                 "code");
  expect_invalid(service_.disable(ann(), testing::kTestPassword, "AAAAA-AAAAA", client()), "code");
  EXPECT_TRUE(stored().totp_enabled);
  EXPECT_EQ(unused_recovery_codes(), 10);
  EXPECT_TRUE(audit("totp.disable").empty());

  ASSERT_TRUE(
      service_.disable(ann(), testing::kTestPassword, code_now(secret), client()).has_value());
  const UserRecord user = stored();
  EXPECT_FALSE(user.totp_enabled);
  EXPECT_TRUE(user.totp_secret_enc.empty());
  EXPECT_EQ(unused_recovery_codes(), 0);
  EXPECT_EQ(audit("totp.disable").size(), 1U);

  auto again = service_.disable(ann(), testing::kTestPassword, codes[0], client());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
}

TEST_F(TotpServiceTest, ARecoveryCodeWorksOnceAndAFailedAttemptDoesNotSpendIt) {
  const auto [secret, codes] = turned_on();
  // A wrong password rolls everything back: the recovery code stays unused.
  expect_invalid(service_.disable(ann(), "not the password", codes[0], client()), "password");
  EXPECT_EQ(unused_recovery_codes(), 10);

  SignInService sign_in(ctx_);
  const Credentials credentials{
      .email = ann_.email, .password = std::string(testing::kTestPassword), .totp = codes[0]};
  ASSERT_TRUE(sign_in.login(credentials, client()).has_value());
  EXPECT_EQ(unused_recovery_codes(), 9);
  auto replayed = sign_in.login(credentials, client());
  ASSERT_FALSE(replayed.has_value());
  EXPECT_EQ(replayed.error().code, "invalid_totp");
  expect_invalid(as_void(service_.replace_recovery_codes(ann(), codes[0], client())), "code");

  auto fresh = service_.replace_recovery_codes(ann(), codes[1], client());
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(unused_recovery_codes(), 10);
  // The old codes are gone with the replacement; the new ones work.
  expect_invalid(service_.disable(ann(), testing::kTestPassword, codes[2], client()), "code");
  EXPECT_TRUE(service_.disable(ann(), testing::kTestPassword, (*fresh)[0], client()).has_value());
}

TEST_F(TotpServiceTest, WrongCodesWhenReplacingRecoveryCodesLockOutLikeSignIn) {
  const auto [secret, codes] = turned_on();
  const ClientInfo stranger{
      .request_id = "req-1", .source_address = "203.0.113.9", .user_agent = "stolen session"};
  for (int i = 0; i < 5; ++i) {
    expect_invalid(as_void(service_.replace_recovery_codes(ann(), wrong_code(secret), stranger)),
                   "code");
  }
  // Locked now, even for a right code, and for sign-in from the same network.
  auto locked = service_.replace_recovery_codes(ann(), code_now(secret), stranger);
  ASSERT_FALSE(locked.has_value());
  EXPECT_EQ(locked.error().code, "account_locked");
  EXPECT_EQ(unused_recovery_codes(), 10);
  SignInService sign_in(ctx_);
  auto login = sign_in.login({.email = ann_.email,
                              .password = std::string(testing::kTestPassword),
                              .totp = code_now(secret)},
                             stranger);
  ASSERT_FALSE(login.has_value());
  EXPECT_EQ(login.error().code, "account_locked");

  const auto failures = audit("auth.login");
  ASSERT_EQ(failures.size(), 5U);
  EXPECT_EQ(failures[0].details.value("reason", ""), "totp_recovery_codes");
  EXPECT_EQ(failures[0].actor, ann_.id);
  EXPECT_EQ(failures[0].outcome, "failure");
  // The owner's own network is not affected.
  EXPECT_TRUE(service_.replace_recovery_codes(ann(), code_now(secret), client()).has_value());
}

TEST_F(TotpServiceTest, WrongPasswordsAndCodesWhenDisablingLockOutLikeSignIn) {
  const auto [secret, codes] = turned_on();
  expect_invalid(service_.disable(ann(), "not the password", code_now(secret), client()),
                 "password");
  for (int i = 0; i < 4; ++i) {
    expect_invalid(service_.disable(ann(), testing::kTestPassword, wrong_code(secret), client()),
                   "code");
  }
  auto locked = service_.disable(ann(), testing::kTestPassword, code_now(secret), client());
  ASSERT_FALSE(locked.has_value());
  EXPECT_EQ(locked.error().code, "account_locked");
  EXPECT_TRUE(stored().totp_enabled);
}

TEST_F(TotpServiceTest, ApiKeysCannotChangeTheSecondFactor) {
  Principal key = ann();
  key.credential = CredentialKind::api_key;
  key.credential_id = "key_test";
  key.key_team_id = ann_.personal_team_id;
  key.key_role = Role::owner;
  auto enrolment = service_.enrol(key, client());
  ASSERT_FALSE(enrolment.has_value());
  EXPECT_EQ(enrolment.error().code, "api_key_not_allowed");
  EXPECT_FALSE(service_.disable(key, testing::kTestPassword, "123456", client()).has_value());
  EXPECT_TRUE(stored().totp_secret_enc.empty());
  EXPECT_TRUE(audit("totp.enrol").empty());
}

}  // namespace
}  // namespace berth
