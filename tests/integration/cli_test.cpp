// The real `berth` binary against a real berthd on loopback: exit codes, --json, credentials
// from the environment and from the credential file, and a job's exit code through a local
// agent.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/crypto.hpp"
#include "core/totp.hpp"
#include "integration/cli_runner.hpp"
#include "integration/dropping_proxy.hpp"
#include "integration/identity_client.hpp"
#include "integration/local_agent_fixture.hpp"
#include "support/pem_certificate.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;

class CliTest : public LocalAgentTest {
 protected:
  void SetUp() override { fs::create_directories(home_); }

  // Runs berth (cli_runner.hpp) with HOME in the test's directory.
  CliRun berth(const std::vector<std::string>& args, std::map<std::string, std::string> env = {},
               const std::string& input = "") {
    return run_cli(dir_.path(), args, std::move(env), input);
  }

  std::map<std::string, std::string> with_key(const std::string& key) const {
    return {{"BERTH_URL", "http://127.0.0.1:" + std::to_string(port())}, {"BERTH_TOKEN", key}};
  }

  // `berth login` as the fixture's admin (the password on stdin); its exit code.
  int login_as_admin(const std::map<std::string, std::string>& env) {
    return berth({"login", server_url(), "--email", "admin@example.com"}, env,
                 "a long admin password 1\n")
        .exit;
  }

  // `berth invite EMAIL --role member` in env's team, then the invitee registers; true when
  // both went through.
  bool invite_and_register(const std::map<std::string, std::string>& env,
                           const std::string& email) {
    const CliRun invited = berth({"--json", "invite", email, "--role", "member"}, env);
    if (invited.exit != 0) {
      ADD_FAILURE() << invited.err;
      return false;
    }
    IdentityClient invitee(port());
    const HttpResponse registered =
        invitee.post("/api/v1/invitations/register",
                     {{"token", nlohmann::json::parse(invited.out).value("token", "")},
                      {"password", "a long invitee password 1"},
                      {"display_name", "Invitee"}},
                     false);
    EXPECT_LT(registered.status, 300) << registered.body;
    return registered.status < 300;
  }

  // Turns on two-factor sign-in for the fixture's admin; a code berth may sign in with (the
  // confirming code's step is used up, the next step's code is accepted), "" on failure.
  std::string next_totp_code_of_admin() {
    IdentityClient session(port());
    if (session.login("admin@example.com", "a long admin password 1").status != 200) {
      return "";
    }
    const HttpResponse enrolled = session.post("/api/v1/me/totp", nlohmann::json::object());
    const auto secret = crypto::base32_decode(enrolled.json().value("secret", ""));
    if (enrolled.status != 201 || !secret) {
      return "";
    }
    const std::int64_t step = totp::time_step(std::chrono::system_clock::now());
    if (session.post("/api/v1/me/totp/confirm", {{"code", totp::code_at(*secret, step)}}).status !=
        200) {
      return "";
    }
    return totp::code_at(*secret, step + 1);
  }

  const fs::path home_ = dir_.path() / "home";
};

TEST_F(CliTest, ExitCodesSayWhatWentWrong) {
  start_fleet();
  const auto admin = with_key(api_key_);

  const CliRun listed = berth({"--json", "servers", "ls"}, admin);
  EXPECT_EQ(listed.exit, 0) << listed.err;
  EXPECT_TRUE(nlohmann::json::parse(listed.out).is_array()) << listed.out;

  const CliRun usage = berth({"servers", "frobnicate"}, admin);
  EXPECT_EQ(usage.exit, 2) << usage.err;

  const CliRun missing = berth({"apps", "show", "no-such-app"}, admin);
  EXPECT_EQ(missing.exit, 4) << missing.err;
  EXPECT_NE(missing.err.find("not_found"), std::string::npos) << missing.err;

  const CliRun unsigned_in = berth({"servers", "ls"});
  EXPECT_EQ(unsigned_in.exit, 3) << unsigned_in.err;
  EXPECT_NE(unsigned_in.err.find("not signed in"), std::string::npos) << unsigned_in.err;

  const CliRun bad_key = berth({"servers", "ls"}, with_key("bk_not_a_key"));
  EXPECT_EQ(bad_key.exit, 3) << bad_key.err;
  EXPECT_NE(bad_key.err.find("unauthenticated"), std::string::npos) << bad_key.err;

  berthd_->stop();
  const CliRun unreachable = berth({"servers", "ls"}, admin);
  EXPECT_EQ(unreachable.exit, 5) << unreachable.err;
}

TEST_F(CliTest, QuietPrintsIdsAndKeysCreateAndRevoke) {
  start_fleet();
  const auto admin = with_key(api_key_);
  const CliRun created = berth({"-q", "keys", "create", "ci", "--role", "viewer"}, admin);
  ASSERT_EQ(created.exit, 0) << created.err;
  EXPECT_TRUE(created.out.starts_with("bk_")) << created.out;

  const std::string raw_key = created.out.substr(0, created.out.find('\n'));
  EXPECT_EQ(berth({"whoami"}, with_key(raw_key)).exit, 0);

  const CliRun ids = berth({"keys", "ls", "-q"}, admin);
  ASSERT_EQ(ids.exit, 0) << ids.err;
  EXPECT_NE(ids.out.find("key_"), std::string::npos) << ids.out;
  EXPECT_EQ(ids.out.find("NAME"), std::string::npos) << "no table header with -q";

  const CliRun listed = berth({"--json", "keys", "ls"}, admin);
  for (const auto& key : nlohmann::json::parse(listed.out)) {
    if (key.value("name", "") == "ci") {
      EXPECT_EQ(berth({"keys", "revoke", key.value("id", "")}, admin).exit, 0);
    }
  }
  EXPECT_EQ(berth({"whoami"}, with_key(raw_key)).exit, 3) << "a revoked key stops at once";
}

TEST_F(CliTest, LoginKeepsARefreshableCredentialInAPrivateFile) {
  start_fleet();
  const std::map<std::string, std::string> env = {{"XDG_CONFIG_HOME", (home_ / "cfg").string()}};
  const std::string url = "http://127.0.0.1:" + std::to_string(port());
  const CliRun login =
      berth({"login", url, "--email", "admin@example.com"}, env, "a long admin password 1\n");
  ASSERT_EQ(login.exit, 0) << login.err;
  const auto file = home_ / "cfg" / "berth" / "credentials.json";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(file.parent_path()).permissions() & fs::perms::all, fs::perms::owner_all);

  const CliRun whoami = berth({"whoami"}, env);
  EXPECT_EQ(whoami.exit, 0) << whoami.err;
  EXPECT_NE(whoami.out.find("admin@example.com"), std::string::npos) << whoami.out;

  // An expired access token is refreshed with the refresh token, and the new pair is kept.
  auto json = nlohmann::json::parse(read_file(file));
  const std::string old_refresh = json["contexts"]["default"]["refresh_token"];
  json["contexts"]["default"]["access_expires_at"] = 0;
  std::ofstream(file) << json.dump();
  const CliRun refreshed = berth({"--json", "whoami"}, env);
  EXPECT_EQ(refreshed.exit, 0) << refreshed.err;
  EXPECT_NE(nlohmann::json::parse(read_file(file))["contexts"]["default"]["refresh_token"],
            old_refresh);

  fs::permissions(file, fs::perms::group_read | fs::perms::others_read, fs::perm_options::add);
  const CliRun refused = berth({"servers", "ls"}, env);
  EXPECT_EQ(refused.exit, 3) << refused.err;
  EXPECT_NE(refused.err.find("chmod 600"), std::string::npos) << refused.err;

  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  const CliRun logout = berth({"logout"}, env);
  EXPECT_EQ(logout.exit, 0) << logout.err;
  EXPECT_EQ(berth({"whoami"}, env).exit, 3);
}

