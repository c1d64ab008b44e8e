// A forgotten password, end to end against the real berthd: a link by mail through a real
// SMTP sink (python3-aiosmtpd on loopback), a link from an instance administrator, and the
// answer of an instance that cannot send mail.

#include <chrono>
#include <thread>

#include "integration/berthd_test_base.hpp"
#include "integration/identity_client.hpp"
#include "notify/smtp_sink.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

constexpr const char* kResetLink = "https://berth.example.com/reset-password?token=";
constexpr const char* kNewPassword = "a brand new passphrase";

// The token of the first reset link in `text`; "" when there is none.
std::string reset_token_in(const std::string& text, const std::string& link = kResetLink) {
  const auto at = text.find(link);
  if (at == std::string::npos) {
    return {};
  }
  const auto begin = at + link.size();
  return text.substr(begin, text.find_first_of(" \r\n", begin) - begin);
}

class PasswordResetFlowTest : public BerthdTest {
 protected:
  // berthd with mail through the sink (or none when `with_mail` is false) and an administrator.
  void start_with(bool with_mail) {
    std::vector<std::string> args = {"--public-url", "https://berth.example.com",
                                     "--sign-in-rate-limit", "0"};
    if (with_mail) {
      std::string why;
      std::filesystem::create_directories(dir_.path() / "sink");
      sink_ = SmtpSink::start(dir_.path() / "sink", why);
      if (!sink_) {
        GTEST_SKIP() << "no SMTP sink here: " << why;
      }
      args.insert(args.end(), {"--smtp-url", "smtp://127.0.0.1:" + std::to_string(sink_->port()),
                               "--smtp-from", "berth@example.com", "--smtp-allow-plaintext"});
    }
    start({.args = args});
    admin_ = std::make_unique<IdentityClient>(port());
    std::string token = read_file(berthd_->data_dir() / "setup-token");
    token.erase(token.find_last_not_of("\r\n") + 1);
    admin_->setup(token, "ada@example.com", kPassword);
  }

  // The sink's messages once there are `count` of them (or what there is after 20 s).
  std::vector<std::string> mail(std::size_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto messages = sink_->messages();
    while (messages.size() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      messages = sink_->messages();
    }
    return messages;
  }

  // Bob, invited by mail and registered from the mailed link; signed in. Returns his id.
  std::string register_bob(IdentityClient& bob) {
    const std::string team = admin_->post("/api/v1/teams", {{"name", "ops"}}).json()["id"];
    const HttpResponse invited = admin_->post("/api/v1/teams/" + team + "/invitations",
                                              {{"email", "bob@example.com"}, {"role", "member"}});
    EXPECT_EQ(invited.status, 201) << invited.body;
    const auto messages = mail(1);
    EXPECT_EQ(messages.size(), 1U);
    const std::string token =
        reset_token_in(messages.empty() ? "" : messages[0], "https://berth.example.com/invite#");
    // Registering binds the invited address and nothing else: an address of one's own choosing
    // is refused as an unknown field.
    const HttpResponse other = bob.post("/api/v1/invitations/register",
                                        {{"token", token},
                                         {"password", kPassword},
                                         {"display_name", "Bob"},
                                         {"email", "eve@example.com"}},
                                        false);
    EXPECT_EQ(other.status, 400) << other.body;
    const HttpResponse joined =
        bob.post("/api/v1/invitations/register",
                 {{"token", token}, {"password", kPassword}, {"display_name", "Bob"}}, false);
    EXPECT_EQ(joined.status, 201) << joined.body;
    EXPECT_EQ(joined.json()["user"]["email"], "bob@example.com");
    EXPECT_EQ(bob.login("bob@example.com", kPassword).status, 200);
    return joined.json()["user"]["id"];
  }

  HttpResponse confirm(const std::string& token, const std::string& password = kNewPassword) {
    return IdentityClient(port()).post("/api/v1/auth/password-reset/confirm",
                                       {{"token", token}, {"password", password}}, false);
  }

  std::unique_ptr<SmtpSink> sink_;
  std::unique_ptr<IdentityClient> admin_;
};

