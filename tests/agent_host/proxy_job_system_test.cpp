// proxy.apply against a real Caddy (`caddy run`, admin API and listeners on free loopback
// ports, its data in a temporary directory), with a request through Caddy reaching a test
// upstream by its Host header; Caddy finds the upstream's port by SRV from the keeper's DNS
// responder, so moving a host to another port reaches Caddy without a reload, and a
// keep-alive client sees no error across such switches.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "agent/host/certificate_job.hpp"
#include "agent/host/docker_client.hpp"
#include "agent/host/loopback_http.hpp"
#include "agent/host/proxy_job.hpp"
#include "keep_alive_client.hpp"
#include "process_helper.hpp"
#include "support/pem_certificate.hpp"
#include "support/temp_dir.hpp"
#include "system/docker_fixture.hpp"
#include "tiny_server.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class Recorded : public JobOutput {
 public:
  void write(std::string_view, std::string_view text) override {
    std::lock_guard lock(mutex_);
    text_ += text;
  }
  std::string take() {
    std::lock_guard lock(mutex_);
    return std::exchange(text_, {});
  }

 private:
  std::mutex mutex_;
  std::string text_;
};

class ProxySystem : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_program("caddy")) {
      GTEST_SKIP() << "caddy is not installed (scripts/install-deps); proxy.apply needs it";
    }
    std::filesystem::create_directories(dir_.path() / "state");
    start_caddy();
  }
  void TearDown() override {
    testing::stop_program(caddy_);
    // The keeper's edge Caddy outlives it by design (edge_caddy.hpp): the one edge.json names
    // is the last one standing (the ones it replaced were stopped).
    std::ifstream kept(dir_.file("state/edge/edge.json"));
    const json edge = json::parse(kept, nullptr, false);
    if (edge.is_object() && edge.value("pid", 0) > 1) {
      ::kill(edge.value("pid", 0), SIGKILL);
    }
  }

  void start_caddy() {
    std::ofstream(dir_.file("caddy.json")) << json{{"admin", {{"listen", admin_}}}}.dump();
    caddy_ = testing::start_program(
        {"caddy", "run", "--config", dir_.file("caddy.json")},
        {"XDG_DATA_HOME=" + dir_.file("data"), "XDG_CONFIG_HOME=" + dir_.file("config"),
         "HOME=" + dir_.path().string()},
        dir_.file("caddy.log"));
    ASSERT_GT(caddy_, 0);
    // Caddy takes a moment to open its admin endpoint; wait for it, bounded.
    for (int attempt = 0; attempt < 200; ++attempt) {
      auto answer =
          loopback_http("127.0.0.1", admin_port_, {.target = "/config/"}, milliseconds(500));
      if (answer && answer->status == 200) {
        return;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    FAIL() << "caddy did not open its admin endpoint; see " << dir_.file("caddy.log");
  }

  JobOutcome apply(ProxyKeeper& keeper, json args) {
    JobContext job{.job_id = "job_proxy",
                   .kind = "proxy.apply",
                   .args = std::move(args),
                   .timeout = milliseconds(30'000),
                   .output = output_,
                   .cancelled = cancelled_};
    return keeper.apply(job);
  }

  Result<LoopbackAnswer> through_caddy(const std::string& host) {
    // Longer than the catch-all's 5 s of retries, after which a host no route takes gets 503.
    return loopback_http("127.0.0.1", http_port_, {.target = "/", .host_header = host},
                         milliseconds(10'000));
  }

  berth::testing::TempDir dir_;
  int admin_port_ = berth::testing::free_loopback_port();
  std::string admin_ = "127.0.0.1:" + std::to_string(admin_port_);
  int http_port_ = berth::testing::free_loopback_port();
  pid_t caddy_ = -1;
  // Caddy's config now, and how many times it was posted a config (its admin log).
  json caddy_now() {
    auto answer =
        loopback_http("127.0.0.1", admin_port_, {.target = "/config/"}, milliseconds(5000));
    return answer ? json::parse(answer->body, nullptr, false) : json();
  }
  int caddy_loads() { return caddy_requests(R"("uri":"/load")"); }
  // How many times its whole config was read (GET /config/), by anyone.
  int caddy_reads() { return caddy_requests(R"("uri":"/config/")"); }
  int caddy_requests(const std::string& uri) {
    std::ifstream in(dir_.file("caddy.log"));
    const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    int count = 0;
    for (auto at = log.find(uri); at != log.npos; at = log.find(uri, at + 1)) {
      ++count;
    }
    return count;
  }
  // Waits (at most 20 s) until a request through Caddy is answered with `body`.
  bool reaches(const std::string& host, const std::string& body) {
    for (int attempt = 0; attempt < 400; ++attempt) {
      auto answer = through_caddy(host);
      if (answer && answer->body == body) {
        return true;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }
  json table(int port) {
    return {
        {"http_port", http_port_},
        {"https_port", https_port_},
        {"tls", "off"},
        {"routes", {{{"host", "app.test"}, {"upstream", "127.0.0.1:" + std::to_string(port)}}}}};
  }

  int https_port_ = berth::testing::free_loopback_port();
  Recorded output_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(ProxySystem, RoutesAHostToItsUpstreamAndComesBackAfterACaddyRestart) {
  testing::TinyServer upstream(200, 0);
  ProxyKeeper keeper({.admin_address = admin_, .state_dir = dir_.file("state")});
  const json args = table(upstream.port());
  const auto outcome = apply(keeper, args);
  ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message;
  EXPECT_EQ(outcome.result, json({{"routes", 1}}));
  EXPECT_EQ(output_.take(), "Caddy now routes 1 host(s)\n");
  auto answer = through_caddy("app.test");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200u);
  EXPECT_EQ(answer->body, "ok");
  auto unknown = through_caddy("other.test");
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->body, "ok");  // no route: Caddy's empty answer, never the upstream
  EXPECT_EQ(std::filesystem::status(dir_.file("state/proxy_routes.json")).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  // Applying the same table again changes nothing.
  const int loads = caddy_loads();
  EXPECT_EQ(apply(keeper, args).status, "succeeded");
  EXPECT_EQ(output_.take(), "nothing changed: Caddy routes 1 host(s)\n");
  EXPECT_EQ(caddy_loads(), loads);
  keeper.check();
  EXPECT_TRUE(keeper.take_events().empty());

  // Caddy restarts with only its admin config: the keeper notices and re-applies.
  testing::stop_program(caddy_);
  start_caddy();
  keeper.check();
  const auto events = keeper.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["kind"], "proxy_reapplied");
  answer = through_caddy("app.test");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->body, "ok");

  // A fresh keeper (an agent restart) restores the kept table too.
  testing::stop_program(caddy_);
  start_caddy();
  ProxyKeeper restarted({.admin_address = admin_, .state_dir = dir_.file("state")});
  restarted.restore();
  answer = through_caddy("app.test");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->body, "ok");
}

TEST_F(ProxySystem, SwitchesUpstreamsWithoutReloadingCaddy) {
  testing::TinyServer a(200, 0, "A");
  testing::TinyServer b(200, 0, "B");
  auto keeper = std::make_unique<ProxyKeeper>(
      ProxyOptions{.admin_address = admin_, .state_dir = dir_.file("state")});
  ASSERT_EQ(apply(*keeper, table(a.port())).status, "succeeded");
  EXPECT_EQ(output_.take(), "Caddy now routes 1 host(s)\n");
  ASSERT_TRUE(reaches("app.test", "A"));
  const json config = caddy_now();
  ASSERT_TRUE(config.is_object());
  const int loads = caddy_loads();
  ASSERT_GE(loads, 1);

  // Port B: the agent's DNS table changes, Caddy's config does not, and Caddy moves within its
  // SRV refresh.
  const auto switched = apply(*keeper, table(b.port()));
  ASSERT_EQ(switched.status, "succeeded") << switched.error_message;
  EXPECT_EQ(switched.result, json({{"routes", 1}}));
  EXPECT_EQ(output_.take(), "upstream switched without a Caddy reload (1 host(s))\n");
  EXPECT_TRUE(reaches("app.test", "B"));
  EXPECT_EQ(caddy_now(), config);
  EXPECT_EQ(caddy_loads(), loads);

  // A keep-alive client asking all the while: ten switches, each one seen by the client
  // before the next, and not one error.
  testing::KeepAliveClient client(http_port_, "app.test");
  for (int round = 0; round < 10; ++round) {
    const bool to_a = round % 2 == 0;
    ASSERT_EQ(apply(*keeper, table(to_a ? a.port() : b.port())).status, "succeeded");
    bool seen = false;
    for (int attempt = 0; attempt < 400 && !seen; ++attempt) {
      seen = client.last_body() == (to_a ? "A" : "B");
      if (!seen) {
        std::this_thread::sleep_for(milliseconds(50));
      }
    }
    ASSERT_TRUE(seen) << "round " << round << ", last error: " << client.last_error();
  }
  client.stop();
  EXPECT_EQ(client.errors(), 0) << client.last_error();
  EXPECT_EQ(client.connections(), 1);
  EXPECT_GT(client.answers(), 10);
  EXPECT_EQ(caddy_now(), config);
  EXPECT_EQ(caddy_loads(), loads);

  // An agent restart: the new keeper answers on the same DNS port from the kept table, so
  // Caddy's config still matches and is not posted again.
  // A request sent while the agent is away is retried by Caddy (try_duration) and answered
  // once the agent is back, whichever comes first.
  const auto dns_address = keeper->dns_address();
  keeper.reset();
  Result<LoopbackAnswer> during = fail(Error{});
  std::thread asker([&] {
    during = loopback_http("127.0.0.1", http_port_, {.target = "/", .host_header = "app.test"},
                           milliseconds(15'000));
  });
  ProxyKeeper restarted({.admin_address = admin_, .state_dir = dir_.file("state")});
  EXPECT_EQ(restarted.dns_address(), dns_address);
  restarted.restore();
  asker.join();
  ASSERT_TRUE(during) << during.error().message;
  EXPECT_EQ(during->body, "B");
  EXPECT_EQ(caddy_loads(), loads);
  EXPECT_TRUE(reaches("app.test", "B"));
}

// One SRV question for `name` to the responder at `address` ("127.0.0.1:port"); the raw answer.
std::string ask_srv(const std::string& address, const std::string& name) {
  std::string packet("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  std::size_t start = 0;
  while (start < name.size()) {
    const auto dot = std::min(name.find('.', start), name.size());
    packet.push_back(static_cast<char>(dot - start));
    packet += name.substr(start, dot - start);
    start = dot + 1;
  }
  packet += std::string("\0\0\x21\0\x01", 5);
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(address.find(':') + 1))));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  pollfd pfd{.fd = fd, .events = POLLIN, .revents = 0};
  std::string answer(4096, '\0');
  const auto got = ::poll(&pfd, 1, 5000) == 1 ? ::recv(fd, answer.data(), answer.size(), 0) : -1;
  ::close(fd);
  answer.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  return answer;
}

// Caddy dials the app's container on its bridge address, found from the published port
// through the Docker Engine, and a deployment's switch to another container moves it there.
TEST_F(ProxySystem, CaddyDialsThePublishingContainerDirectly) {
  const auto& engine = berth::testing::shared_docker_engine();
  if (!engine.ready) {
    GTEST_SKIP() << engine.reason;
  }
  DockerClient docker(engine.socket_path);
  std::vector<std::string> ids;
  // A container answering `body` on 8080, published on a loopback port: {port, its address}.
  const auto run = [&](const std::string& body) -> std::pair<int, std::string> {
    const json create = {
        {"Image", berth::testing::kTestImage},
        {"Cmd",
         {"sh", "-c",
          "mkdir -p /w && echo " + body + " > /w/index.html && httpd -f -p 8080 -h /w"}},
        {"ExposedPorts", {{"8080/tcp", json::object()}}},
        {"HostConfig",
         {{"PortBindings", {{"8080/tcp", {{{"HostIp", "127.0.0.1"}, {"HostPort", ""}}}}}}}}};
    auto created = docker.request("POST", "/containers/create", create);
    if (!created || created->status != 201) {
      return {0, ""};
    }
    const auto id = json::parse(created->body).value("Id", std::string());
    ids.push_back(id);
    auto started = docker.request("POST", "/containers/" + id + "/start");
    auto inspected = docker.request("GET", "/containers/" + id + "/json");
    if (!started || !inspected || inspected->status != 200) {
      return {0, ""};
    }
    const auto settings = json::parse(inspected->body)["NetworkSettings"];
    return {std::stoi(settings["Ports"]["8080/tcp"][0]["HostPort"].get<std::string>()),
            settings["Networks"].begin()->value("IPAddress", std::string())};
  };
  const auto [port_a, ip_a] = run("CA");
  const auto [port_b, ip_b] = run("CB");
  const auto cleanup = [&] {
    for (const auto& id : ids) {
      (void)docker.request("DELETE", "/containers/" + id + "?force=1");
    }
  };
  if (port_a == 0 || port_b == 0 || ip_a.empty() || ip_b.empty()) {
    cleanup();
    FAIL() << "could not run the test containers";
  }
  ProxyKeeper keeper({.admin_address = admin_,
                      .state_dir = dir_.file("state"),
                      .docker_socket = engine.socket_path});
  EXPECT_EQ(apply(keeper, table(port_a)).status, "succeeded");
  EXPECT_TRUE(reaches("app.test", "CA\n"));
  const auto name = upstream_service_name("app.test");
  // The SRV answer's target, ip-<a>-<b>-<c>-<d>.upstream.berth.internal: its first label as
  // the packet has it, after its length.
  const auto label = [](const std::string& ip) {
    const auto target = direct_target(ip);
    const auto first = target.substr(0, target.find('.'));
    return static_cast<char>(first.size()) + first;
  };
  EXPECT_NE(ask_srv(keeper.dns_address(), name).find(label(ip_a)), std::string::npos);
  output_.take();
  // The switch: the SRV answer names the new container, without a Caddy reload.
  EXPECT_EQ(apply(keeper, table(port_b)).status, "succeeded");
  EXPECT_EQ(output_.take(), "upstream switched without a Caddy reload (1 host(s))\n");
  const auto srv_b = ask_srv(keeper.dns_address(), name);
  EXPECT_NE(srv_b.find(label(ip_b)), std::string::npos);
  EXPECT_EQ(srv_b.find(label(ip_a)), std::string::npos);
  EXPECT_TRUE(reaches("app.test", "CB\n"));
  cleanup();
}

// Reading Caddy's config costs about a third of a load at 1,000 apps (bench/results/proxy.md),
// so a table that differs from the keeper's last load is posted straight away; the keeper still
// asks Caddy when it has loaded nothing yet, when the table is unchanged, and after a failure.
TEST_F(ProxySystem, AChangedTableIsPostedWithoutReadingCaddysConfigFirst) {
  testing::TinyServer upstream(200, 0, "A");
  ProxyKeeper keeper({.admin_address = admin_, .state_dir = dir_.file("state")});
  int reads = caddy_reads();
  int loads = caddy_loads();
  ASSERT_EQ(apply(keeper, table(upstream.port())).status, "succeeded");
  EXPECT_EQ(output_.take(), "Caddy now routes 1 host(s)\n");
  EXPECT_EQ(caddy_reads(), reads + 1);  // a new keeper knows nothing of what Caddy runs
  EXPECT_EQ(caddy_loads(), loads + 1);

  // A new host is the edge Caddy's until the front's next load: Caddy is asked whether it
  // still runs the front's config, and posted nothing.
  json two = table(upstream.port());
  two["routes"].push_back(
      {{"host", "more.test"}, {"upstream", "127.0.0.1:" + std::to_string(upstream.port())}});
  reads = caddy_reads();
  ASSERT_EQ(apply(keeper, two).status, "succeeded");
  EXPECT_EQ(output_.take(),
            "upstream switched without a Caddy reload (2 host(s), 1 through the edge Caddy until "
            "Caddy's next load)\n");
  EXPECT_EQ(caddy_reads(), reads + 1);
  EXPECT_EQ(caddy_loads(), loads + 1);
  EXPECT_TRUE(reaches("more.test", "A"));

  // A change the front must take (another https port) takes every host: posted without reading.
  // The port is a free one: the front listens on it even with no TLS host.
  json moved = two;
  int other_https = berth::testing::free_loopback_port();
  while (other_https == http_port_ || other_https == https_port_) {
    other_https = berth::testing::free_loopback_port();
  }
  moved["https_port"] = other_https;
  reads = caddy_reads();
  ASSERT_EQ(apply(keeper, moved).status, "succeeded");
  EXPECT_EQ(output_.take(), "Caddy now routes 2 host(s)\n");
  EXPECT_EQ(caddy_reads(), reads);
  EXPECT_EQ(caddy_loads(), loads + 2);
  EXPECT_NE(caddy_now().dump().find("more.test"), std::string::npos);
  EXPECT_TRUE(reaches("more.test", "A"));
  two = moved;

  // The same table again: Caddy is asked, and posted nothing.
  reads = caddy_reads();
  ASSERT_EQ(apply(keeper, two).status, "succeeded");
  EXPECT_EQ(output_.take(), "nothing changed: Caddy routes 2 host(s)\n");
  EXPECT_EQ(caddy_reads(), reads + 1);
  EXPECT_EQ(caddy_loads(), loads + 2);

  // Caddy restarted behind the keeper's back: the unchanged table is found missing and posted.
  testing::stop_program(caddy_);
  start_caddy();
  loads = caddy_loads();
  ASSERT_EQ(apply(keeper, two).status, "succeeded");
  EXPECT_EQ(output_.take(), "Caddy now routes 2 host(s)\n");
  EXPECT_EQ(caddy_loads(), loads + 1);
  EXPECT_TRUE(reaches("more.test", "A"));

  // A refused load (a port another program holds) leaves Caddy on the previous config; the
  // keeper no longer trusts its memory and asks Caddy before the next apply.
  testing::TinyServer holder(200, 0);
  json refused = two;
  refused["http_port"] = holder.port();
  EXPECT_EQ(apply(keeper, refused).error_code, "proxy_error");
  output_.take();
  reads = caddy_reads();
  loads = caddy_loads();
  ASSERT_EQ(apply(keeper, two).status, "succeeded");
  EXPECT_EQ(output_.take(), "nothing changed: Caddy routes 2 host(s)\n");
  EXPECT_EQ(caddy_reads(), reads + 1);
  EXPECT_EQ(caddy_loads(), loads);
  EXPECT_TRUE(reaches("more.test", "A"));
}

// A new host goes through the edge Caddy only when one can run: without it, Caddy is loaded
// with the host as before.
TEST_F(ProxySystem, WithoutAnEdgeCaddyANewHostIsLoadedIntoCaddy) {
  testing::TinyServer upstream(200, 0, "A");
  ProxyKeeper keeper({.admin_address = admin_,
                      .state_dir = dir_.file("state"),
                      .caddy_binary = dir_.file("no-such-caddy")});
  ASSERT_EQ(apply(keeper, table(upstream.port())).status, "succeeded");
  EXPECT_EQ(output_.take(), "Caddy now routes 1 host(s)\n");
  json two = table(upstream.port());
  two["routes"].push_back(
      {{"host", "more.test"}, {"upstream", "127.0.0.1:" + std::to_string(upstream.port())}});
  const int loads = caddy_loads();
  const auto outcome = apply(keeper, two);
  ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message;
  EXPECT_EQ(output_.take(), "Caddy now routes 2 host(s)\n");
  EXPECT_EQ(caddy_loads(), loads + 1);
  EXPECT_TRUE(reaches("more.test", "A"));
}

TEST_F(ProxySystem, CaddyRefusalsAndAbsenceAreReported) {
  ProxyKeeper keeper({.admin_address = admin_, .state_dir = dir_.file("state")});
  // Listening on a port another program holds cannot work: Caddy refuses the config.
  testing::TinyServer holder(200, 0);
  const auto refused = apply(keeper, {{"http_port", holder.port()}, {"routes", json::array()}});
  EXPECT_EQ(refused.error_code, "proxy_error");
  EXPECT_FALSE(refused.error_message.empty());
  EXPECT_FALSE(std::filesystem::exists(dir_.file("state/proxy_routes.json")));

  ProxyKeeper nowhere({.admin_address = "127.0.0.1:" + std::to_string(testing::closed_port()),
                       .state_dir = dir_.file("state")});
  const auto unreachable = apply(nowhere, {{"http_port", http_port_}, {"routes", json::array()}});
  EXPECT_EQ(unreachable.error_code, "proxy_unreachable");
  EXPECT_EQ(
      apply(keeper, {{"routes", {{{"host", "a.test"}, {"upstream", "10.0.0.1:80"}}}}}).error_code,
      "invalid_args");
}

// A table with ACME settings: the root goes into a 0644 file of the state dir that Caddy's
// acme issuer names (Caddy reads it when it loads the config, so this is Caddy accepting it);
// another root is another file, and the old one goes.
TEST_F(ProxySystem, AnAcmeRootIsWrittenForCaddyAndReplacedWithTheSettings) {
  ProxyKeeper keeper({.admin_address = admin_, .state_dir = dir_.file("state")});
  const std::string ca = "https://127.0.0.1:" + std::to_string(testing::closed_port()) + "/dir";
  json args = table(9);
  args["routes"][0]["tls"] = "acme";
  args["acme"] = {
      {"ca", ca}, {"ca_root", berth::testing::make_test_ca().chain}, {"email", "ops@a.test"}};
  const auto first = apply(keeper, args);
  ASSERT_EQ(first.error_code, "") << first.error_message;
  const auto root_files = [&] {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "state")) {
      if (entry.path().filename().string().starts_with("acme_ca_root-")) {
        found.push_back(entry.path());
      }
    }
    return found;
  };
  auto files = root_files();
  ASSERT_EQ(files.size(), 1U);
  EXPECT_EQ(std::filesystem::status(files[0]).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  std::ifstream in(files[0]);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
            args["acme"]["ca_root"].get<std::string>());
  json issuer = caddy_now()["apps"]["tls"]["automation"]["policies"][0]["issuers"][0];
  EXPECT_EQ(issuer["ca"], ca);
  EXPECT_EQ(issuer["email"], "ops@a.test");
  EXPECT_EQ(issuer["trusted_roots_pem_files"], json({files[0].string()}));
  EXPECT_EQ(caddy_now().dump().find("BEGIN CERTIFICATE"), std::string::npos);

  args["acme"]["ca_root"] = berth::testing::make_test_ca().chain;
  const auto second = apply(keeper, args);
  ASSERT_EQ(second.error_code, "") << second.error_message;
  const auto replaced = root_files();
  ASSERT_EQ(replaced.size(), 1U);
  EXPECT_NE(replaced[0], files[0]);
  issuer = caddy_now()["apps"]["tls"]["automation"]["policies"][0]["issuers"][0];
  EXPECT_EQ(issuer["trusted_roots_pem_files"], json({replaced[0].string()}));
}

// What curl saw: the status, the body and the response headers (lower-cased names).
struct CurlAnswer {
  int status = 0;
  std::string body;
  std::string headers;
};

class ProxyDomains : public ProxySystem {
 protected:
  // GET url with `host` resolved to 127.0.0.1 (SNI and Host both carry it), trusting `ca`.
  CurlAnswer curl(const std::string& url, const std::string& host, int port,
                  const std::string& ca = "") {
    const std::string body = dir_.file("curl.body");
    const std::string headers = dir_.file("curl.headers");
    std::vector<std::string> argv = {
        "curl", "-sS", "--max-time", "10",        "-o",
        body,   "-D",  headers,      "--resolve", host + ":" + std::to_string(port) + ":127.0.0.1"};
    if (!ca.empty()) {
      argv.insert(argv.end(), {"--cacert", ca});
    }
    argv.push_back(url);
    CurlAnswer out;
    if (testing::run_program(argv, {}, dir_.file("curl.log")) != 0) {
      return out;
    }
    out.body = read(body);
    out.headers = read(headers);
    std::transform(out.headers.begin(), out.headers.end(), out.headers.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto space = out.headers.find(' ');
    out.status = space == std::string::npos ? 0 : std::atoi(out.headers.c_str() + space + 1);
    return out;
  }

  static std::string read(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // Retries (at most 20 s) until `accept` holds: certificates are issued in the background.
  CurlAnswer curl_until(const std::string& url, const std::string& host, int port,
                        const std::string& ca,
                        const std::function<bool(const CurlAnswer&)>& accept) {
    CurlAnswer last;
    for (int attempt = 0; attempt < 80; ++attempt) {
      last = curl(url, host, port, ca);
      if (accept(last)) {
        return last;
      }
      std::this_thread::sleep_for(milliseconds(250));
    }
    return last;
  }

  std::string http(const std::string& host, const std::string& path = "/") const {
    return "http://" + host + ":" + std::to_string(http_port_) + path;
  }
  std::string https(const std::string& host, const std::string& path = "/") const {
    return "https://" + host + ":" + std::to_string(https_port_) + path;
  }
  std::string caddy_root() const { return dir_.file("data/caddy/pki/authorities/local/root.crt"); }
};

TEST_F(ProxyDomains, DomainsRedirectsPrefixesWildcardsAndCustomCertificatesThroughCaddy) {
  if (!testing::have_program("curl")) {
    GTEST_SKIP() << "curl is not installed";
  }
  testing::TinyServer web(200, 0, "WEB");
  testing::TinyServer api(200, 0, "API");
  const auto ca = berth::testing::make_test_ca();
  const auto own = berth::testing::make_test_leaf(ca, {.dns_names = {"own.test"}});
  std::ofstream(dir_.file("own-ca.pem")) << ca.chain;
  const std::string web_up = "127.0.0.1:" + std::to_string(web.port());
  const std::string origin = "https://shop.test:" + std::to_string(https_port_);
  const json args = {
      {"http_port", http_port_},
      {"https_port", https_port_},
      {"tls", "off"},
      {"routes",
       {{{"host", "plain.test"}, {"upstream", web_up}},
        {{"host", "alt.test"}, {"upstream", web_up}},
        {{"host", "shop.test"}, {"upstream", web_up}, {"tls", "internal"}, {"hsts", true}},
        {{"host", "shop.test"},
         {"path_prefix", "/api"},
         {"upstream", "127.0.0.1:" + std::to_string(api.port())},
         {"tls", "internal"}},
        {{"host", "www.shop.test"}, {"redirect_to", origin}, {"tls", "internal"}},
        {{"host", "*.wild.test"}, {"upstream", web_up}, {"tls", "internal"}},
        {{"host", "own.test"},
         {"upstream", web_up},
         {"tls", "custom"},
         {"certificate", {{"chain", own.chain}, {"key", own.key}}}}}}};
  ProxyKeeper keeper({.admin_address = admin_, .state_dir = dir_.file("state")});
  const auto outcome = apply(keeper, args);
  ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message << "\n"
                                         << read(dir_.file("caddy.log"));

  // Two domains of one app, on plain HTTP.
  EXPECT_TRUE(reaches("plain.test", "WEB"));
  EXPECT_TRUE(reaches("alt.test", "WEB"));
  // HTTP → HTTPS where TLS is on, path and query kept.
  const auto upgraded = curl(http("shop.test", "/x?y=1"), "shop.test", http_port_);
  EXPECT_EQ(upgraded.status, 308) << upgraded.headers;
  EXPECT_NE(upgraded.headers.find("location: " + origin + "/x?y=1"), std::string::npos)
      << upgraded.headers;
  // HTTPS with Caddy's internal CA, HSTS on.
  const auto served = curl_until(https("shop.test"), "shop.test", https_port_, caddy_root(),
                                 [](const CurlAnswer& a) { return a.body == "WEB"; });
  EXPECT_EQ(served.body, "WEB") << read(dir_.file("curl.log"));
  EXPECT_NE(served.headers.find("strict-transport-security: max-age=31536000"), std::string::npos)
      << served.headers;
  // A path prefix goes to another app, unstripped; the rest of the host stays with the first.
  const auto prefixed =
      curl(https("shop.test", "/api/orders?n=2"), "shop.test", https_port_, caddy_root());
  EXPECT_EQ(prefixed.body, "API");
  EXPECT_EQ(api.last_target(), "/api/orders?n=2");
  EXPECT_EQ(curl(https("shop.test", "/apis"), "shop.test", https_port_, caddy_root()).body, "WEB");
  // A redirect domain answers 308 to the primary, path and query kept.
  const auto moved = curl_until(https("www.shop.test", "/a/b?c=d"), "www.shop.test", https_port_,
                                caddy_root(), [](const CurlAnswer& a) { return a.status == 308; });
  EXPECT_EQ(moved.status, 308) << read(dir_.file("curl.log"));
  EXPECT_NE(moved.headers.find("location: " + origin + "/a/b?c=d"), std::string::npos)
      << moved.headers;
  // A wildcard with internal TLS answers for a name under it.
  const auto wild = curl_until(https("anything.wild.test"), "anything.wild.test", https_port_,
                               caddy_root(), [](const CurlAnswer& a) { return a.body == "WEB"; });
  EXPECT_EQ(wild.body, "WEB") << read(dir_.file("curl.log"));
  // The uploaded certificate is what own.test serves: curl trusts only its CA.
  const auto custom =
      curl_until(https("own.test"), "own.test", https_port_, dir_.file("own-ca.pem"),
                 [](const CurlAnswer& a) { return a.body == "WEB"; });
  EXPECT_EQ(custom.body, "WEB") << read(dir_.file("curl.log"));
  EXPECT_EQ(curl(https("own.test"), "own.test", https_port_, caddy_root()).status, 0)
      << "own.test must not be served by Caddy's internal CA";
}

TEST_F(ProxyDomains, HostileValuesNeverReachCaddysConfig) {
  testing::TinyServer web(200, 0, "WEB");
  const std::string web_up = "127.0.0.1:" + std::to_string(web.port());
  ProxyKeeper keeper({.admin_address = admin_, .state_dir = dir_.file("state")});
  ASSERT_EQ(apply(keeper, {{"http_port", http_port_},
                           {"routes", {{{"host", "good.test"}, {"upstream", web_up}}}}})
                .status,
            "succeeded");
  const json before = caddy_now();
  for (const json& hostile : {
           json{{"host", "{env.HOME}.test"}, {"upstream", web_up}},
           json{
               {"host", "evil.test"}, {"upstream", web_up}, {"path_prefix", "/{file./etc/passwd}"}},
           json{{"host", "evil.test"}, {"upstream", web_up}, {"path_prefix", "/a/../b"}},
           json{{"host", "evil.test"}, {"redirect_to", "https://x.test\r\nSet-Cookie: a=b"}},
           json{{"host", "evil.test"}, {"redirect_to", "https://x.test/{env.HOME}"}},
           json{{"host", "evil.test\r\nx"}, {"upstream", web_up}},
           json{{"host", std::string("evil\0.test", 10)}, {"upstream", web_up}},
           json{{"host", std::string(300, 'a') + ".test"}, {"upstream", web_up}},
           json{{"host", "evil.test"},
                {"upstream", web_up},
                {"tls", "custom"},
                {"certificate", {{"chain", "-----BEGIN {env.HOME}"}, {"key", "-----BEGIN K"}}}},
       }) {
    const auto refused = apply(keeper, {{"http_port", http_port_}, {"routes", {hostile}}});
    EXPECT_EQ(refused.error_code, "invalid_args") << hostile;
  }
  const json after = caddy_now();
  EXPECT_EQ(after, before);
  const std::string running = after.dump();
  for (const char* needle : {"{env.", "{file.", "evil", "..", "\\r", "\\n", "\\u0000"}) {
    EXPECT_EQ(running.find(needle), std::string::npos) << needle << " in " << running;
  }
  EXPECT_TRUE(reaches("good.test", "WEB"));
}

}  // namespace
}  // namespace berth::agent::host

namespace berth::agent::host {
namespace {

// proxy.certificates against the same real Caddy: the certificate it serves for a host with
// Caddy's internal CA is read back by name, and when ACME cannot reach its CA (no network
// here) Caddy's own reason arrives through its log to the agent.
TEST_F(ProxySystem, CertificatesAreReadBackWithCaddysReasonWhenNoneCouldBeObtained) {
  ProxyKeeper keeper({.admin_address = admin_, .state_dir = dir_.file("state")});
  ASSERT_NE(keeper.tls_log(), nullptr);
  json args = table(berth::testing::free_loopback_port());
  args["tls"] = "internal";
  ASSERT_EQ(apply(keeper, args).status, "succeeded") << output_.take();
  EXPECT_EQ(caddy_now()["logging"]["logs"]["berth_tls"]["writer"]["address"],
            keeper.tls_log()->caddy_address());

  const auto read_back = [&](const std::string& host) {
    JobContext job{.job_id = "job_certs",
                   .kind = "proxy.certificates",
                   .args = {{"hosts", {host}}, {"https_port", https_port_}},
                   .timeout = milliseconds(30'000),
                   .output = output_,
                   .cancelled = cancelled_};
    return run_proxy_certificates(job, keeper.tls_log());
  };
  json served;
  for (int attempt = 0; attempt < 100; ++attempt) {  // Caddy issues it within a moment
    const JobOutcome outcome = read_back("app.test");
    ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message;
    served = outcome.result["certificates"][0];
    if (served["certificate"].is_object()) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(served["certificate"].is_object()) << served.dump();
  EXPECT_NE(served["certificate"]["issuer"].get<std::string>().find("Caddy Local Authority"),
            std::string::npos)
      << served.dump();
  EXPECT_EQ(served["certificate"]["sans"], json::array({"app.test"}));
  EXPECT_TRUE(served["error"].is_null());

  // ACME with no way out: nothing is served, and Caddy says why.
  args["tls"] = "acme";
  args["routes"][0]["host"] = "acme.app.test";
  ASSERT_EQ(apply(keeper, args).status, "succeeded") << output_.take();
  json failed;
  for (int attempt = 0; attempt < 150; ++attempt) {
    failed = read_back("acme.app.test").result["certificates"][0];
    if (failed["acme"].is_object() && failed["acme"]["error"].is_string()) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(failed["certificate"].is_null()) << failed.dump();
  EXPECT_NE(failed["error"].get<std::string>().find("no certificate served"), std::string::npos)
      << failed.dump();
  ASSERT_TRUE(failed["acme"].is_object()) << failed.dump();
  EXPECT_NE(failed["acme"]["error"].get<std::string>().find("could not get certificate"),
            std::string::npos)
      << failed.dump();
  EXPECT_TRUE(failed["acme"]["failed_at"].is_string());
}

}  // namespace
}  // namespace berth::agent::host
