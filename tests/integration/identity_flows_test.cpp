// The identity journeys a new user makes, end to end against the real binary: an API key used
// like curl would, TOTP enrolment and sign-in, a colleague invited by link, and the refusals
// each of them must meet (viewer mutations, other teams, replays, deactivation).

#include <chrono>
#include <fstream>
#include <set>

#include "core/crypto.hpp"
#include "core/time_format.hpp"
#include "core/totp.hpp"
#include "integration/berthd_test_base.hpp"
#include "integration/identity_client.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class IdentityFlowsTest : public BerthdTest {
 protected:
  void SetUp() override {
    start({.args = {"--sign-in-rate-limit", "0", "--rate-limit", "0"}});
    admin_ = std::make_unique<IdentityClient>(port());
    std::string token = read_file(berthd_->data_dir() / "setup-token");
    token.erase(token.find_last_not_of("\r\n") + 1);
    admin_->setup(token, "ada@example.com", kPassword);
    const HttpResponse team = admin_->post("/api/v1/teams", {{"name", "ops"}});
    ASSERT_EQ(team.status, 201) << team.body;
    team_id_ = team.json()["id"];
  }

  /// Invites `email` to the ops team with `role`, registers the account from the link and
  /// signs it in.
  std::unique_ptr<IdentityClient> colleague(const std::string& email, const std::string& role) {
    const HttpResponse invited = admin_->post("/api/v1/teams/" + team_id_ + "/invitations",
                                              {{"email", email}, {"role", role}});
    EXPECT_EQ(invited.status, 201) << invited.body;
    EXPECT_EQ(invited.json()["delivered"], "link");
    auto client = std::make_unique<IdentityClient>(port());
    const HttpResponse registered = client->post(
        "/api/v1/invitations/register",
        {{"token", invited.json()["token"]}, {"password", kPassword}, {"display_name", email}},
        false);
    EXPECT_EQ(registered.status, 201) << registered.body;
    EXPECT_EQ(client->login(email, kPassword).status, 200);
    return client;
  }

  std::string create_key(const std::string& role) {
    const HttpResponse created =
        admin_->post("/api/v1/api-keys", {{"name", "ci " + role}, {"role", role}}, true,
                     {{"X-Team-ID", team_id_}});
    EXPECT_EQ(created.status, 201) << created.body;
    return created.json()["raw_key"];
  }

  std::unique_ptr<IdentityClient> admin_;
  std::string team_id_;
};

// The last administrator lost the password: root on the host sets a new one with
// `berthd reset-password`, every session of the account ends, and the audit log says so.
// (A running berthd notices the revoked sessions within its 30 s credential cache; here it is
// restarted, as an operator locked out would.)
TEST_F(IdentityFlowsTest, ResetPasswordOnTheHostLetsTheAdministratorBackInAndEndsItsSessions) {
  const auto run_reset = [&](const std::string& email, const std::string& password) {
    const auto input = dir_.path() / "new-password";
    std::ofstream(input) << password << "\n";
    const pid_t pid =
        spawn_process(berthd_binary(), {"reset-password", "--data-dir", berthd_->data_dir(), email},
                      {}, dir_.path() / "reset.out", input);
    return wait_for_exit(pid, std::chrono::seconds(60)).value_or(-2);
  };
  const std::string fresh = "a brand new passphrase";
  EXPECT_EQ(run_reset("nobody@example.com", fresh), 1);
  EXPECT_NE(read_file(dir_.path() / "reset.out").find("no account"), std::string::npos);
  ASSERT_EQ(admin_->get("/api/v1/me").status, 200);

  const std::string listen = "127.0.0.1:" + std::to_string(port());
  ASSERT_EQ(berthd_->stop(), 0);
  ASSERT_EQ(run_reset("Ada@Example.com", fresh), 0) << read_file(dir_.path() / "reset.out");
  start({.args = {"--sign-in-rate-limit", "0", "--rate-limit", "0"}, .listen = listen});
  EXPECT_EQ(admin_->get("/api/v1/me").status, 401);  // its session was revoked
  IdentityClient again(port());
  EXPECT_EQ(again.login("ada@example.com", kPassword).status, 401);
  ASSERT_EQ(again.login("ada@example.com", fresh).status, 200);
  const HttpResponse audit = again.get("/api/v1/admin/audit-log?action=user.password_reset");
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_EQ(audit.json()["data"].size(), 1U);
  EXPECT_EQ(audit.json()["data"][0]["source_address"], "host");
}

