// PasswordResetService: reset links by mail and from an administrator, against the injected
// clock and a real store.
#include "domain/identity/password_reset_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "domain/identity/accounts.hpp"
#include "domain/identity/sign_in_service.hpp"
#include "support/identity_fixture.hpp"
#include "support/recording_mailer.hpp"

namespace berth {
namespace {

using std::chrono::minutes;

constexpr std::string_view kNewPassword = "a brand new passphrase";

// The token of a reset link, in a mail or a URL ("...reset-password?token=<token>").
std::string reset_token_in(std::string_view text) {
  constexpr std::string_view kMarker = "reset-password?token=";
  const auto at = text.find(kMarker);
  if (at == std::string_view::npos) {
    return {};
  }
  const auto start = at + kMarker.size();
  return std::string(text.substr(start, text.find_first_of(" \r\n", start) - start));
}

class PasswordResetTest : public testing::IdentityTest {
 protected:
  PasswordResetTest() {
    ctx_.services.public_url = "https://berth.example.com/";
    ctx_.services.mailer = &mailer_;
    auto hash = crypto::hash_password(testing::kTestPassword);
    EXPECT_TRUE(hash.has_value());
    ann_ = add_user({.email = "ann@example.com",
                     .password_hash = hash.value_or(""),
                     .display_name = "Ann",
                     .is_instance_admin = false});
    root_ = add_user({.email = "root@example.com",
                      .password_hash = "x",
                      .display_name = "Root",
                      .is_instance_admin = true});
  }

  // Asks for a mailed link for Ann and returns its token ("" when none came).
  std::string mailed_token() {
    const std::size_t before = mailer_.sent.size();
    EXPECT_TRUE(resets_.request_by_email("ann@example.com", client()).has_value());
    return mailer_.sent.size() > before ? reset_token_in(mailer_.sent.back().text) : std::string{};
  }

  std::string admin_token() {
    auto issued = resets_.issue_link(as(root_), ann_.id, client());
    EXPECT_TRUE(issued.has_value()) << (issued ? "" : issued.error().message);
    return issued ? reset_token_in(issued->url) : std::string{};
  }

  Result<void> confirm(const std::string& token) {
    return resets_.confirm(token, kNewPassword, client());
  }

  Credentials ann_with(std::string_view password) const {
    return Credentials{.email = ann_.email, .password = std::string(password), .totp = {}};
  }

  testing::RecordingMailer mailer_;
  PasswordResetService resets_{ctx_};
  SignInService sign_in_{ctx_};
  UserRecord ann_;
  UserRecord root_;
};

TEST_F(PasswordResetTest, WithoutMailTheRequestSaysToAskAnAdministrator) {
  ctx_.services.mailer = nullptr;
  auto refused = resets_.request_by_email("ann@example.com", client());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::unprocessable);
  EXPECT_EQ(refused.error().code, "mail_not_configured");
  EXPECT_NE(refused.error().message.find("administrator"), std::string::npos);
}

TEST_F(PasswordResetTest, KnownAndUnknownAddressesGetTheSameAnswerAndOnlyAnAccountGetsMail) {
  auto unknown = resets_.request_by_email("nobody@example.com", client());
  ASSERT_TRUE(unknown.has_value());
  EXPECT_TRUE(mailer_.sent.empty());
  auto known = resets_.request_by_email(" Ann@Example.com", client());
  ASSERT_TRUE(known.has_value());
  ASSERT_EQ(mailer_.sent.size(), 1U);
  const Email& mail = mailer_.sent[0];
  EXPECT_EQ(mail.to, "ann@example.com");
  EXPECT_NE(mail.text.find("https://berth.example.com/reset-password?token=bpr_"),
            std::string::npos);
  const std::string token = reset_token_in(mail.text);
  EXPECT_GE(token.size(), 40U);
  ASSERT_EQ(audit("user.password_reset_requested").size(), 1U);
  EXPECT_EQ(audit("user.password_reset_requested")[0].target, ann_.id);
  EXPECT_EQ(audit("user.password_reset_requested")[0].details.dump().find(token),
            std::string::npos);
  // Only its keyed hash is stored.
  auto stored = read_value<std::optional<PasswordResetRecord>>(
      *store_, [&](Tx& tx) { return tx.find_password_reset_by_hash(token_hash(ctx_, token)); });
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_NE((*stored)->token_hash, token);
  EXPECT_EQ((*stored)->expires_at - (*stored)->created_at, minutes(30));
}

TEST_F(PasswordResetTest, TheMailWorkRunsInTheRunnerAfterTheAnswer) {
  std::vector<std::function<void()>> queued;
  resets_.set_runner([&](std::function<void()> job) { queued.push_back(std::move(job)); });
  ASSERT_TRUE(resets_.request_by_email("ann@example.com", client()).has_value());
  ASSERT_TRUE(resets_.request_by_email("nobody@example.com", client()).has_value());
  EXPECT_TRUE(mailer_.sent.empty());  // answered, nothing looked up or sent yet
  ASSERT_EQ(queued.size(), 2U);       // the same work queued for both
  for (auto& job : queued) {
    job();
  }
  EXPECT_EQ(mailer_.sent.size(), 1U);
}

TEST_F(PasswordResetTest, DeactivatedAccountsGetNoMailAndTheirTokensStopWorking) {
  const std::string token = mailed_token();
  ASSERT_FALSE(token.empty());
  UserRecord off = ann_;
  off.is_active = false;
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_user(off); }));
  EXPECT_EQ(mailed_token(), "");
  ASSERT_FALSE(confirm(token).has_value());
  auto link = resets_.issue_link(as(root_), ann_.id, client());
  ASSERT_FALSE(link.has_value());
  EXPECT_EQ(link.error().code, "account_disabled");
}