TEST_F(PasswordResetFlowTest, AForgottenPasswordIsResetThroughTheMailedLink) {
  start_with(true);
  if (IsSkipped()) {
    return;
  }
  IdentityClient bob(port());
  register_bob(bob);

  IdentityClient stranger(port());
  const HttpResponse unknown =
      stranger.post("/api/v1/auth/password-reset", {{"email", "nobody@example.com"}}, false);
  const HttpResponse known =
      stranger.post("/api/v1/auth/password-reset", {{"email", "Bob@Example.com"}}, false);
  ASSERT_EQ(unknown.status, 202) << unknown.body;
  ASSERT_EQ(known.status, 202) << known.body;
  EXPECT_EQ(unknown.body, known.body);

  // One outbox runs the requests in order: once Bob's mail is in, the unknown address's turn
  // has passed without a message.
  const auto messages = mail(2);
  ASSERT_EQ(messages.size(), 2U) << sink_->log();
  // The sink orders by the second of delivery only: look for the reset mail, not at a place.
  std::string token;
  for (const std::string& message : messages) {
    EXPECT_NE(message.find("To: bob@example.com"), std::string::npos) << message;
    if (token.empty()) {
      token = reset_token_in(message);
    }
  }
  ASSERT_FALSE(token.empty()) << messages[0] << messages[1];

  const HttpResponse weak = confirm(token, "short");
  EXPECT_EQ(weak.status, 400) << weak.body;
  const HttpResponse reset = confirm(token);
  ASSERT_EQ(reset.status, 204) << reset.body;

  EXPECT_EQ(bob.get("/api/v1/me").status, 401);  // the old session is dead
  IdentityClient again(port());
  EXPECT_EQ(again.login("bob@example.com", kPassword).status, 401);
  EXPECT_EQ(again.login("bob@example.com", kNewPassword).status, 200);
  const HttpResponse reused = confirm(token, "yet another passphrase");
  EXPECT_EQ(reused.status, 400) << reused.body;
  EXPECT_EQ(reused.json()["error"]["code"], "invalid_token");
}

TEST_F(PasswordResetFlowTest, AnAdministratorHandsOverALinkAndOthersMayNot) {
  start_with(true);
  if (IsSkipped()) {
    return;
  }
  IdentityClient bob(port());
  const std::string bob_id = register_bob(bob);

  const HttpResponse refused =
      bob.post("/api/v1/admin/users/" + bob_id + "/password-reset", json::object());
  EXPECT_EQ(refused.status, 403) << refused.body;
  const HttpResponse anonymous = IdentityClient(port()).post(
      "/api/v1/admin/users/" + bob_id + "/password-reset", json::object(), false);
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;

  const HttpResponse issued =
      admin_->post("/api/v1/admin/users/" + bob_id + "/password-reset", json::object());
  ASSERT_EQ(issued.status, 201) << issued.body;
  EXPECT_FALSE(issued.json()["expires_at"].get<std::string>().empty());
  const std::string token = reset_token_in(issued.json()["url"].get<std::string>());
  ASSERT_FALSE(token.empty()) << issued.body;
  EXPECT_EQ(sink_->messages().size(), 1U);  // only the invitation: the link is not mailed

  ASSERT_EQ(confirm(token).status, 204);
  EXPECT_EQ(bob.get("/api/v1/me").status, 401);
  EXPECT_EQ(IdentityClient(port()).login("bob@example.com", kNewPassword).status, 200);

  const HttpResponse log = admin_->get("/api/v1/admin/audit-log?action=user.password_reset");
  ASSERT_EQ(log.status, 200) << log.body;
  ASSERT_EQ(log.json()["data"].size(), 1U) << log.body;
  EXPECT_EQ(log.json()["data"][0]["details"]["via"], "admin_link");
}

TEST_F(PasswordResetFlowTest, WithoutMailTheRequestNamesTheWayOut) {
  start_with(false);
  const HttpResponse refused = IdentityClient(port()).post("/api/v1/auth/password-reset",
                                                           {{"email", "ada@example.com"}}, false);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.json()["error"]["code"], "mail_not_configured");
}

}  // namespace
}  // namespace berth::testing