TEST_F(CliTest, TeamByNameActsInThatTeam) {
  start_fleet();
  IdentityClient session(port());  // teams are made by people, not API keys
  ASSERT_EQ(session.login("admin@example.com", "a long admin password 1").status, 200);
  const HttpResponse team = session.post("/api/v1/teams", {{"name", "ops"}});
  ASSERT_EQ(team.status, 201) << team.body;
  const auto admin = with_key(api_key_);
  // The API key is bound to the admin's own team: naming another one is refused as unknown.
  const CliRun other = berth({"--team", "ops", "apps", "ls"}, admin);
  EXPECT_EQ(other.exit, 4) << other.err;

  const std::map<std::string, std::string> env = {{"XDG_CONFIG_HOME", (home_ / "cfg").string()}};
  ASSERT_EQ(login_as_admin(env), 0);
  const CliRun created = berth({"--team", "ops", "-q", "projects", "create", "infra"}, env);
  ASSERT_EQ(created.exit, 0) << created.err;
  const CliRun in_ops = berth({"-q", "projects", "ls"}, [&] {
    auto with_team = env;
    with_team["BERTH_TEAM"] = team.json().value("id", "");
    return with_team;
  }());
  EXPECT_EQ(in_ops.out, created.out);
  EXPECT_EQ(berth({"-q", "projects", "ls"}, env).out, "") << "the personal team has none";
}

TEST_F(CliTest, LoginAsksForTheTwoFactorCodeWhenTheAccountHasOne) {
  start_fleet();
  const std::string code = next_totp_code_of_admin();
  ASSERT_FALSE(code.empty());

  const std::string url = "http://127.0.0.1:" + std::to_string(port());
  const CliRun login = berth({"login", url, "--email", "admin@example.com"}, {},
                             "a long admin password 1\n" + code + "\n");
  ASSERT_EQ(login.exit, 0) << login.err;
  EXPECT_EQ(berth({"whoami", "-q"}).exit, 0);
  const CliRun without =
      berth({"login", url, "--email", "admin@example.com"}, {}, "a long admin password 1\n");
  EXPECT_EQ(without.exit, 3) << without.err;
}

// The way a person signs in: on a terminal, the password and the code typed without being
// echoed, the questions on the terminal.
TEST_F(CliTest, LoginOnATerminalHidesThePasswordAndTheCode) {
  start_fleet();
  const std::string code = next_totp_code_of_admin();
  ASSERT_FALSE(code.empty());
  const CliRun login =
      run_cli_on_terminal(dir_.path(), {"login", "http://127.0.0.1:" + std::to_string(port())},
                          {{"Email: ", "admin@example.com"},
                           {"Password: ", "a long admin password 1"},
                           {"Two-factor code: ", code}});
  ASSERT_EQ(login.exit, 0) << login.out;
  EXPECT_NE(login.out.find("admin@example.com"), std::string::npos);  // echoed: not secret
  EXPECT_EQ(login.out.find("a long admin password 1"), std::string::npos) << login.out;
  EXPECT_EQ(login.out.find(code), std::string::npos) << login.out;
  EXPECT_EQ(berth({"whoami", "-q"}).exit, 0);
}

TEST_F(CliTest, WrongPasswordAtLoginExits3) {
  start_fleet();
  const CliRun login =
      berth({"login", "http://127.0.0.1:" + std::to_string(port()), "--email", "admin@example.com"},
            {}, "wrong password\n");
  EXPECT_EQ(login.exit, 3) << login.err;
  EXPECT_NE(login.err.find("invalid_credentials"), std::string::npos) << login.err;
}

TEST_F(CliTest, AppsApplyIsIdempotentAndAViewerCannotDeploy) {
  start_fleet({.args = {"--local-agent"}});
  const std::string server = local_server();
  ASSERT_FALSE(server.empty());
  const auto admin = with_key(api_key_);
  const auto manifest = dir_.path() / "web.json";
  std::ofstream(manifest) << nlohmann::json{
      {"name", "web"},
      {"server_id", server},
      {"source", {{"type", "image"}, {"image", "berth-test/busybox:1"}}},
      {"settings", {{"port", 8080}}},
      {"env",
       {{{"key", "LOG_LEVEL"},
         {"value", "info"}}}}}.dump();
  const CliRun first = berth({"apply", "-f", manifest.string()}, admin);
  ASSERT_EQ(first.exit, 0) << first.err;
  EXPECT_NE(first.out.find("created"), std::string::npos) << first.out;
  const CliRun second = berth({"apply", "-f", manifest.string()}, admin);
  ASSERT_EQ(second.exit, 0) << second.err;
  EXPECT_NE(second.out.find("unchanged"), std::string::npos) << second.out;

  const CliRun exported = berth({"export", "web"}, admin);
  ASSERT_EQ(exported.exit, 0) << exported.err;
  const auto again = dir_.path() / "exported.json";
  std::ofstream(again) << exported.out;
  const CliRun round_trip = berth({"apply", "-f", again.string()}, admin);
  EXPECT_NE(round_trip.out.find("unchanged"), std::string::npos) << round_trip.out;

  const CliRun env = berth({"--json", "env", "ls", "web"}, admin);
  ASSERT_EQ(env.exit, 0) << env.err;
  EXPECT_EQ(nlohmann::json::parse(env.out).at(0).value("value", ""), "info");

  // A .env file: comments, `export`, quotes; as secrets.
  const auto dotenv = dir_.path() / "web.env";
  std::ofstream(dotenv)
      << "# the database\nexport DATABASE_URL=\"postgres://db/shop\"\n\nTOKEN='a b'\n";
  ASSERT_EQ(berth({"env", "import", "web", dotenv.string(), "--secret"}, admin).exit, 0);
  const CliRun keys = berth({"-q", "env", "ls", "web"}, admin);
  EXPECT_EQ(keys.out, "DATABASE_URL\nLOG_LEVEL\nTOKEN\n");
  const CliRun masked = berth({"env", "ls", "web"}, admin);
  EXPECT_EQ(masked.out.find("postgres"), std::string::npos) << masked.out;
  EXPECT_EQ(berth({"env", "reveal", "web", "TOKEN"}, admin).out, "a b\n");
  EXPECT_EQ(berth({"env", "unset", "web", "TOKEN"}, admin).exit, 0);
  EXPECT_EQ(berth({"env", "unset", "web", "TOKEN"}, admin).exit, 4);

  // An image no registry has: the deployment fails, and says where.
  const CliRun failed =
      berth({"deploy", "web", "--image", "berth-test/no-such-image:1", "--wait"}, admin);
  EXPECT_EQ(failed.exit, 1) << failed.out << failed.err;
  EXPECT_NE(failed.err.find("failed at step"), std::string::npos) << failed.err;

  const CliRun viewer = berth({"deploy", "web"}, with_key(key_with_role("viewer")));
  EXPECT_EQ(viewer.exit, 3) << viewer.err;
  EXPECT_NE(viewer.err.find("insufficient_role"), std::string::npos) << viewer.err;
}

