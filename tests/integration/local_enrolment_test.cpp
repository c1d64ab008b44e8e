// The agent on berthd's own machine as the Debian package runs it: berthd offers it an install
// token in a file (--local-enrolment-file) from the first start, before anyone has set the
// instance up, and `berth-agent run --enrol-from FILE` spends it. The administrator who then sets
// the instance up finds that server in their own team.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "integration/fleet_fixture.hpp"
#include "integration/identity_client.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class LocalEnrolmentTest : public FleetTest {
 protected:
  // berthd as the package starts it: with the offer, and nobody set up yet.
  void start_unset(const fs::path& offer) {
    restart_args_ = {"--local-enrolment-file", offer.string()};
    BerthdOptions options;
    options.args = restart_args_;
    options.args.insert(options.args.end(), {"--agent-heartbeat", kHeartbeat, "--rate-limit", "0",
                                             "--sign-in-rate-limit", "0"});
    start(options);
    fixed_port_ = port();  // restart_berthd() comes back on it
  }

  // The offer file once `accept` holds for it (fails the test after 20 s).
  static json wait_offer(const fs::path& offer, const std::function<bool(const json&)>& accept) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    json current;
    while (std::chrono::steady_clock::now() < deadline) {
      current = json::parse(read_file(offer), nullptr, /*allow_exceptions=*/false);
      if (current.is_object() && accept(current)) {
        return current;
      }
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "the offer never reached the expected state: " << current.dump();
    return current;
  }

  // Sets the instance up as its first administrator would, then keeps an owner key for api().
  void set_up_instance() {
    IdentityClient client(port());
    std::string token = read_file(berthd_->data_dir() / "setup-token");
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
      token.pop_back();
    }
    const HttpResponse setup = client.setup(token, "admin@example.com", "a long admin password 1");
    ASSERT_EQ(setup.status, 201) << setup.body;
    const HttpResponse key =
        client.post("/api/v1/api-keys", {{"name", "tests"}, {"role", "owner"}});
    ASSERT_EQ(key.status, 201) << key.body;
    api_key_ = key.json()["raw_key"].get<std::string>();
  }
};

TEST_F(LocalEnrolmentTest, TheAgentEnrolsBeforeSetupAndTheFirstAdministratorGetsItsServer) {
  const fs::path offer = dir_.path() / "local-enrolment.json";
  start_unset(offer);
  const json offered = wait_offer(offer, [](const json& o) { return o.contains("install_token"); });
  EXPECT_EQ(offered.value("server", ""), server_url());
  struct stat info {};
  ASSERT_EQ(::stat(offer.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "the token must be readable by its owner only";

  // The agent as the package's unit runs it, before anyone has signed in.
  const fs::path state = agent_dir("local");
  fs::create_directories(state);
  agents_.push_back(std::make_unique<AgentProcess>(
      state, std::vector<std::string>{}, std::vector<std::string>{"--enrol-from", offer.string()}));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!fs::exists(state / "agent.json") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(fs::exists(state / "agent.json")) << agents_.back()->log();
  // Spent: the file no longer holds a token, and berthd offers none again.
  const json spent = wait_offer(offer, [](const json& o) { return o.contains("spent_at"); });
  EXPECT_FALSE(spent.contains("install_token")) << spent.dump();

  set_up_instance();
  const HttpResponse servers = api("GET", "/api/v1/servers");
  ASSERT_EQ(servers.status, 200) << servers.body;
  ASSERT_EQ(servers.json()["data"].size(), 1u) << servers.body;
  const std::string server_id = servers.json()["data"][0]["id"].get<std::string>();
  wait_server_status(server_id, "online");
  // The team made for it is the administrator's own, named after them.
  const HttpResponse teams = api("GET", "/api/v1/teams");
  ASSERT_EQ(teams.status, 200) << teams.body;
  ASSERT_EQ(teams.json()["data"].size(), 1u) << teams.body;
  EXPECT_EQ(teams.json()["data"][0]["name"], "Admin's team") << teams.body;
  // (The servers list above is the key's team's: the administrator's own, their only team.)

  // A restart neither offers again nor enrols a second server.
  restart_berthd();
  std::this_thread::sleep_for(2500ms);  // past the offer's first tick and its 2 s period
  EXPECT_TRUE(json::parse(read_file(offer)).contains("spent_at"));
  EXPECT_EQ(api("GET", "/api/v1/servers").json()["data"].size(), 1u);
}

TEST_F(LocalEnrolmentTest, AnAgentWaitingForAnOfferStopsOnSigtermWithoutEnrolling) {
  start_unset(dir_.path() / "offer-elsewhere.json");
  const fs::path state = agent_dir("waiting");
  fs::create_directories(state);
  AgentProcess agent(state, {}, {"--enrol-from", (dir_.path() / "never-written.json").string()});
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(agent.wait_exit(0ms)) << "it must wait, not give up: " << agent.log();
  EXPECT_EQ(agent.stop(), 0) << agent.log();
  EXPECT_FALSE(fs::exists(state / "agent.json"));
  EXPECT_NE(agent.log().find("waiting for berthd"), std::string::npos) << agent.log();
}

TEST_F(LocalEnrolmentTest, AnOfferMadeAfterSetupIsForTheFirstAdministratorsTeam) {
  const fs::path offer = dir_.path() / "local-enrolment.json";
  start_unset(dir_.path() / "not-yet.json");
  set_up_instance();
  // berthd restarted with the offer on an instance that is set up already.
  restart_args_ = {"--local-enrolment-file", offer.string()};
  restart_berthd();
  wait_offer(offer, [](const json& o) { return o.contains("install_token"); });
  const fs::path state = agent_dir("late");
  fs::create_directories(state);
  agents_.push_back(std::make_unique<AgentProcess>(
      state, std::vector<std::string>{}, std::vector<std::string>{"--enrol-from", offer.string()}));
  const json servers = wait_for("/api/v1/servers", [](const json& b) {
    return b["data"].size() == 1 && b["data"][0]["status"] == "online";
  });
  EXPECT_EQ(api("GET", "/api/v1/teams").json()["data"].size(), 1u)
      << "no second team was made for it";
}

}  // namespace
}  // namespace berth::testing
