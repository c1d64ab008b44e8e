// Domains end to end with real parts: berthd, a real agent, dockerd and the server's Caddy.
//
// DomainEndToEndTest: an app deployed on dockerd gets two more domains through the API, one
// redirecting (308) to the other; both answer through Caddy; a removed domain stops answering
// while the app keeps running its one deployment.
//
// AcmeEndToEndTest: a second Caddy, inside a network namespace of its own, is an ACME CA (its
// `acme_server`). The server's proxy settings point Caddy's acme issuer at it with its root,
// and a domain whose name resolves (in the CA's namespace) to this host gets a certificate
// through the real HTTP-01 (or TLS-ALPN-01) challenge: the CA's requests to ports 80/443 of the
// host's veth address are DNAT'ed to the server Caddy's ports. The certificate shows on the
// domain after "check", and `curl --cacert <the CA's root>` answers the app over HTTPS. A
// domain whose name points at another machine gets no certificate: its check shows Caddy's
// ACME error, and DNS not ok.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/time_format.hpp"
#include "system/deploy_fixture.hpp"
#include "system/netns_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// curl's status code and redirect target for GET http://host:port/path through Caddy.
std::string status_and_location(int port, const std::string& host, const std::string& path) {
  const CommandResult curl = run_command(
      {"curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
       "--resolve", host + ":" + std::to_string(port) + ":127.0.0.1",
       "http://" + host + ":" + std::to_string(port) + path},
      {}, "", 20s);
  return curl.exit_code == 0 ? curl.output : "curl failed: " + curl.output;
}

class DomainEndToEndTest : public DeployTest {};