TEST_F(IdentityFlowsTest, ApiKeyWorksFromCurlUntilRevoked) {
  const std::string key = create_key("viewer");
  EXPECT_TRUE(key.starts_with("bk_"));
  const json listed = admin_->get("/api/v1/api-keys", {{"X-Team-ID", team_id_}}).json();
  ASSERT_EQ(listed["data"].size(), 1U);
  EXPECT_EQ(listed["data"][0]["preview"], key.substr(key.size() - 8));
  EXPECT_EQ(listed.dump().find(key), std::string::npos) << "the raw key is shown once only";

  const HttpResponse me = admin_->get_with_bearer("/api/v1/me", key);
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.json()["user"]["email"], "ada@example.com");
  // The key acts in its own team, as a viewer: reading members is fine, managing keys is not.
  EXPECT_EQ(admin_->get_with_bearer("/api/v1/teams/" + team_id_ + "/members", key).status, 200);
  const HttpResponse refused = admin_->get_with_bearer("/api/v1/api-keys", key);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json()["error"]["details"]["required_role"], "admin");

  const std::string id = listed["data"][0]["id"];
  EXPECT_EQ(admin_->del("/api/v1/api-keys/" + id, {{"X-Team-ID", team_id_}}).status, 204);
  EXPECT_EQ(admin_->get_with_bearer("/api/v1/me", key).status, 401);
}

TEST_F(IdentityFlowsTest, AKeyCannotOutrankItsCreator) {
  auto member = colleague("mia@example.com", "member");
  const HttpResponse refused =
      member->post("/api/v1/api-keys", {{"name", "too strong"}, {"role", "admin"}}, true,
                   {{"X-Team-ID", team_id_}});
  EXPECT_EQ(refused.status, 403) << refused.body;
}

