// berthd on its own HTTPS domain through the local agent's Caddy (issue 17, docs/install.md
// "The panel on HTTPS"), with real parts: berthd started with --public-url https://panel.test
// and listening on loopback, the agent on its machine with a real Caddy, and a Caddy ACME CA
// in a network namespace where panel.test is this host and ports 80/443 of this host are the
// server Caddy's ports (acme_ca_fixture.hpp). With no proxy configuration by hand, a client in
// that namespace trusting only the CA's root reaches the API and the dashboard over HTTPS, and
// a second agent enrols and holds its WebSocket through https://panel.test; the install
// command is https; no team can take the name; and a deployment's new table keeps the route.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "system/acme_ca_fixture.hpp"
#include "system/deploy_fixture.hpp"
#include "system/netns_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kPanel = "panel.test";

class PanelHttpsTest : public AcmeDeployTest {
 protected:
  void SetUp() override {
    berthd_args_ = {"--public-url", std::string("https://") + kPanel};
    AcmeDeployTest::SetUp();
  }

  // curl inside the namespace, trusting only the test CA: "<status> <content type>" then the
  // body on the next line, or "curl failed: ...".
  std::string curl_inside(const NetnsFixture& ns, const std::filesystem::path& root,
                          const std::string& url) {
    const CommandResult curl =
        run_command({"ip", "netns", "exec", ns.name(), "curl", "-sS", "--max-time", "10",
                     "--cacert", root.string(), "-w", "\n%{http_code} %{content_type}", url},
                    {}, "", 20s);
    if (curl.exit_code != 0) {
      return "curl failed: " + curl.output;
    }
    const auto last = curl.output.rfind('\n');
    return curl.output.substr(last + 1) + "\n" + curl.output.substr(0, last);
  }

  // Polls until the answer starts with `prefix`; the last answer.
  std::string curl_until(const NetnsFixture& ns, const std::filesystem::path& root,
                         const std::string& url, const std::string& prefix,
                         std::chrono::seconds timeout) {
    std::string answer;
    for (const auto deadline = std::chrono::steady_clock::now() + timeout;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(500ms)) {
      answer = curl_inside(ns, root, url);
      if (answer.starts_with(prefix)) {
        break;
      }
    }
    return answer;
  }
};

TEST_F(PanelHttpsTest, ThePanelsDomainIsServedOverHttpsByTheLocalAgentsCaddy) {
  const auto started = std::chrono::steady_clock::now();
  NetnsFixture ns;
  NetnsHosts hosts(ns.name(),
                   "127.0.0.1 localhost\n" + ns.host_address() + " " + std::string(kPanel) + "\n");
  // The only thing the test configures: the server's ACME CA, as an operator would point it
  // at Let's Encrypt's staging. The panel's route itself is berthd's doing.
  if (const std::string why = point_server_at_ca(ns, "ops@panel.test"); !why.empty()) {
    GTEST_SKIP() << why;
  }
  ASSERT_TRUE(ca_);

  // The API over HTTPS, with a certificate from the test CA (curl checks it against the root).
  const std::string base = std::string("https://") + kPanel;
  const std::string health =
      curl_until(ns, ca_->root_file(), base + "/api/v1/health", "200 application/json", 90s);
  ASSERT_TRUE(health.starts_with("200 application/json")) << health;
  EXPECT_NE(health.find(R"("status":"ok")"), std::string::npos) << health;
  const CommandResult issuer =
      run_command({"ip", "netns", "exec", ns.name(), "sh", "-c",
                   "openssl s_client -connect " + std::string(kPanel) + ":443 -servername " +
                       kPanel + " </dev/null 2>/dev/null | openssl x509 -noout -issuer"},
                  {}, "", 20s);
  EXPECT_NE(issuer.output.find(AcmeTestCa::kIntermediateName), std::string::npos) << issuer.output;

  // The dashboard's index, and plain HTTP redirected to HTTPS.
  const std::string index = curl_inside(ns, ca_->root_file(), base + "/");
  EXPECT_TRUE(index.starts_with("200 text/html")) << index.substr(0, 300);
  const CommandResult plain = run_command(
      {"ip", "netns", "exec", ns.name(), "curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w",
       "%{http_code} %{redirect_url}", std::string("http://") + kPanel + "/api/v1/health"},
      {}, "", 20s);
  EXPECT_TRUE(plain.output.starts_with("308 https://" + std::string(kPanel)) ||
              plain.output.starts_with("301 https://" + std::string(kPanel)))
      << plain.output;

  // What a new server is told to run is https, and the script it fetches is served over it.
  const HttpResponse minted = api("POST", "/api/v1/servers/install-tokens", json::object());
  ASSERT_EQ(minted.status, 201) << minted.body;
  const std::string command = minted.json().value("install_command", "");
  EXPECT_NE(command.find(" " + base + "/api/v1/agent/install.sh "), std::string::npos) << command;
  EXPECT_EQ(command.find("http://"), std::string::npos) << command;
  const std::string script = curl_inside(ns, ca_->root_file(), base + "/api/v1/agent/install.sh");
  EXPECT_TRUE(script.starts_with("200 ")) << script.substr(0, 300);

  // A second agent enrols through https://panel.test (trusting the test CA) and keeps its
  // WebSocket to berthd through the Caddy: its server comes up.
  const auto state = agent_dir("agent-https");
  std::filesystem::create_directories(state);
  const CommandResult enrolled =
      run_command({"ip", "netns", "exec", ns.name(), BERTH_AGENT_PATH, "enroll", "--server", base,
                   "--install-token", minted.json().value("token", ""), "--ca-file",
                   ca_->root_file().string(), "--state-dir", state.string()},
                  {}, "", 60s);
  ASSERT_EQ(enrolled.exit_code, 0) << enrolled.output;
  const json identity = json::parse(read_text(state / "agent.json"), nullptr, false);
  ASSERT_TRUE(identity.is_object());
  EXPECT_EQ(identity.value("server_url", ""), base);
  const std::string second = identity.value("server_id", "");
  agents_.push_back(std::make_unique<AgentProcess>(
      state, std::vector<std::string>{"/usr/sbin/ip", "netns", "exec", ns.name()},
      std::vector<std::string>{"--docker-socket", socket_path_}));
  const json up = wait_for(
      "/api/v1/servers/" + second,
      [](const json& s) {
        return s.value("status", "") == "online" || s.value("status", "") == "degraded";
      },
      60s);
  EXPECT_TRUE(up.value("status", "") == "online" || up.value("status", "") == "degraded") << up;

  // No team can take the panel's name.
  const std::string app = create_app("site", image_source(kAppV1));
  ASSERT_FALSE(app.empty());
  const HttpResponse taken =
      api("POST", "/api/v1/apps/" + app + "/domains", {{"hostname", kPanel}});
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(taken.json()["error"].value("code", ""), "hostname_taken") << taken.body;

  // A deployment applies the server's table again: the app is served, and so is the panel.
  ASSERT_TRUE(succeeded(deploy_and_wait(app)));
  EXPECT_EQ(wait_serving("site.test", "v1\n").body, "v1\n");
  const std::string again = curl_inside(ns, ca_->root_file(), base + "/api/v1/health");
  EXPECT_TRUE(again.starts_with("200 application/json")) << again;
  const auto took =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  std::cout << "panel on HTTPS end to end took " << took.count() << " s\n";
}

}  // namespace
}  // namespace berth::testing