TEST_F(CliTest, JobsRunStreamsOutputAndExitsWithTheCommandsCode) {
  start_fleet({.args = {"--local-agent"}});
  const std::string server = local_server();
  ASSERT_FALSE(server.empty());
  const CliRun ran =
      berth({"jobs", "run", server, "--", "sh", "-c", "echo hello; echo oops >&2; exit 7"},
            with_key(api_key_));
  EXPECT_EQ(ran.exit, 7) << ran.err;
  EXPECT_EQ(ran.out, "hello\n");
  EXPECT_EQ(ran.err, "oops\n");
}

TEST_F(CliTest, ADeploymentsEventsSurviveDroppedConnectionsWithoutGapsOrRepeats) {
  start_fleet({.args = {"--local-agent"}});
  const std::string server = local_server();
  ASSERT_FALSE(server.empty());
  const auto admin = with_key(api_key_);
  const CliRun created = berth(
      {"apps", "create", "web", "--server", server, "--image", "berth-test/nope:1", "--port", "80"},
      admin);
  ASSERT_EQ(created.exit, 0) << created.err;
  // The whole story once, straight from berthd (a failed pull: a handful of events).
  const CliRun direct = berth({"--json", "deploy", "web", "--wait"}, admin);
  ASSERT_EQ(direct.exit, 1) << direct.err;
  const CliRun listed = berth({"-q", "deployments", "ls", "web"}, admin);
  const std::string deployment = listed.out.substr(0, listed.out.find('\n'));
  ASSERT_TRUE(deployment.starts_with("dep_")) << listed.out << listed.err;

  // The same deployment through a proxy that cuts its first three event streams short.
  DroppingProxy proxy(port(), 3, 250);
  auto through_proxy = admin;
  through_proxy["BERTH_URL"] = "http://127.0.0.1:" + std::to_string(proxy.port());
  const CliRun resumed = berth({"--json", "deployments", "show", deployment, "-f"}, through_proxy);
  const CliRun again = berth({"--json", "deployments", "show", deployment, "-f"}, admin);
  EXPECT_EQ(proxy.dropped(), 3);
  EXPECT_EQ(resumed.exit, 1) << resumed.err;
  EXPECT_EQ(resumed.out, again.out);
  EXPECT_GE(std::count(again.out.begin(), again.out.end(), '\n'), 4) << again.out;
  EXPECT_NE(resumed.err.find("failed at step"), std::string::npos) << resumed.err;
}

TEST_F(CliTest, ServersLabelAppsEditAndDeployHooks) {
  start_fleet({.args = {"--local-agent"}});
  const std::string server = local_server();
  ASSERT_FALSE(server.empty());
  const auto admin = with_key(api_key_);

  ASSERT_EQ(berth({"servers", "label", server, "region=eu", "tier=edge"}, admin).exit, 0);
  const CliRun relabelled = berth({"--json", "servers", "label", server, "--rm", "tier"}, admin);
  ASSERT_EQ(relabelled.exit, 0) << relabelled.err;
  EXPECT_EQ(nlohmann::json::parse(relabelled.out)["labels"], (nlohmann::json{{"region", "eu"}}));
  EXPECT_EQ(berth({"servers", "label", server}, admin).exit, 2);
  const CliRun viewer =
      berth({"servers", "label", server, "a=b"}, with_key(key_with_role("viewer")));
  EXPECT_EQ(viewer.exit, 3) << viewer.err;

  ASSERT_EQ(berth({"apps", "create", "web", "--server", server, "--image", "berth-test/busybox:1",
                   "--port", "80"},
                  admin)
                .exit,
            0);
  const CliRun edited =
      berth({"--json", "apps", "edit", "web", "--image", "berth-test/busybox:2", "--set",
             "settings.port=8081", "--set", "settings.health.path=/ready"},
            admin);
  ASSERT_EQ(edited.exit, 0) << edited.err;
  const auto app = nlohmann::json::parse(edited.out);
  EXPECT_EQ(app["source"].value("image", ""), "berth-test/busybox:2") << app;
  EXPECT_EQ(app["settings"].value("port", 0), 8081) << app;
  EXPECT_EQ(app["settings"]["health"].value("path", ""), "/ready") << app;
  const CliRun invalid = berth({"apps", "edit", "web", "--set", "settings.port=\"x\""}, admin);
  EXPECT_EQ(invalid.exit, 1) << invalid.err;
  EXPECT_NE(invalid.err.find("validation_failed"), std::string::npos) << invalid.err;
  EXPECT_EQ(berth({"apps", "edit", "web"}, admin).exit, 2);

  const CliRun hook = berth({"-q", "hooks", "create", "web"}, admin);
  ASSERT_EQ(hook.exit, 0) << hook.err;
  EXPECT_NE(hook.out.find("/api/v1/hooks/deploy/"), std::string::npos) << hook.out;
  const CliRun hooks = berth({"--json", "hooks", "ls", "web"}, admin);
  ASSERT_EQ(hooks.exit, 0) << hooks.err;
  ASSERT_EQ(nlohmann::json::parse(hooks.out).size(), 1U) << hooks.out;
  const std::string hook_id = nlohmann::json::parse(hooks.out)[0].value("id", "");
  EXPECT_EQ(berth({"hooks", "rm", "web", hook_id}, admin).exit, 0);
  EXPECT_EQ(berth({"hooks", "rm", "web", hook_id}, admin).exit, 4);
  EXPECT_EQ(berth({"-q", "hooks", "ls", "web"}, admin).out, "");
}