TEST_F(IdentityFlowsTest, AKeySeesOnlyItsOwnTeamAndCannotMintALongerLivedKey) {
  const std::string expires_at = format_rfc3339(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
      std::chrono::hours(1));
  const HttpResponse created = admin_->post(
      "/api/v1/api-keys", {{"name", "deploy bot"}, {"role", "admin"}, {"expires_at", expires_at}},
      true, {{"X-Team-ID", team_id_}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key = created.json()["raw_key"];
  const std::string key_id = created.json()["api_key"]["id"];

  // Ada belongs to her personal team and to ops; the key knows only ops.
  EXPECT_EQ(admin_->get("/api/v1/me").json()["memberships"].size(), 2U);
  EXPECT_EQ(admin_->get("/api/v1/me").json()["api_key"], nullptr);
  const json me = admin_->get_with_bearer("/api/v1/me", key).json();
  ASSERT_EQ(me["memberships"].size(), 1U) << me.dump();
  EXPECT_EQ(me["memberships"][0]["team"]["id"], team_id_);
  EXPECT_EQ(me["memberships"][0]["role"], "admin");  // Ada owns ops; the key is an admin
  EXPECT_EQ(
      me["api_key"],
      json({{"id", key_id}, {"team_id", team_id_}, {"role", "admin"}, {"expires_at", expires_at}}));

  const auto create_with_key = [&](const json& body) {
    return http_request(port(), "POST", "/api/v1/api-keys", body.dump(),
                        {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}});
  };
  const HttpResponse capped = create_with_key({{"name", "child"}, {"role", "member"}});
  ASSERT_EQ(capped.status, 201) << capped.body;
  EXPECT_EQ(capped.json()["api_key"]["expires_at"], expires_at);
  EXPECT_EQ(capped.json()["expiry_capped"], true);
  const std::string later = format_rfc3339(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
      std::chrono::hours(2));
  const HttpResponse outliving =
      create_with_key({{"name", "child"}, {"role", "member"}, {"expires_at", later}});
  EXPECT_EQ(outliving.status, 400) << outliving.body;
  EXPECT_EQ(outliving.json()["error"]["details"]["field"], "expires_at");
  const HttpResponse stronger = create_with_key({{"name", "child"}, {"role", "owner"}});
  EXPECT_EQ(stronger.status, 403) << stronger.body;
}

TEST_F(IdentityFlowsTest, TotpIsRequiredOnceConfirmedAndCodesCannotBeReplayed) {
  const HttpResponse enrolled = admin_->post("/api/v1/me/totp", json::object());
  ASSERT_EQ(enrolled.status, 201) << enrolled.body;
  EXPECT_TRUE(enrolled.json()["otpauth_uri"].get<std::string>().starts_with("otpauth://totp/"));
  const auto secret = crypto::base32_decode(enrolled.json()["secret"].get<std::string>());
  ASSERT_TRUE(secret);
  const std::int64_t step = totp::time_step(std::chrono::system_clock::now());

  const HttpResponse confirmed =
      admin_->post("/api/v1/me/totp/confirm", {{"code", totp::code_at(*secret, step)}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  const json recovery = confirmed.json()["recovery_codes"];
  ASSERT_EQ(recovery.size(), 10U);

  IdentityClient laptop(port());
  const HttpResponse without = laptop.login("ada@example.com", kPassword);
  EXPECT_EQ(without.status, 401);
  EXPECT_EQ(without.json()["error"]["code"], "totp_required");
  // The confirming code's step is used up; the next step's code is accepted once.
  const std::string next_code = totp::code_at(*secret, step + 1);
  EXPECT_EQ(laptop.login("ada@example.com", kPassword, next_code).status, 200);
  const HttpResponse replayed =
      IdentityClient(port()).login("ada@example.com", kPassword, next_code);
  EXPECT_EQ(replayed.status, 401);
  EXPECT_EQ(replayed.json()["error"]["code"], "invalid_totp");

  const std::string recovery_code = recovery[0];
  EXPECT_EQ(IdentityClient(port()).login("ada@example.com", kPassword, recovery_code).status, 200);
  EXPECT_EQ(IdentityClient(port()).login("ada@example.com", kPassword, recovery_code).status, 401);
}

TEST_F(IdentityFlowsTest, AColleagueInvitedByLinkSeesTheTeam) {
  auto bob = colleague("bob@example.com", "member");
  const json teams = bob->get("/api/v1/teams").json();
  bool found = false;
  for (const auto& team : teams["data"]) {
    found = found || (team["id"] == team_id_ && team["role"] == "member");
  }
  EXPECT_TRUE(found) << teams.dump();
  const json members = admin_->get("/api/v1/teams/" + team_id_ + "/members").json();
  EXPECT_EQ(members["data"].size(), 2U);
}

TEST_F(IdentityFlowsTest, AnInvitationIsBoundToItsEmailAndUsedOnce) {
  auto carol = colleague("carol@example.com", "viewer");
  const HttpResponse invited = admin_->post("/api/v1/teams/" + team_id_ + "/invitations",
                                            {{"email", "dave@example.com"}, {"role", "admin"}});
  ASSERT_EQ(invited.status, 201) << invited.body;
  const std::string token = invited.json()["token"];
  // berthd listens on 127.0.0.1:0 without --public-url: the link carries the port it bound.
  EXPECT_EQ(invited.json()["invite_url"],
            "http://127.0.0.1:" + std::to_string(port()) + "/invite#" + token);
  // Carol holds the link but is not Dave: she cannot use it to become an admin.
  const HttpResponse stolen = carol->post("/api/v1/invitations/accept", {{"token", token}});
  EXPECT_EQ(stolen.status, 403) << stolen.body;
  EXPECT_EQ(stolen.json()["error"]["code"], "invitation_email_mismatch");

  IdentityClient dave(port());
  EXPECT_EQ(dave.post("/api/v1/invitations/register",
                      {{"token", token}, {"password", kPassword}, {"display_name", "Dave"}}, false)
                .status,
            201);
  const HttpResponse again = IdentityClient(port()).post(
      "/api/v1/invitations/register",
      {{"token", token}, {"password", kPassword}, {"display_name", "Eve"}}, false);
  EXPECT_GE(again.status, 400);
  EXPECT_LT(again.status, 500);
}

TEST_F(IdentityFlowsTest, ViewersCannotChangeThings) {
  auto viewer = colleague("vic@example.com", "viewer");
  EXPECT_EQ(viewer->get("/api/v1/teams/" + team_id_).status, 200);
  const HttpResponse refused = viewer->patch("/api/v1/teams/" + team_id_, {{"name", "mine now"}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json()["error"]["code"], "insufficient_role");
  EXPECT_EQ(refused.json()["error"]["details"]["required_role"], "admin");
}

TEST_F(IdentityFlowsTest, AnotherTeamsResourcesDoNotExist) {
  auto outsider = colleague("oscar@example.com", "viewer");
  const std::string outsider_team = outsider->get("/api/v1/me").json()["user"]["personal_team_id"];
  // Ada's ops team from Oscar's side is readable (he is a viewer); Oscar's own team from Ada's
  // side does not exist, whichever way she names it.
  for (const std::string& path : {"/api/v1/teams/" + outsider_team + "/members",
                                  "/api/v1/teams/" + outsider_team + "/invitations"}) {
    const HttpResponse response = admin_->get(path);
    EXPECT_EQ(response.status, 404) << path << " " << response.body;
  }
  for (const std::string& path :
       {std::string("/api/v1/api-keys"), std::string("/api/v1/audit-log")}) {
    const HttpResponse response = admin_->get(path, {{"X-Team-ID", outsider_team}});
    EXPECT_EQ(response.status, 404) << path << " " << response.body;
  }
}

TEST_F(IdentityFlowsTest, TheAuditLogRecordsItAll) {
  create_key("viewer");
  colleague("bob@example.com", "member");
  const json instance = admin_->get("/api/v1/admin/audit-log?per_page=100").json();
  std::set<std::string> actions;
  for (const auto& entry : instance["data"]) {
    actions.insert(entry["action"]);
    EXPECT_EQ(entry.dump().find("bk_"), std::string::npos) << "no secrets in the audit log";
  }
  for (const char* action : {"instance.setup", "team.create", "api_key.create", "invitation.create",
                             "invitation.accept", "auth.login"}) {
    EXPECT_TRUE(actions.contains(action)) << action << " in " << instance.dump();
  }
  const json team = admin_->get("/api/v1/audit-log", {{"X-Team-ID", team_id_}}).json();
  for (const auto& entry : team["data"]) {
    EXPECT_EQ(entry["team_id"], team_id_);
  }
  EXPECT_GT(team["total"].get<int>(), 0);
  EXPECT_EQ(admin_->get("/api/v1/audit-log?per_page=1000", {{"X-Team-ID", team_id_}}).status, 400);
}

TEST_F(IdentityFlowsTest, ADeactivatedUserFailsOnTheNextRequest) {
  auto bob = colleague("bob@example.com", "admin");
  const HttpResponse key = bob->post("/api/v1/api-keys", {{"name", "bob"}, {"role", "viewer"}},
                                     true, {{"X-Team-ID", team_id_}});
  ASSERT_EQ(key.status, 201) << key.body;
  const std::string raw_key = key.json()["raw_key"];
  ASSERT_EQ(bob->get("/api/v1/me").status, 200);
  ASSERT_EQ(admin_->get_with_bearer("/api/v1/me", raw_key).status, 200);
  const std::string bob_id = bob->get("/api/v1/me").json()["user"]["id"];

  const HttpResponse deactivated =
      admin_->patch("/api/v1/admin/users/" + bob_id, {{"is_active", false}});
  ASSERT_EQ(deactivated.status, 200) << deactivated.body;
  EXPECT_EQ(bob->get("/api/v1/me").status, 401);
  EXPECT_EQ(admin_->get_with_bearer("/api/v1/me", raw_key).status, 401);
  const HttpResponse login = IdentityClient(port()).login("bob@example.com", kPassword);
  EXPECT_EQ(login.status, 403);
  EXPECT_EQ(login.json()["error"]["code"], "account_disabled");
}

TEST_F(IdentityFlowsTest, OnlyInstanceAdministratorsAdminister) {
  auto bob = colleague("bob@example.com", "admin");
  const HttpResponse refused = bob->get("/api/v1/admin/users");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json()["error"]["details"]["required_role"], "instance_admin");
  const HttpResponse users = admin_->get("/api/v1/admin/users");
  EXPECT_EQ(users.status, 200);
  EXPECT_EQ(users.json()["total"], 2);
}

}  // namespace
}  // namespace berth::testing
