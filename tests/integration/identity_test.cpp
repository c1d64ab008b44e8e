// Identity and access as a new user meets it: setup with the token berthd printed, sign-in
// with the cookie and CSRF token, programs' tokens, lockout — against the real binary.

#include <sys/stat.h>

#include "integration/berthd_test_base.hpp"
#include "integration/identity_client.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class IdentityTest : public BerthdTest {
 protected:
  void SetUp() override {
    start({.args = {"--sign-in-rate-limit", "0", "--rate-limit", "0"}});
    client_ = std::make_unique<IdentityClient>(port());
  }
  std::unique_ptr<IdentityClient> client_;
};

TEST_F(IdentityTest, FreshInstanceNeedsSetupAndPrintsTheToken) {
  const HttpResponse state = http_request(port(), "GET", "/api/v1/auth/state");
  EXPECT_EQ(state.status, 200);
  EXPECT_EQ(state.json()["needs_setup"], true);
  EXPECT_EQ(state.json()["authenticated"], false);
  const std::string token = setup_token();
  EXPECT_GE(token.size(), 40U);
  struct stat info {};
  ASSERT_EQ(::stat((berthd_->data_dir() / "setup-token").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  EXPECT_NE(berthd_->output().find(token), std::string::npos)
      << "the token is printed with the URL";
  EXPECT_EQ(berthd_->log().find(token), std::string::npos) << "the token must not be logged";
  for (const char* key_file : {"session.key", "master.key"}) {
    ASSERT_EQ(::stat((berthd_->data_dir() / key_file).c_str(), &info), 0) << key_file;
    EXPECT_EQ(info.st_mode & 0777, 0600U) << key_file;
  }
}

TEST_F(IdentityTest, SetupNeedsTheTokenAndWorksOnce) {
  const json account = {{"email", "Admin@Example.com"},
                        {"password", "correct horse battery"},
                        {"display_name", "Ada"}};
  json without = account;
  without["setup_token"] = "guessed-token";
  const HttpResponse refused = client_->post("/api/v1/auth/setup", without);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json()["error"]["code"], "invalid_setup_token");

  json with = account;
  with["setup_token"] = setup_token();
  const HttpResponse created = client_->post("/api/v1/auth/setup", with);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["user"]["email"], "admin@example.com");
  EXPECT_EQ(created.json()["user"]["is_instance_admin"], true);
  EXPECT_NE(created.header("set-cookie").find("HttpOnly"), std::string::npos);
  EXPECT_NE(created.header("set-cookie").find("SameSite=Strict"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(berthd_->data_dir() / "setup-token"));

  const HttpResponse again = client_->post("/api/v1/auth/setup", with);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(http_request(port(), "GET", "/api/v1/auth/state").json()["needs_setup"], false);
}

TEST_F(IdentityTest, CookieSessionNeedsCsrfForMutations) {
  client_->setup(setup_token(), "ada@example.com", "correct horse battery");
  IdentityClient browser(port());
  const HttpResponse login = browser.login("ada@example.com", "correct horse battery");
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["memberships"].size(), 1U);

  const HttpResponse me = browser.get("/api/v1/me");
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.json()["user"]["email"], "ada@example.com");

  const HttpResponse no_csrf = browser.post("/api/v1/teams", {{"name", "ops"}}, /*csrf=*/false);
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(no_csrf.json()["error"]["code"], "csrf_failed");

  const HttpResponse foreign =
      browser.post("/api/v1/teams", {{"name", "ops"}}, true, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(foreign.json()["error"]["code"], "csrf_failed");

  const HttpResponse created = browser.post("/api/v1/teams", {{"name", "ops"}});
  EXPECT_EQ(created.status, 201) << created.body;

  EXPECT_EQ(browser.post("/api/v1/auth/logout", json::object()).status, 204);
  EXPECT_EQ(browser.get("/api/v1/me").status, 401);
}

TEST_F(IdentityTest, AnonymousIsRefusedWithTheEnvelope) {
  const HttpResponse response = http_request(port(), "GET", "/api/v1/me");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.json()["error"]["code"], "unauthenticated");
  EXPECT_EQ(
      http_request(port(), "GET", "/api/v1/me", "", {{"Authorization", "Bearer bk_forged"}}).status,
      401);
  EXPECT_EQ(http_request(port(), "GET", "/api/v1/me", "", {{"Authorization", "Basic YTpi"}}).status,
            401);
}