TEST_F(CliTest, TeamsRenameAndTransfer) {
  start_fleet();
  const std::map<std::string, std::string> env = {{"XDG_CONFIG_HOME", (home_ / "cfg").string()}};
  ASSERT_EQ(login_as_admin(env), 0);
  ASSERT_EQ(berth({"teams", "create", "ops"}, env).exit, 0);
  const CliRun renamed = berth({"--json", "teams", "rename", "ops", "platform"}, env);
  ASSERT_EQ(renamed.exit, 0) << renamed.err;
  EXPECT_EQ(nlohmann::json::parse(renamed.out).value("name", ""), "platform");
  EXPECT_EQ(berth({"teams", "rename", "ops", "again"}, env).exit, 4);

  const std::map<std::string, std::string> in_platform = {
      {"XDG_CONFIG_HOME", (home_ / "cfg").string()}, {"BERTH_TEAM", "platform"}};
  ASSERT_TRUE(invite_and_register(in_platform, "bob@example.com"));
  const CliRun transferred = berth({"teams", "transfer", "bob@example.com"}, in_platform);
  ASSERT_EQ(transferred.exit, 0) << transferred.err;
  const CliRun members = berth({"--json", "members", "ls"}, in_platform);
  ASSERT_EQ(members.exit, 0) << members.err;
  for (const auto& member : nlohmann::json::parse(members.out)) {
    EXPECT_EQ(member.value("role", ""),
              member.value("email", "") == "bob@example.com" ? "owner" : "admin")
        << members.out;
  }
  // No longer the owner: deleting the team or transferring it again is refused (exit 3).
  EXPECT_EQ(berth({"teams", "rm", "platform"}, env).exit, 3);
  EXPECT_EQ(berth({"teams", "transfer", "bob@example.com"}, in_platform).exit, 3);
  EXPECT_EQ(berth({"teams", "transfer", "nobody@example.com"}, in_platform).exit, 4);
}