TEST_F(PasswordResetTest, AnAddressIsLimitedQuietly) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(mailed_token().empty()) << i;
  }
  EXPECT_EQ(mailed_token(), "");  // the same answer, no fourth mail
  clock_.advance(minutes(20));    // one more per 20 minutes
  EXPECT_FALSE(mailed_token().empty());
}

TEST_F(PasswordResetTest, ConfirmingSetsThePasswordAndEndsEverySessionAndRefreshToken) {
  auto session = sign_in_.login(ann_with(testing::kTestPassword), client());
  ASSERT_TRUE(session.has_value());
  auto tokens = sign_in_.issue_tokens(ann_with(testing::kTestPassword), client());
  ASSERT_TRUE(tokens.has_value());
  const std::string token = mailed_token();

  ASSERT_TRUE(confirm(token).has_value());

  auto live = read_value<std::vector<SessionRecord>>(*store_, [&](Tx& tx) {
    return tx.list_user_sessions(ann_.id, SessionKind::browser, clock_.now());
  });
  ASSERT_TRUE(live.has_value());
  EXPECT_TRUE(live->empty());
  auto live_tokens = read_value<std::vector<SessionRecord>>(*store_, [&](Tx& tx) {
    return tx.list_user_sessions(ann_.id, SessionKind::access_token, clock_.now());
  });
  ASSERT_TRUE(live_tokens.has_value());
  EXPECT_TRUE(live_tokens->empty());
  auto refreshed = sign_in_.refresh(tokens->refresh_token, client());
  ASSERT_FALSE(refreshed.has_value());
  EXPECT_EQ(refreshed.error().code, "invalid_refresh_token");

  EXPECT_FALSE(sign_in_.login(ann_with(testing::kTestPassword), client()).has_value());
  EXPECT_TRUE(sign_in_.login(ann_with(kNewPassword), client()).has_value());
  const auto entries = audit("user.password_reset");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].actor, ann_.id);
  EXPECT_EQ(entries[0].target, ann_.id);
  EXPECT_EQ(entries[0].details["via"], "email");
}

TEST_F(PasswordResetTest, ConfirmingLiftsTheAccountsLockouts) {
  for (int i = 0; i < ctx_.policy.lockout.failures; ++i) {
    ctx_.lockouts.record_failure(ann_.id, client().source_address, clock_.now(),
                                 ctx_.policy.lockout);
  }
  ASSERT_FALSE(check_not_locked(ctx_, ann_.id, client().source_address).has_value());
  ASSERT_TRUE(confirm(mailed_token()).has_value());
  EXPECT_TRUE(check_not_locked(ctx_, ann_.id, client().source_address).has_value());
}

TEST_F(PasswordResetTest, ATokenWorksOnce) {
  const std::string token = mailed_token();
  ASSERT_TRUE(confirm(token).has_value());
  auto again = confirm(token);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, "invalid_token");
}