TEST_F(DomainEndToEndTest, DomainsAddedRedirectedAndRemovedWithoutARedeploy) {
  const std::string id = create_app("site", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(succeeded(deploy_and_wait(id)));
  ASSERT_EQ(wait_serving("site.test", "v1\n").status, 200);
  const std::string domains = "/api/v1/apps/" + id + "/domains";

  const HttpResponse shop = api("POST", domains, {{"hostname", "shop.example.test"}});
  ASSERT_EQ(shop.status, 201) << shop.body;
  const std::string shop_id = shop.json()["id"];
  const HttpResponse www =
      api("POST", domains, {{"hostname", "www.shop.example.test"}, {"redirect_to", shop_id}});
  ASSERT_EQ(www.status, 201) << www.body;
  const std::string www_id = www.json()["id"];

  // Each reaches Caddy through the agent without a deployment: the page, and a 308 to it.
  EXPECT_EQ(wait_serving("shop.example.test", "v1\n").body, "v1\n");
  const std::string redirect =
      "308 http://shop.example.test:" + std::to_string(http_port_) + "/cgi-bin/env?x=1";
  std::string answer;
  for (const auto deadline = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < deadline && answer != redirect;
       std::this_thread::sleep_for(100ms)) {
    answer = status_and_location(http_port_, "www.shop.example.test", "/cgi-bin/env?x=1");
  }
  EXPECT_EQ(answer, redirect);
  const json listed = api("GET", domains).json();
  ASSERT_EQ(listed["data"].size(), 3U) << listed;  // site.test, the primary, and the two

  // Removing the redirect and then the domain it pointed at: Caddy stops answering them, the
  // app's own hostname still answers, and the app was not deployed again.
  ASSERT_EQ(api("DELETE", "/api/v1/domains/" + www_id).status, 204);
  ASSERT_EQ(api("DELETE", "/api/v1/domains/" + shop_id).status, 204);
  ProxyReply gone;
  for (const auto deadline = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    gone = through_proxy("shop.example.test");
    answer = status_and_location(http_port_, "www.shop.example.test", "/");
    if (gone.kind == ProxyReply::Kind::ok && gone.body != "v1\n" && !answer.starts_with("308")) {
      break;
    }
  }
  EXPECT_EQ(gone.kind, ProxyReply::Kind::ok) << gone.error;
  EXPECT_NE(gone.body, "v1\n");
  EXPECT_FALSE(answer.starts_with("308")) << answer;
  EXPECT_EQ(through_proxy("site.test").body, "v1\n");
  const json deployments = api("GET", "/api/v1/apps/" + id + "/deployments").json();
  EXPECT_EQ(deployments["data"].size(), 1U) << deployments;
  // The domains came and went without a load of the client-facing Caddy: its catch-all sent
  // them to the agent's edge Caddy (docs/domains.md "Changing domains under load").
  const std::string config = caddy_->config();
  EXPECT_EQ(config.find("shop.example.test"), std::string::npos);
  EXPECT_NE(config.find("all.edge.berth.internal"), std::string::npos);
}

// /etc/netns/<ns>/hosts, which `ip netns exec` mounts over /etc/hosts for what runs in <ns>;
// removed again with the directory (and /etc/netns when this made it and it is empty).
class NetnsHosts {
 public:
  NetnsHosts(const std::string& ns, const std::string& text)
      : dir_("/etc/netns/" + ns), made_parent_(!std::filesystem::exists(dir_.parent_path())) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "hosts") << text;
  }
  ~NetnsHosts() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    if (made_parent_) {
      std::filesystem::remove(dir_.parent_path(), ignored);  // only when empty
    }
  }
  NetnsHosts(const NetnsHosts&) = delete;
  NetnsHosts& operator=(const NetnsHosts&) = delete;

 private:
  std::filesystem::path dir_;
  bool made_parent_ = false;
};

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class AcmeEndToEndTest : public DeployTest {
 protected:
  void SetUp() override {
    if (const std::string reason = NetnsFixture::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    if (run_command({"iptables", "--version"}).exit_code != 0) {
      GTEST_SKIP() << "the ACME test needs iptables (DNAT of the CA's requests to port 80/443)";
    }
    DeployTest::SetUp();
  }

  // POST /domains/{id}/check until `accept` holds for the view (or the deadline); the last view.
  json check_until(const std::string& domain_id, const std::function<bool(const json&)>& accept,
                   std::chrono::steady_clock::time_point deadline) {
    json view;
    while (std::chrono::steady_clock::now() < deadline) {
      const HttpResponse checked = api("POST", "/api/v1/domains/" + domain_id + "/check");
      if (checked.status == 200) {
        view = checked.json();
        if (accept(view)) {
          return view;
        }
      }
      std::this_thread::sleep_for(500ms);
    }
    return view;
  }
};

TEST_F(AcmeEndToEndTest, ADomainGetsItsCertificateFromTheServersCaAndOnePointingElsewhereDoesNot) {
  const auto started = std::chrono::steady_clock::now();
  NetnsFixture ns;
  const std::string good = "app.acme.test";
  const std::string elsewhere = "elsewhere.acme.test";
  // In the CA's namespace the good name is this host (the veth's host side); the other one is
  // the namespace's own address, a machine where no Berth server runs.
  NetnsHosts hosts(ns.name(), "127.0.0.1 localhost\n" + ns.host_address() + " " + good + "\n" +
                                  ns.inside_address() + " " + elsewhere + "\n");
  const json proxy = api("GET", "/api/v1/servers/" + server_id_ + "/proxy").json();
  const int https_port = proxy.value("https_port", 0);
  ASSERT_GT(https_port, 0) << proxy;
  // The CA validates on ports 80 and 443 of the name's address: to the server Caddy's ports.
  for (const auto& [from, to] : {std::pair{80, http_port_}, std::pair{443, https_port}}) {
    const int status =
        ns.run_inside_and_wait({"iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d",
                                ns.host_address(), "--dport", std::to_string(from), "-j", "DNAT",
                                "--to-destination", ns.host_address() + ":" + std::to_string(to)});
    if (status != 0) {
      GTEST_SKIP() << "iptables cannot DNAT inside a network namespace here (exit " << status
                   << ")";
    }
  }

  // The CA: Caddy's local CA (names of its own, so its certificates cannot be mistaken for the
  // server Caddy's internal ones) behind acme_server on :8443, with a certificate for its
  // address from that same CA.
  const auto ca_dir = dir_.path() / "ca";
  std::filesystem::create_directories(ca_dir);
  const json ca_config = {
      {"admin", {{"disabled", true}}},
      {"apps",
       {{"pki",
         {{"certificate_authorities",
           {{"local",
             {{"install_trust", false},
              {"name", "Berth Test ACME CA"},
              {"root_common_name", "Berth Test ACME Root"},
              {"intermediate_common_name", "Berth Test ACME Intermediate"}}}}}}},
        {"http",
         {{"http_port", 8080},
          {"https_port", 8443},
          {"servers",
           {{"ca",
             {{"listen", {":8443"}},
              {"routes", {{{"handle", {{{"handler", "acme_server"}, {"ca", "local"}}}}}}},
              {"tls_connection_policies", {json::object()}},
              {"automatic_https", {{"disable_redirects", true}}}}}}}}},
        {"tls",
         {{"certificates", {{"automate", {ns.inside_address()}}}},
          {"automation",
           {{"policies",
             {{{"subjects", {ns.inside_address()}},
               {"issuers", {{{"module", "internal"}}}}}}}}}}}}}};
  std::ofstream(ca_dir / "caddy.json") << ca_config.dump(2);
  ns.run_inside({"env", "XDG_DATA_HOME=" + (ca_dir / "data").string(),
                 "XDG_CONFIG_HOME=" + (ca_dir / "config").string(), "caddy", "run", "--config",
                 (ca_dir / "caddy.json").string()},
                (ca_dir / "caddy.log").string());
  const auto root_file = ca_dir / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt";
  const std::string directory = "https://" + ns.inside_address() + ":8443/acme/local/directory";
  CommandResult probe;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(200ms)) {
    if (std::filesystem::exists(root_file)) {
      probe =
          run_command({"curl", "-sS", "--max-time", "5", "--cacert", root_file.string(), directory},
                      {}, "", 10s);
      if (probe.exit_code == 0 && probe.output.find("newOrder") != std::string::npos) {
        break;
      }
    }
  }
  ASSERT_NE(probe.output.find("newOrder"), std::string::npos)
      << "the CA Caddy does not answer: " << probe.output << "\n"
      << read_text(ca_dir / "caddy.log");
  const std::string root = read_text(root_file);

  // The server's proxy settings point its acme issuer at that CA.
  json settings = proxy;
  settings.erase("server_id");
  settings["base_domain"] = "test";
  settings["acme_ca"] = directory;
  settings["acme_ca_root"] = root;
  settings["acme_email"] = "ops@acme.test";
  const HttpResponse put = api("PUT", "/api/v1/servers/" + server_id_ + "/proxy", settings);
  ASSERT_EQ(put.status, 200) << put.body;

  const std::string id = create_app("secure", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(succeeded(deploy_and_wait(id)));
  const std::string domains = "/api/v1/apps/" + id + "/domains";
  // Neither name makes Caddy reload: its HTTPS listener is there before any TLS domain, so
  // both are sent by its catch-all route to the agent's edge Caddy, and their certificates come
  // on demand (the agent's ask says yes) through the real HTTP-01 challenge, which Caddy
  // answers for names its config does not hold. The failing one goes first: its attempt must
  // not hold up the good one's.
  const std::string front = caddy_->config();
  const HttpResponse other = api("POST", domains, {{"hostname", elsewhere}, {"tls", "acme"}});
  ASSERT_EQ(other.status, 201) << other.body;
  const HttpResponse added = api("POST", domains, {{"hostname", good}, {"tls", "acme"}});
  ASSERT_EQ(added.status, 201) << added.body;

  const json issued = check_until(
      added.json()["id"],
      [](const json& view) {
        return view["certificate"].is_object() &&
               view["certificate"].value("issuer", "").find("Berth Test ACME") != std::string::npos;
      },
      std::chrono::steady_clock::now() + 40s);
  ASSERT_TRUE(issued["certificate"].is_object()) << issued.dump(2);
  EXPECT_NE(issued["certificate"].value("issuer", "").find("Berth Test ACME Intermediate"),
            std::string::npos)
      << issued["certificate"];
  EXPECT_EQ(issued["certificate"]["sans"], json({good}));
  const auto not_after = parse_rfc3339(issued["certificate"].value("not_after", ""));
  ASSERT_TRUE(not_after) << issued["certificate"];
  EXPECT_GT(*not_after, std::chrono::system_clock::now());
  EXPECT_TRUE(issued["certificate_check"]["acme_error"].is_null()) << issued["certificate_check"];

  // A client that trusts only the test CA reaches the app over HTTPS.
  const std::string port = std::to_string(https_port);
  const CommandResult curl =
      run_command({"curl", "-sS", "--max-time", "10", "--cacert", root_file.string(), "--resolve",
                   good + ":" + port + ":127.0.0.1", "https://" + good + ":" + port + "/"},
                  {}, "", 20s);
  EXPECT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_EQ(curl.output, "v1\n");
  EXPECT_EQ(caddy_->config(), front);  // served, and never reloaded

  // The name that points elsewhere: the CA's validation never reaches this server, Caddy gives
  // up on the authorization after its 30 s (acme_timeout), and that reason arrives on the
  // domain; DNS is not ok.
  const json failed = check_until(
      other.json()["id"],
      [](const json& view) {
        const std::string error = view["certificate_check"].is_object() &&
                                          view["certificate_check"]["acme_error"].is_string()
                                      ? view["certificate_check"]["acme_error"].get<std::string>()
                                      : "";
        return error.find("authorization") != std::string::npos;
      },
      std::chrono::steady_clock::now() + 50s);
  ASSERT_TRUE(failed["certificate_check"].is_object()) << failed.dump(2);
  const std::string acme_error = failed["certificate_check"].value("acme_error", "");
  EXPECT_NE(acme_error.find("authorization"), std::string::npos) << failed.dump(2);
  EXPECT_NE(acme_error.find(elsewhere), std::string::npos) << acme_error;
  EXPECT_TRUE(failed["certificate"].is_null()) << failed["certificate"];
  EXPECT_NE(failed["dns"]["status"], "ok") << failed["dns"];
  // The PEM is not in Caddy's config: a file of the agent's state dir is.
  const std::string config = caddy_->config();
  EXPECT_NE(config.find(directory), std::string::npos);
  EXPECT_NE(config.find("acme_ca_root-"), std::string::npos);
  EXPECT_EQ(config.find("BEGIN CERTIFICATE"), std::string::npos);
  // The good name is not in it: its certificate came on demand.
  EXPECT_EQ(config.find(good), std::string::npos);
  EXPECT_NE(config.find("berth/tls-ask"), std::string::npos);
  const auto took =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  std::cout << "ACME end to end took " << took.count()
            << " s; the other name's check: " << failed["certificate_check"].dump() << "\n";
}

}  // namespace
}  // namespace berth::testing