TEST_F(CliTest, ProjectsEditProjectEnvAndServerProxy) {
  start_fleet({.args = {"--local-agent"}});
  const std::string server = local_server();
  const auto admin = with_key(api_key_);
  ASSERT_EQ(berth({"projects", "create", "shop"}, admin).exit, 0);
  const CliRun edited =
      berth({"--json", "projects", "edit", "shop", "--name", "store", "--description", "The shop"},
            admin);
  ASSERT_EQ(edited.exit, 0) << edited.err;
  EXPECT_EQ(nlohmann::json::parse(edited.out).value("name", ""), "store");
  EXPECT_EQ(nlohmann::json::parse(edited.out).value("description", ""), "The shop");
  EXPECT_EQ(berth({"projects", "edit", "store"}, admin).exit, 2) << "nothing to change";

  // A project's shared env: set, listed masked, revealed, unset.
  ASSERT_EQ(
      berth({"env", "set", "--project", "store", "--secret", "DB=postgres://db/shop"}, admin).exit,
      0);
  EXPECT_EQ(berth({"-q", "env", "ls", "--project", "store"}, admin).out, "DB\n");
  EXPECT_EQ(berth({"env", "ls", "--project", "store"}, admin).out.find("postgres"),
            std::string::npos);
  EXPECT_EQ(berth({"env", "reveal", "--project", "store", "DB"}, admin).out,
            "postgres://db/shop\n");
  EXPECT_EQ(berth({"env", "unset", "--project", "store", "DB"}, admin).exit, 0);
  EXPECT_EQ(berth({"-q", "env", "ls", "--project", "store"}, admin).out, "");
  EXPECT_EQ(berth({"env", "ls", "store"}, admin).exit, 4) << "without --project it is an app";

  // The server's deploy key and proxy settings; a change keeps what it does not name.
  const CliRun key = berth({"servers", "deploy-key", server}, admin);
  ASSERT_EQ(key.exit, 0) << key.err;
  EXPECT_TRUE(key.out.starts_with("ssh-ed25519 ")) << key.out;
  const CliRun before = berth({"--json", "servers", "proxy", server}, admin);
  ASSERT_EQ(before.exit, 0) << before.err;
  const CliRun changed =
      berth({"--json", "servers", "proxy", server, "--base-domain", "apps.example.com"}, admin);
  ASSERT_EQ(changed.exit, 0) << changed.err;
  const auto after = nlohmann::json::parse(changed.out);
  EXPECT_EQ(after.value("base_domain", ""), "apps.example.com");
  EXPECT_EQ(after["tls"], nlohmann::json::parse(before.out)["tls"]);
  EXPECT_EQ(after["http_port"], nlohmann::json::parse(before.out)["http_port"]);
  EXPECT_EQ(berth({"servers", "proxy", server, "--tls", "sometimes"}, admin).exit, 2);
  // A private ACME CA: its root from a file, and the rest (public_addresses too) kept.
  ASSERT_EQ(api("PUT", "/api/v1/servers/" + server + "/proxy",
                {{"base_domain", "apps.example.com"},
                 {"http_port", after["http_port"]},
                 {"https_port", after["https_port"]},
                 {"tls", after["tls"]},
                 {"public_addresses", {"203.0.113.7"}}})
                .status,
            200);
  const auto root_file = dir_.path() / "root.pem";
  const std::string root = make_test_ca().chain;
  std::ofstream(root_file) << root;
  const CliRun acme = berth({"--json", "servers", "proxy", server, "--acme-ca",
                             "https://ca.internal:9000/acme/acme/directory", "--acme-ca-root",
                             root_file.string(), "--acme-email", "ops@example.com"},
                            admin);
  ASSERT_EQ(acme.exit, 0) << acme.err;
  const auto with_ca = nlohmann::json::parse(acme.out);
  EXPECT_EQ(with_ca["acme_ca"], "https://ca.internal:9000/acme/acme/directory");
  EXPECT_EQ(with_ca["acme_ca_root"], root);
  EXPECT_EQ(with_ca["acme_email"], "ops@example.com");
  EXPECT_EQ(with_ca["public_addresses"], nlohmann::json({"203.0.113.7"}));
  EXPECT_EQ(with_ca["base_domain"], "apps.example.com");
  const CliRun table = berth({"servers", "proxy", server}, admin);
  EXPECT_NE(table.out.find("(set)"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("BEGIN CERTIFICATE"), std::string::npos) << table.out;
  const CliRun refused =
      berth({"servers", "proxy", server, "--acme-ca", "http://ca.internal/"}, admin);
  EXPECT_EQ(refused.exit, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("acme_ca"), std::string::npos) << refused.err;
  const CliRun cleared = berth({"--json", "servers", "proxy", server, "--acme-ca", "",
                                "--acme-ca-root", "", "--acme-email", ""},
                               admin);
  ASSERT_EQ(cleared.exit, 0) << cleared.err;
  EXPECT_EQ(nlohmann::json::parse(cleared.out)["acme_ca_root"], "");
  EXPECT_EQ(nlohmann::json::parse(cleared.out)["public_addresses"],
            nlohmann::json({"203.0.113.7"}));
  // The addresses the domains' DNS check compares with: set (repeatable), shown, cleared.
  const CliRun addresses = berth({"--json", "servers", "proxy", server, "--public-address",
                                  "203.0.113.8", "--public-address", "2001:db8::8"},
                                 admin);
  ASSERT_EQ(addresses.exit, 0) << addresses.err;
  EXPECT_EQ(nlohmann::json::parse(addresses.out)["public_addresses"],
            nlohmann::json({"203.0.113.8", "2001:db8::8"}));
  EXPECT_NE(berth({"servers", "proxy", server}, admin).out.find("203.0.113.8,2001:db8::8"),
            std::string::npos);
  const CliRun no_addresses =
      berth({"--json", "servers", "proxy", server, "--public-address", ""}, admin);
  ASSERT_EQ(no_addresses.exit, 0) << no_addresses.err;
  EXPECT_EQ(nlohmann::json::parse(no_addresses.out)["public_addresses"], nlohmann::json::array());
  const CliRun viewer =
      berth({"servers", "proxy", server, "--tls", "off"}, with_key(key_with_role("viewer")));
  EXPECT_EQ(viewer.exit, 3) << viewer.err;

  // Adopting again needs a server adopted over SSH.
  const CliRun readopt = berth({"servers", "adopt", server}, admin);
  EXPECT_EQ(readopt.exit, 1) << readopt.err;
  EXPECT_NE(readopt.err.find("not_adopted_over_ssh"), std::string::npos) << readopt.err;
}

TEST_F(CliTest, DomainsAddCheckEditAndRemove) {
  start_fleet({.args = {"--local-agent"}});
  const std::string server = local_server();
  const auto admin = with_key(api_key_);
  ASSERT_EQ(berth({"apps", "create", "shop", "--server", server, "--image", "berth-test/busybox:1",
                   "--port", "80", "--hostname", "shop.example.test"},
                  admin)
                .exit,
            0);
  const CliRun added = berth({"--json", "domains", "add", "shop", "www.shop.example.test",
                              "--redirect-to", "shop.example.test"},
                             admin);
  ASSERT_EQ(added.exit, 0) << added.err;
  const auto www = nlohmann::json::parse(added.out);
  EXPECT_EQ(www.value("hostname", ""), "www.shop.example.test");
  EXPECT_TRUE(www["redirect_to"].is_string());
  ASSERT_EQ(berth({"domains", "add", "shop", "api.shop.example.test", "--path-prefix", "/v1",
                   "--tls", "internal", "--hsts", "on"},
                  admin)
                .exit,
            0);
  const CliRun listed = berth({"-q", "domains", "ls", "shop"}, admin);
  ASSERT_EQ(listed.exit, 0) << listed.err;
  EXPECT_EQ(std::count(listed.out.begin(), listed.out.end(), '\n'), 3) << listed.out;
  EXPECT_EQ(berth({"-q", "domains", "ls"}, admin).out, listed.out) << "team-wide: the same three";

  // By hostname (and prefix), not only by id.
  const CliRun shown = berth({"--json", "domains", "show", "api.shop.example.test/v1"}, admin);
  ASSERT_EQ(shown.exit, 0) << shown.err;
  EXPECT_EQ(nlohmann::json::parse(shown.out).value("tls", ""), "internal");
  EXPECT_EQ(nlohmann::json::parse(shown.out).value("hsts", false), true);
  const CliRun checked = berth({"domains", "check", "www.shop.example.test"}, admin);
  ASSERT_EQ(checked.exit, 0) << checked.err;
  EXPECT_NE(checked.out.find("www.shop.example.test: DNS "), std::string::npos) << checked.out;
  const CliRun edited =
      berth({"--json", "domains", "edit", "www.shop.example.test", "--no-redirect"}, admin);
  ASSERT_EQ(edited.exit, 0) << edited.err;
  EXPECT_TRUE(nlohmann::json::parse(edited.out)["redirect_to"].is_null());

  // The API's refusals, with their codes.
  const CliRun hostile = berth({"domains", "add", "shop", "{env.HOME}.example.test"}, admin);
  EXPECT_EQ(hostile.exit, 1);
  EXPECT_NE(hostile.err.find("hostname"), std::string::npos) << hostile.err;
  const CliRun taken = berth({"domains", "add", "shop", "www.shop.example.test"}, admin);
  EXPECT_EQ(taken.exit, 1);
  EXPECT_NE(taken.err.find("hostname_taken"), std::string::npos) << taken.err;
  const CliRun primary = berth({"domains", "rm", "shop.example.test"}, admin);
  EXPECT_EQ(primary.exit, 1);
  EXPECT_NE(primary.err.find("domain_primary"), std::string::npos) << primary.err;
  EXPECT_EQ(berth({"domains", "rm", "www.shop.example.test"}, admin).exit, 0);
  EXPECT_EQ(berth({"domains", "rm", "www.shop.example.test"}, admin).exit, 4);
  EXPECT_EQ(
      berth({"domains", "add", "shop", "x.example.test"}, with_key(key_with_role("viewer"))).exit,
      3);
}

TEST_F(CliTest, EdgeRulesShowAndSet) {
  start_fleet({.args = {"--local-agent"}});
  const std::string server = local_server();
  const auto admin = with_key(api_key_);
  ASSERT_EQ(berth({"apps", "create", "shop", "--server", server, "--image", "berth-test/busybox:1",
                   "--port", "80"},
                  admin)
                .exit,
            0);
  const std::string rules = (dir_.path() / "edge.json").string();
  std::ofstream(rules) << R"({"allow_ips": ["10.1.2.3/8"],
      "basic_auth": {"users": [{"username": "ops", "password": "correct horse battery"}]}})";
  const CliRun set = berth({"edge", "set", "shop", "-f", rules}, admin);
  ASSERT_EQ(set.exit, 0) << set.err;
  // Maintenance on: the rest stays as it was, the password included (never shown).
  const CliRun on =
      berth({"edge", "set", "shop", "--maintenance", "on", "--retry-after", "600"}, admin);
  ASSERT_EQ(on.exit, 0) << on.err;
  const CliRun shown = berth({"edge", "show", "shop"}, admin);
  ASSERT_EQ(shown.exit, 0) << shown.err;
  const auto edge = nlohmann::json::parse(shown.out);
  EXPECT_EQ(edge["allow_ips"], nlohmann::json::array({"10.0.0.0/8"}));
  EXPECT_EQ(edge["maintenance"]["enabled"], true);
  EXPECT_EQ(edge["maintenance"]["retry_after_seconds"], 600);
  EXPECT_EQ(edge["basic_auth"]["users"][0]["username"], "ops");
  EXPECT_EQ(shown.out.find("correct horse"), std::string::npos);
  EXPECT_EQ(shown.out.find("$2b$"), std::string::npos);
  // A hostile value is the API's 400, naming the field.
  std::ofstream(rules) << R"({"headers": {"set": {"X-A": "{env.HOME}"}}})";
  const CliRun hostile = berth({"edge", "set", "shop", "-f", rules}, admin);
  EXPECT_EQ(hostile.exit, 1);
  EXPECT_NE(hostile.err.find("headers.set"), std::string::npos) << hostile.err;
  EXPECT_EQ(berth({"edge", "set", "shop"}, admin).exit, 2);
  EXPECT_EQ(
      berth({"edge", "set", "shop", "--maintenance", "off"}, with_key(key_with_role("viewer")))
          .exit,
      3);
}

