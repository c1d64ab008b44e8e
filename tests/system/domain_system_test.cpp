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
#include "system/acme_ca_fixture.hpp"
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

class AcmeEndToEndTest : public AcmeDeployTest {
 protected:
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
  const std::string switched = "switched.acme.test";  // served without TLS, then acme
  // In the CA's namespace the good name is this host (the veth's host side); the other one is
  // the namespace's own address, a machine where no Berth server runs.
  NetnsHosts hosts(ns.name(), "127.0.0.1 localhost\n" + ns.host_address() + " " + good + " " +
                                  switched + "\n" + ns.inside_address() + " " + elsewhere + "\n");
  // The CA validates on ports 80 and 443 of the name's address: to the server Caddy's ports.
  if (const std::string why = point_server_at_ca(ns, "ops@acme.test"); !why.empty()) {
    GTEST_SKIP() << why;
  }
  ASSERT_TRUE(ca_);
  const std::string directory = ca_->directory();
  const auto root_file = ca_->root_file();
  const int https_port = https_port_;

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

  // A domain the client-facing Caddy serves without TLS (an internal domain beside it makes
  // Caddy load both) switched to acme: handed over to the edge Caddy, no load, and its
  // certificate comes on demand like a new one's.
  const HttpResponse plain = api("POST", domains, {{"hostname", switched}, {"tls", "off"}});
  ASSERT_EQ(plain.status, 201) << plain.body;
  ASSERT_EQ(api("POST", domains, {{"hostname", "internal.acme.test"}, {"tls", "internal"}}).status,
            201);
  std::string loaded;
  for (const auto deadline = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < deadline && loaded.find(switched) == std::string::npos;
       std::this_thread::sleep_for(200ms)) {
    loaded = caddy_->config();
  }
  ASSERT_NE(loaded.find(switched), std::string::npos) << loaded;
  const std::string switched_id = plain.json()["id"];
  const HttpResponse patched = api("PATCH", "/api/v1/domains/" + switched_id, {{"tls", "acme"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  const json switched_view = check_until(
      switched_id,
      [](const json& view) {
        return view["certificate"].is_object() &&
               view["certificate"].value("issuer", "").find("Berth Test ACME") != std::string::npos;
      },
      std::chrono::steady_clock::now() + 40s);
  EXPECT_TRUE(switched_view["certificate"].is_object()) << switched_view.dump(2);
  const CommandResult secured =
      run_command({"curl", "-sS", "--max-time", "10", "--cacert", root_file.string(), "--resolve",
                   switched + ":" + port + ":127.0.0.1", "https://" + switched + ":" + port + "/"},
                  {}, "", 20s);
  EXPECT_EQ(secured.output, "v1\n");
  // Plain http is now redirected to https (by the edge Caddy, once the apply has handed the
  // host over: the certificate may come first), and the front was not loaded.
  const std::string to_https = "308 https://" + switched + ":" + port + "/x";
  std::string redirected;
  for (const auto deadline = std::chrono::steady_clock::now() + 15s;
       std::chrono::steady_clock::now() < deadline && redirected != to_https;
       std::this_thread::sleep_for(100ms)) {
    redirected = status_and_location(http_port_, switched, "/x");
  }
  EXPECT_EQ(redirected, to_https);
  EXPECT_EQ(caddy_->config(), loaded);

  const auto took =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  std::cout << "ACME end to end took " << took.count()
            << " s; the other name's check: " << failed["certificate_check"].dump() << "\n";
}

}  // namespace
}  // namespace berth::testing