TEST_F(PasswordResetTest, MailedTokensExpireAfterThirtyMinutesAndAdminLinksAfterADay) {
  const std::string mailed = mailed_token();
  clock_.advance(minutes(30));
  EXPECT_FALSE(confirm(mailed).has_value());

  auto issued = resets_.issue_link(as(root_), ann_.id, client());
  ASSERT_TRUE(issued.has_value());
  EXPECT_EQ(issued->expires_at, clock_.now() + std::chrono::hours(24));
  const std::string linked = reset_token_in(issued->url);
  clock_.advance(std::chrono::hours(24));
  EXPECT_FALSE(confirm(linked).has_value());
  clock_.advance(-std::chrono::milliseconds(1));
  EXPECT_TRUE(confirm(linked).has_value());
}

TEST_F(PasswordResetTest, ANewTokenSupersedesTheOlderOnes) {
  const std::string mailed = mailed_token();
  const std::string first = admin_token();
  const std::string second = admin_token();
  EXPECT_FALSE(confirm(mailed).has_value());
  EXPECT_FALSE(confirm(first).has_value());
  EXPECT_TRUE(confirm(second).has_value());
}

TEST_F(PasswordResetTest, ChangingThePasswordVoidsOpenLinks) {
  const std::string token = admin_token();
  ASSERT_TRUE(
      sign_in_
          .change_password(as(ann_), testing::kTestPassword, "another fine passphrase", client())
          .has_value());
  EXPECT_FALSE(confirm(token).has_value());
}

TEST_F(PasswordResetTest, EveryBadTokenGetsTheSameAnswer) {
  const std::string used = mailed_token();
  ASSERT_TRUE(confirm(used).has_value());
  const std::string expired = admin_token();
  clock_.advance(std::chrono::hours(25));
  const std::string superseded = admin_token();
  (void)admin_token();
  std::vector<Error> errors;
  for (const std::string& token :
       {std::string("bpr_nonsense"), std::string(), used, expired, superseded}) {
    auto refused = confirm(token);
    ASSERT_FALSE(refused.has_value()) << token;
    errors.push_back(refused.error());
  }
  for (const Error& error : errors) {
    EXPECT_EQ(error.kind, ErrorKind::invalid);
    EXPECT_EQ(error.code, "invalid_token");
    EXPECT_EQ(error.message, errors[0].message);
  }
}

TEST_F(PasswordResetTest, AWeakPasswordIsRefusedAndKeepsTheToken) {
  const std::string token = mailed_token();
  auto weak = resets_.confirm(token, "short", client());
  ASSERT_FALSE(weak.has_value());
  EXPECT_EQ(weak.error().code, "validation_failed");
  EXPECT_TRUE(confirm(token).has_value());
}

TEST_F(PasswordResetTest, OnlyInstanceAdministratorsIssueLinks) {
  auto by_user = resets_.issue_link(as(ann_), ann_.id, client());
  ASSERT_FALSE(by_user.has_value());
  EXPECT_EQ(by_user.error().kind, ErrorKind::forbidden);
  auto by_key =
      resets_.issue_link(key_of(root_, root_.personal_team_id, Role::owner), ann_.id, client());
  ASSERT_FALSE(by_key.has_value());
  EXPECT_EQ(by_key.error().kind, ErrorKind::forbidden);
  auto unknown = resets_.issue_link(as(root_), "usr_unknown", client());
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  EXPECT_TRUE(audit("user.password_reset_link_issued").empty());

  auto issued = resets_.issue_link(as(root_), ann_.id, client());
  ASSERT_TRUE(issued.has_value());
  EXPECT_TRUE(issued->url.starts_with("https://berth.example.com/reset-password?token=bpr_"));
  const auto entries = audit("user.password_reset_link_issued");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].actor, root_.id);
  EXPECT_EQ(entries[0].target, ann_.id);
  EXPECT_EQ(entries[0].details.dump().find(reset_token_in(issued->url)), std::string::npos);
  ASSERT_TRUE(confirm(reset_token_in(issued->url)).has_value());
  EXPECT_EQ(audit("user.password_reset")[0].details["via"], "admin_link");
}

}  // namespace
}  // namespace berth