TEST_F(CliTest, TeamsMembersAndInvitations) {
  start_fleet();
  const std::map<std::string, std::string> env = {{"XDG_CONFIG_HOME", (home_ / "cfg").string()}};
  ASSERT_EQ(login_as_admin(env), 0);
  const CliRun created = berth({"--json", "teams", "create", "ops"}, env);
  ASSERT_EQ(created.exit, 0) << created.err;
  const std::string ops = nlohmann::json::parse(created.out).value("id", "");
  EXPECT_NE(berth({"-q", "teams", "ls"}, env).out.find(ops), std::string::npos);

  ASSERT_EQ(berth({"teams", "use", "ops"}, env).exit, 0);
  const auto file = home_ / "cfg" / "berth" / "credentials.json";
  EXPECT_EQ(nlohmann::json::parse(read_file(file))["contexts"]["default"].value("team", ""), ops);
  const CliRun project = berth({"-q", "projects", "create", "infra"}, env);
  ASSERT_EQ(project.exit, 0) << project.err;
  EXPECT_EQ(berth({"-q", "projects", "ls"}, env).out, project.out) << "acts in ops";

  // An invitation revoked, another one accepted; the new member's role changed, then removed.
  ASSERT_EQ(berth({"invite", "carol@example.com", "--role", "member"}, env).exit, 0);
  const CliRun pending = berth({"-q", "invitations", "ls"}, env);
  ASSERT_EQ(pending.exit, 0) << pending.err;
  const std::string invitation = pending.out.substr(0, pending.out.find('\n'));
  EXPECT_EQ(berth({"invitations", "rm", invitation}, env).exit, 0);
  EXPECT_EQ(berth({"-q", "invitations", "ls"}, env).out, "");
  ASSERT_TRUE(invite_and_register(env, "bob@example.com"));
  const CliRun role = berth({"--json", "members", "role", "bob@example.com", "viewer"}, env);
  ASSERT_EQ(role.exit, 0) << role.err;
  EXPECT_EQ(nlohmann::json::parse(role.out).value("role", ""), "viewer");
  EXPECT_EQ(berth({"members", "rm", "bob@example.com"}, env).exit, 0);
  EXPECT_EQ(berth({"members", "rm", "bob@example.com"}, env).exit, 4);

  ASSERT_EQ(berth({"teams", "use", "--personal"}, env).exit, 0);
  EXPECT_EQ(berth({"-q", "projects", "ls"}, env).out, "") << "the personal team has none";
  EXPECT_EQ(berth({"teams", "rm", "ops"}, env).exit, 0);
  EXPECT_EQ(berth({"teams", "rm", "ops"}, env).exit, 4);
  EXPECT_EQ(berth({"teams", "use", "ops"}, with_key(api_key_)).exit, 2) << "no context to change";
}

TEST_F(CliTest, AuditSinceAndServersAddOverSsh) {
  start_fleet();
  const auto admin = with_key(api_key_);
  ASSERT_EQ(berth({"projects", "create", "infra"}, admin).exit, 0);
  const CliRun recent =
      berth({"--json", "audit", "--since", "1h", "--action", "project.create"}, admin);
  ASSERT_EQ(recent.exit, 0) << recent.err;
  EXPECT_EQ(nlohmann::json::parse(recent.out).size(), 1U) << recent.out;
  const CliRun future = berth({"--json", "audit", "--since", "2999-01-01"}, admin);
  ASSERT_EQ(future.exit, 0) << future.err;
  EXPECT_EQ(nlohmann::json::parse(future.out), nlohmann::json::array());
  EXPECT_EQ(berth({"audit", "--since", "yesterday"}, admin).exit, 2);

  // The host key is read first (no credential sent); nothing answers SSH on port 1, so
  // nothing is created. (Adoption through a real sshd: fleet_system_test's AdoptionTest.)
  const CliRun unreachable = berth(
      {"servers", "add", "--ssh", "root@127.0.0.1:1", "--password-stdin", "--yes", "--name", "far"},
      admin, "pw\n");
  EXPECT_EQ(unreachable.exit, 1) << unreachable.out << unreachable.err;
  EXPECT_NE(unreachable.err.find("ssh_unreachable"), std::string::npos) << unreachable.err;
  EXPECT_EQ(
      berth({"servers", "add", "--ssh", "nohost", "--yes", "--password-stdin"}, admin, "pw\n").exit,
      2);
  EXPECT_EQ(
      berth({"servers", "add", "--ssh", "root@127.0.0.1", "--key", "/nonexistent"}, admin).exit, 2);
  EXPECT_EQ(berth({"-q", "servers", "ls"}, admin).out, "");
}