TEST_F(IdentityTest, SixthWrongPasswordIsLockedOutAndSoIsTheRightOne) {
  client_->setup(setup_token(), "ada@example.com", "correct horse battery");
  for (int i = 0; i < 5; ++i) {
    const HttpResponse wrong = client_->login("ada@example.com", "wrong password here");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.json()["error"]["code"], "invalid_credentials");
  }
  const HttpResponse sixth = client_->login("ada@example.com", "wrong password here");
  EXPECT_EQ(sixth.status, 429);
  EXPECT_EQ(sixth.json()["error"]["code"], "account_locked");
  EXPECT_FALSE(sixth.header("retry-after").empty());
  const HttpResponse right = client_->login("ada@example.com", "correct horse battery");
  EXPECT_EQ(right.status, 429);

  // An email without an account locks the same way: no way to tell them apart.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client_->login("nobody@example.com", "wrong password here").status, 401);
  }
  const HttpResponse unknown = client_->login("nobody@example.com", "wrong password here");
  EXPECT_EQ(unknown.status, 429);
  EXPECT_EQ(unknown.json()["error"]["code"], "account_locked");
}

TEST_F(IdentityTest, RefreshRotatesAndAReusedTokenRevokesTheChain) {
  client_->setup(setup_token(), "ada@example.com", "correct horse battery");
  const HttpResponse issued = client_->post(
      "/api/v1/auth/token", {{"email", "ada@example.com"}, {"password", "correct horse battery"}});
  ASSERT_EQ(issued.status, 200) << issued.body;
  const std::string first_refresh = issued.json()["refresh_token"];
  const std::string first_access = issued.json()["access_token"];
  EXPECT_EQ(client_->get_with_bearer("/api/v1/me", first_access).status, 200);

  const HttpResponse rotated =
      client_->post("/api/v1/auth/refresh", {{"refresh_token", first_refresh}});
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string second_refresh = rotated.json()["refresh_token"];
  const std::string second_access = rotated.json()["access_token"];
  EXPECT_NE(second_refresh, first_refresh);
  EXPECT_EQ(client_->get_with_bearer("/api/v1/me", second_access).status, 200);

  const HttpResponse reused =
      client_->post("/api/v1/auth/refresh", {{"refresh_token", first_refresh}});
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(reused.json()["error"]["code"], "refresh_token_reused");
  // Everything the chain led to is gone: the successor and its access token.
  EXPECT_EQ(client_->post("/api/v1/auth/refresh", {{"refresh_token", second_refresh}}).status, 401);
  EXPECT_EQ(client_->get_with_bearer("/api/v1/me", second_access).status, 401);
}

TEST_F(IdentityTest, PasswordChangeSignsOutOtherSessions) {
  client_->setup(setup_token(), "ada@example.com", "correct horse battery");
  IdentityClient laptop(port());
  ASSERT_EQ(laptop.login("ada@example.com", "correct horse battery").status, 200);
  IdentityClient phone(port());
  ASSERT_EQ(phone.login("ada@example.com", "correct horse battery").status, 200);
  EXPECT_EQ(laptop.get("/api/v1/me/sessions").json()["data"].size(), 3U);

  const HttpResponse short_one =
      laptop.post("/api/v1/me/password", {{"current", "correct horse battery"}, {"next", "short"}});
  EXPECT_EQ(short_one.status, 400);
  EXPECT_EQ(short_one.json()["error"]["details"]["field"], "next");
  const HttpResponse changed =
      laptop.post("/api/v1/me/password",
                  {{"current", "correct horse battery"}, {"next", "a much longer passphrase"}});
  EXPECT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(phone.get("/api/v1/me").status, 401);
  EXPECT_EQ(laptop.get("/api/v1/me").status, 200);
  EXPECT_EQ(laptop.get("/api/v1/me/sessions").json()["data"].size(), 1U);
  EXPECT_EQ(IdentityClient(port()).login("ada@example.com", "correct horse battery").status, 401);
}

TEST_F(IdentityTest, SignInIsRateLimitedPerAddress) {
  berthd_->stop();
  start({.args = {"--sign-in-rate-limit", "1", "--sign-in-burst", "3"}});
  IdentityClient client(port());
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    const HttpResponse response = client.login("x@example.com", "wrong password here");
    if (response.status == 429 && response.json()["error"]["code"] == "rate_limited") {
      ++limited;
      EXPECT_FALSE(response.header("retry-after").empty());
    }
  }
  EXPECT_GE(limited, 2);
}

}  // namespace
}  // namespace berth::testing
