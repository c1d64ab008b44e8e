// With SMTP configured, an invitation travels by mail: the inviter never sees the link, the
// invitee finds it in the mailbox (a real aiosmtpd sink on loopback) and joins with it.

#include "integration/berthd_test_base.hpp"
#include "integration/identity_client.hpp"
#include "notify/smtp_sink.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

TEST_F(BerthdTest, InvitationsAreMailedWhenSmtpIsConfigured) {
  std::string why;
  std::filesystem::create_directories(dir_.path() / "sink");
  auto sink = SmtpSink::start(dir_.path() / "sink", why);
  if (!sink) {
    GTEST_SKIP() << "no SMTP sink here: " << why;
  }
  start({.args = {"--smtp-url", "smtp://127.0.0.1:" + std::to_string(sink->port()), "--smtp-from",
                  "berth@example.com", "--smtp-allow-plaintext", "--public-url",
                  "https://berth.example.com", "--sign-in-rate-limit", "0"}});
  IdentityClient admin(port());
  std::string token = read_file(berthd_->data_dir() / "setup-token");
  token.erase(token.find_last_not_of("\r\n") + 1);
  admin.setup(token, "ada@example.com", "correct horse battery");
  const std::string team = admin.post("/api/v1/teams", {{"name", "ops"}}).json()["id"];

  const HttpResponse invited = admin.post("/api/v1/teams/" + team + "/invitations",
                                          {{"email", "bob@example.com"}, {"role", "member"}});
  ASSERT_EQ(invited.status, 201) << invited.body;
  EXPECT_EQ(invited.json()["delivered"], "email");
  EXPECT_TRUE(invited.json()["token"].is_null());
  EXPECT_TRUE(invited.json()["invite_url"].is_null());

  const auto messages = sink->messages();
  ASSERT_EQ(messages.size(), 1U) << sink->log();
  const std::string& mail = messages[0];
  EXPECT_NE(mail.find("To: bob@example.com"), std::string::npos) << mail;
  const std::string link_start = "https://berth.example.com/invite#";
  const auto at = mail.find(link_start);
  ASSERT_NE(at, std::string::npos) << mail;
  const auto begin = at + link_start.size();
  const auto end = mail.find_first_of(" \r\n", begin);
  const std::string mailed_token = mail.substr(begin, end - begin);

  IdentityClient bob(port());
  const HttpResponse joined = bob.post(
      "/api/v1/invitations/register",
      {{"token", mailed_token}, {"password", "another long passphrase"}, {"display_name", "Bob"}},
      false);
  EXPECT_EQ(joined.status, 201) << joined.body;
  EXPECT_EQ(joined.json()["team"]["id"], team);
}

}  // namespace
}  // namespace berth::testing