// A server enrolled but never connected: a service on it stays deploying (no agent to run it),
// which is enough to drive every command against the real API.
TEST_F(CliTest, ServicesCreateListShowSetLinkAndRemove) {
  start_fleet();
  const std::string server = enrol(agent_dir("far"));
  const auto admin = with_key(api_key_);
  ASSERT_EQ(berth({"projects", "create", "shop"}, admin).exit, 0);

  const CliRun created =
      berth({"--json", "services", "create", "orders-db", "--engine", "postgres", "--project",
             "shop", "--server", server, "--memory", "256M", "--cpus", "0.5"},
            admin);
  ASSERT_EQ(created.exit, 0) << created.err;
  const auto service = nlohmann::json::parse(created.out);
  const std::string id = service.value("id", "");
  EXPECT_TRUE(id.starts_with("svc_")) << created.out;
  EXPECT_EQ(service.value("version", ""), "17") << "the newest by default";
  EXPECT_EQ(service.value("image", ""), "postgres:17");
  EXPECT_EQ(service.value("memory_bytes", 0LL), 256LL * 1024 * 1024);
  EXPECT_EQ(service.value("nano_cpus", 0LL), 500'000'000LL);
  EXPECT_EQ(service.value("status", ""), "deploying");
  ASSERT_EQ(berth({"services", "create", "cache", "--engine", "redis", "--project", "shop",
                   "--server", server, "--version", "7", "--memory", "0"},
                  admin)
                .exit,
            0);
  // The CLI's own refusals are usage errors; the API's are 1 with its code.
  EXPECT_EQ(berth({"services", "create", "x", "--engine", "mongo", "--project", "shop", "--server",
                   server},
                  admin)
                .exit,
            2);
  EXPECT_EQ(berth({"services", "create", "x", "--engine", "redis", "--project", "shop", "--server",
                   server, "--memory", "lots"},
                  admin)
                .exit,
            2);
  const CliRun taken = berth(
      {"services", "create", "cache", "--engine", "redis", "--project", "shop", "--server", server},
      admin);
  EXPECT_EQ(taken.exit, 1);
  EXPECT_NE(taken.err.find("service_name_taken"), std::string::npos) << taken.err;
  const CliRun unpublishable = berth({"services", "create", "x", "--engine", "redis", "--project",
                                      "shop", "--server", server, "--publish", "127.0.0.1:16379"},
                                     with_key(key_with_role("member")));
  EXPECT_EQ(unpublishable.exit, 3) << unpublishable.err;
  EXPECT_NE(unpublishable.err.find("admin"), std::string::npos) << unpublishable.err;
  // An admin may: the address defaults to 127.0.0.1, and the answer warns.
  const CliRun published =
      berth({"--json", "services", "create", "tunnel-db", "--engine", "mariadb", "--project",
             "shop", "--server", server, "--publish", "13306"},
            admin);
  ASSERT_EQ(published.exit, 0) << published.err;
  EXPECT_EQ(nlohmann::json::parse(published.out)["publish"],
            nlohmann::json({{"host_ip", "127.0.0.1"}, {"host_port", 13306}}));
  EXPECT_NE(published.err.find("warning: the service's port is published"), std::string::npos)
      << published.err;
  ASSERT_EQ(berth({"services", "rm", "tunnel-db", "--confirm", "tunnel-db"}, admin).exit, 1)
      << "busy deploying: nothing is deleted";

  // Lists: filtered by project, server (names) and engine.
  const CliRun all = berth({"-q", "services", "ls"}, admin);
  EXPECT_EQ(std::count(all.out.begin(), all.out.end(), '\n'), 3) << all.out;
  EXPECT_EQ(berth({"-q", "services", "ls", "--engine", "postgres"}, admin).out, id + "\n");
  EXPECT_EQ(berth({"-q", "services", "ls", "--project", "shop", "--server", server}, admin).out,
            all.out);
  ASSERT_EQ(berth({"projects", "create", "blog"}, admin).exit, 0);
  EXPECT_EQ(berth({"-q", "services", "ls", "--project", "blog"}, admin).out, "");
  EXPECT_EQ(berth({"services", "ls", "--project", "nope"}, admin).exit, 4);
  const CliRun table = berth({"services", "ls"}, admin);
  EXPECT_NE(table.out.find("LINKS"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("deploying"), std::string::npos) << table.out;

  // show, by name or id.
  const CliRun shown = berth({"services", "show", "orders-db"}, admin);
  ASSERT_EQ(shown.exit, 0) << shown.err;
  EXPECT_NE(shown.out.find("orders-db:5432"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("256M"), std::string::npos) << shown.out;
  EXPECT_EQ(berth({"-q", "services", "show", id}, admin).out, id + "\n");
  EXPECT_EQ(berth({"services", "show", "no-such-db"}, admin).exit, 4);

  // While it deploys, every change waits: 409 service_busy.
  EXPECT_EQ(berth({"services", "set", "orders-db"}, admin).exit, 2) << "nothing to change";
  EXPECT_EQ(berth({"services", "set", "orders-db", "--publish", "1.2.3.4:"}, admin).exit, 2);
  const CliRun busy = berth({"services", "set", "orders-db", "--image", "postgres:17.2"}, admin);
  EXPECT_EQ(busy.exit, 1);
  EXPECT_NE(busy.err.find("service_busy"), std::string::npos) << busy.err;
  const CliRun restarting = berth({"services", "restart", "orders-db"}, admin);
  EXPECT_EQ(restarting.exit, 1);
  EXPECT_NE(restarting.err.find("service_busy"), std::string::npos) << restarting.err;

  // Links: the app gets the vars; a prefix replaces them; unlinking removes them.
  const CliRun app = berth({"apps", "create", "shop-web", "--server", server, "--image",
                            "berth-test/busybox:1", "--port", "80", "--project", "shop"},
                           admin);
  ASSERT_EQ(app.exit, 0) << app.err;
  const CliRun linked = berth({"apps", "link", "shop-web", "orders-db"}, admin);
  ASSERT_EQ(linked.exit, 0) << linked.err;
  EXPECT_NE(linked.out.find("DATABASE_URL"), std::string::npos) << linked.out;
  EXPECT_EQ(berth({"-q", "apps", "links", "shop-web"}, admin).out, id + "\n");
  EXPECT_NE(berth({"-q", "env", "ls", "shop-web"}, admin).out.find("DATABASE_PASSWORD\n"),
            std::string::npos);
  const CliRun prefixed =
      berth({"--json", "apps", "link", "shop-web", id, "--prefix", "MAIN_"}, admin);
  ASSERT_EQ(prefixed.exit, 0) << prefixed.err;
  const auto keys = nlohmann::json::parse(prefixed.out)["env_keys"];
  EXPECT_NE(std::ranges::find(keys, "MAIN_DATABASE_URL"), keys.end()) << prefixed.out;
  const std::string env = berth({"-q", "env", "ls", "shop-web"}, admin).out;
  EXPECT_NE(env.find("MAIN_DATABASE_URL\n"), std::string::npos) << env;
  EXPECT_FALSE(env.starts_with("DATABASE_URL\n") ||
               env.find("\nDATABASE_URL\n") != std::string::npos)
      << "the unprefixed vars went with the old link: " << env;
  const CliRun links = berth({"apps", "links", "shop-web"}, admin);
  EXPECT_NE(links.out.find("MAIN_"), std::string::npos) << links.out;
  EXPECT_NE(berth({"services", "show", "orders-db"}, admin).out.find("shop-web"),
            std::string::npos);
  EXPECT_EQ(berth({"apps", "link", "shop-web", "cache"}, with_key(key_with_role("viewer"))).exit,
            3);

  // Deleting asks for the name (or --confirm); linked or busy, the API refuses.
  const CliRun mistyped = berth({"services", "rm", "orders-db"}, admin, "orders\n");
  EXPECT_EQ(mistyped.exit, 1);
  EXPECT_NE(mistyped.err.find("did not match"), std::string::npos) << mistyped.err;
  const CliRun wrong = berth({"services", "rm", "orders-db", "--confirm", "orders"}, admin);
  EXPECT_EQ(wrong.exit, 1);
  EXPECT_NE(wrong.err.find("confirm_required"), std::string::npos) << wrong.err;
  const CliRun still_busy = berth({"services", "rm", "orders-db"}, admin, "orders-db\n");
  EXPECT_EQ(still_busy.exit, 1);
  EXPECT_NE(still_busy.err.find("service_busy"), std::string::npos) << still_busy.err;

  ASSERT_EQ(berth({"apps", "unlink", "shop-web", "orders-db"}, admin).exit, 0);
  EXPECT_EQ(berth({"-q", "apps", "links", "shop-web"}, admin).out, "");
  EXPECT_EQ(berth({"-q", "env", "ls", "shop-web"}, admin).out.find("DATABASE"), std::string::npos);
  EXPECT_EQ(berth({"apps", "unlink", "shop-web", "orders-db"}, admin).exit, 4);
  EXPECT_EQ(berth({"services", "logs", "no-such-db"}, admin).exit, 4);
}

// With the local agent, a service whose image cannot be had ends failed: --wait says why.
TEST_F(CliTest, ServicesWaitFailsWithTheStatusMessage) {
  start_fleet({.args = {"--local-agent"}});
  const std::string server = local_server();
  const auto admin = with_key(api_key_);
  ASSERT_EQ(berth({"projects", "create", "shop"}, admin).exit, 0);
  const CliRun created =
      berth({"services", "create", "cache", "--engine", "redis", "--project", "shop", "--server",
             server, "--image", "berth-test/no-such-image:0", "--wait"},
            admin);
  EXPECT_EQ(created.exit, 1) << created.out << created.err;
  EXPECT_NE(created.err.find("service cache failed: "), std::string::npos) << created.err;
  const CliRun shown = berth({"--json", "services", "show", "cache"}, admin);
  ASSERT_EQ(shown.exit, 0) << shown.err;
  const auto service = nlohmann::json::parse(shown.out);
  EXPECT_EQ(service.value("status", ""), "failed");
  ASSERT_TRUE(service["status_message"].is_string()) << shown.out;
  EXPECT_NE(created.err.find(service["status_message"].get<std::string>()), std::string::npos)
      << created.err;
  const CliRun started = berth({"services", "start", "cache", "--wait"}, admin);
  EXPECT_EQ(started.exit, 1) << started.out << started.err;
  EXPECT_NE(started.err.find("failed: "), std::string::npos) << started.err;
  // A failed service is not busy: typing its name deletes it.
  const CliRun removed = berth({"services", "rm", "cache"}, admin, "cache\n");
  EXPECT_EQ(removed.exit, 0) << removed.err;
  EXPECT_NE(removed.out.find("Deleting service cache"), std::string::npos) << removed.out;
}

// The backups verbs against a berthd without a running service (the backup itself, with a real
// agent, dockerd and S3, is tests/system/backup_system_test.cpp): an empty list, and the
// refusals a user meets first.
TEST_F(CliTest, BackupsListAndTheirFirstRefusals) {
  start_fleet();
  const std::string server = enrol(agent_dir("far"));
  const auto admin = with_key(api_key_);
  const CliRun empty = berth({"--json", "backups", "ls"}, admin);
  ASSERT_EQ(empty.exit, 0) << empty.err;
  EXPECT_EQ(nlohmann::json::parse(empty.out), nlohmann::json::array());
  ASSERT_EQ(berth({"projects", "create", "shop"}, admin).exit, 0);
  ASSERT_EQ(berth({"services", "create", "orders-db", "--engine", "postgres", "--project", "shop",
                   "--server", server},
                  admin)
                .exit,
            0);
  const CliRun no_destination =
      berth({"backups", "run", "orders-db", "--destination", "offsite"}, admin);
  EXPECT_EQ(no_destination.exit, 4) << no_destination.err;
  EXPECT_NE(no_destination.err.find("offsite"), std::string::npos) << no_destination.err;
  EXPECT_EQ(berth({"backups", "run", "orders-db"}, admin).exit, 2) << "--destination is required";
  const CliRun missing = berth({"backups", "restore", "bkp_nope", "--confirm", "x"}, admin);
  EXPECT_EQ(missing.exit, 4) << missing.err;
  const CliRun missing_new =
      berth({"backups", "restore", "bkp_nope", "--new", "orders-copy"}, admin);
  EXPECT_EQ(missing_new.exit, 4) << missing_new.err;
  const CliRun no_server = berth(
      {"backups", "restore", "bkp_nope", "--new", "orders-copy", "--server", "nowhere"}, admin);
  EXPECT_EQ(no_server.exit, 4) << no_server.err;
  EXPECT_NE(no_server.err.find("nowhere"), std::string::npos) << no_server.err;
  EXPECT_EQ(berth({"backups", "restore", "bkp_nope", "--server", server}, admin).exit, 2)
      << "--server needs --new";
  EXPECT_EQ(
      berth({"backups", "restore", "bkp_nope", "--new", "a", "--confirm", "orders-db"}, admin).exit,
      2)
      << "--new and --confirm exclude each other";
  const CliRun no_drill = berth({"backups", "drill", "bkp_nope", "--wait"}, admin);
  EXPECT_EQ(no_drill.exit, 4) << no_drill.err;
  const CliRun no_drills = berth({"backups", "drills", "bkp_nope"}, admin);
  EXPECT_EQ(no_drills.exit, 4) << no_drills.err;
  const CliRun listed = berth({"backups", "ls", "--service", "orders-db"}, admin);
  EXPECT_EQ(listed.exit, 0) << listed.err;
  // Schedules: a service's, or an app volume's with --app and --volume.
  const CliRun no_policy = berth({"backups", "schedule", "show", "orders-db"}, admin);
  EXPECT_EQ(no_policy.exit, 4) << no_policy.err;
  EXPECT_EQ(berth({"backups", "schedule", "show"}, admin).exit, 2) << "name what is scheduled";
  EXPECT_EQ(berth({"backups", "schedule", "show", "--app", "web"}, admin).exit, 2)
      << "--app needs --volume";
  EXPECT_EQ(
      berth({"backups", "schedule", "rm", "orders-db", "--app", "web", "--volume", "data"}, admin)
          .exit,
      2)
      << "a service or an app's volume, not both";
  const CliRun no_app = berth({"backups", "schedule", "set", "--app", "nope", "--volume", "data",
                               "--cron", "@daily", "--destination", "offsite"},
                              admin);
  EXPECT_EQ(no_app.exit, 4) << no_app.err;
  EXPECT_NE(no_app.err.find("nope"), std::string::npos) << no_app.err;
}

TEST_F(CliTest, DocsCliMdHasTheCurrentCommandReference) {
  const CliRun generated = berth({"help-markdown"});
  ASSERT_EQ(generated.exit, 0) << generated.err;
  const std::string docs = read_file(fs::path(BERTH_SOURCE_DIR) / "docs" / "cli.md");
  const std::string marker = "<!-- generated by `berth help-markdown`; do not edit below -->\n";
  const auto at = docs.find(marker);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(docs.substr(at + marker.size()), generated.out)
      << "run: build/ci/bin/berth help-markdown to refresh docs/cli.md's reference";
}

}  // namespace
}  // namespace berth::testing
