// Edge rules through a real Caddy (issue 14): the agent's proxy.apply with an app's `edge`
// loaded into `caddy run` on loopback, and requests through it. An address outside the
// allow-list (the client bound to 127.0.0.2) gets 403; basic auth 401 then 200; headers set
// and removed; a body over the limit 413 (Content-Length and chunked); maintenance 503 with
// Retry-After; a redirect. Hostile values are refused by the agent and never appear in Caddy's
// running config. Rules change under keep-alive load without one failed request.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/host/proxy_job.hpp"
#include "agent_host/tiny_server.hpp"
#include "core/bcrypt.hpp"
#include "integration/berthd_process.hpp"
#include "support/temp_dir.hpp"
#include "system/caddy_fixture.hpp"
#include "system/docker_fixture.hpp"
#include "system/proxy_client.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class NoOutput : public agent::JobOutput {
 public:
  void write(std::string_view, std::string_view) override {}
};

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers = {};  // lower-case names
  std::string body = {};
};

// One request on a fresh connection from `source` (an address of lo), read to EOF.
Answer ask(int port, const std::string& request, const std::string& source = "127.0.0.1") {
  Answer answer;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 ||
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return answer;
  }
  std::string text;
  char chunk[8192];
  for (ssize_t got; (got = ::recv(fd, chunk, sizeof chunk, 0)) > 0;) {
    text.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(fd);
  const auto head_end = text.find("\r\n\r\n");
  if (!text.starts_with("HTTP/1.1 ") || head_end == std::string::npos) {
    return answer;
  }
  answer.status = std::stoi(text.substr(9, 3));
  std::size_t line = text.find("\r\n") + 2;
  while (line < head_end) {
    const auto end = text.find("\r\n", line);
    const auto colon = text.find(':', line);
    std::string name = text.substr(line, colon - line);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    answer.headers[name] = text.substr(colon + 2, end - colon - 2);
    line = end + 2;
  }
  answer.body = text.substr(head_end + 4);
  return answer;
}

// An upstream that reads each request's whole body (Content-Length or chunked) before it
// answers 200 "read <n>", as an app receiving an upload does: Caddy's request_body limit is
// met while the body is read, which an upstream answering at once would never do.
class BodyReader {
 public:
  BodyReader() {
    fd_ = agent::host::testing::listen_on_loopback(port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~BodyReader() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  void serve() {
    for (int client; (client = ::accept(fd_, nullptr, nullptr)) >= 0;) {
      timeval timeout{.tv_sec = 5, .tv_usec = 0};
      ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      std::string request;
      char chunk[8192];
      const auto complete = [&] {
        const auto head = request.find("\r\n\r\n");
        if (head == std::string::npos) {
          return false;
        }
        std::string lower = request.substr(0, head);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lower.find("transfer-encoding: chunked") != std::string::npos) {
          return request.ends_with("\r\n0\r\n\r\n");
        }
        const auto length = lower.find("content-length: ");
        return length == std::string::npos ||
               request.size() - head - 4 >= std::stoul(lower.substr(length + 16));
      };
      for (ssize_t got; !complete() && (got = ::recv(client, chunk, sizeof chunk, 0)) > 0;) {
        request.append(chunk, static_cast<std::size_t>(got));
      }
      const std::string body = "read " + std::to_string(request.size());
      const std::string answer =
          "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\nConnection: close\r\n\r\n" + body;
      (void)::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: app.test\r\n" + extra + "Connection: close\r\n\r\n";
}

class EdgeSystem : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto reason = CaddyProcess::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    std::filesystem::create_directories(dir_.path() / "state");
    caddy_ = std::make_unique<CaddyProcess>(dir_.path() / "caddy");
    keeper_ = std::make_unique<agent::host::ProxyKeeper>(agent::host::ProxyOptions{
        .admin_address = caddy_->admin_address(), .state_dir = dir_.file("state")});
  }

  void TearDown() override {
    keeper_.reset();
    kill_processes_using(dir_.path());  // the edge Caddy outlives its agent by design
  }

  agent::JobOutcome apply(const json& edge, int upstream_port = 0) {
    json route = {
        {"host", "app.test"},
        {"upstream",
         "127.0.0.1:" + std::to_string(upstream_port > 0 ? upstream_port : upstream_.port())}};
    if (!edge.is_null()) {
      route["edge"] = edge;
    }
    agent::JobContext job{.job_id = "job_edge",
                          .kind = "proxy.apply",
                          .args = {{"http_port", http_port_}, {"routes", {route}}},
                          .timeout = milliseconds(30'000),
                          .output = output_,
                          .cancelled = cancelled_};
    return keeper_->apply(job);
  }

  void apply_ok(const json& edge, int upstream_port = 0) {
    const auto outcome = apply(edge, upstream_port);
    ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message;
  }

  // What both Caddies run: the front one's config as its admin API answers it, and the edge
  // Caddy's, which has no admin endpoint and never changes the file it was started with.
  std::string running_configs() const {
    std::string configs = caddy_->config();
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "state" / "edge")) {
      if (entry.path().extension() == ".json" && entry.path().filename() != "edge.json") {
        std::ifstream in(entry.path());
        configs +=
            std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      }
    }
    return configs;
  }

  Answer ask(const std::string& request, const std::string& source = "127.0.0.1") {
    return testing::ask(http_port_, request, source);
  }

  // wrk -t2 -c16 for `duration` on app.test, GET or (`method` "POST") a small body each time,
  // started 300 ms before this returns; its pid, or -1.
  pid_t start_wrk(const std::string& method, const std::string& duration) {
    const auto script = dir_.path() / "post.lua";
    std::ofstream(script) << "wrk.method = \"POST\"\nwrk.body = \"hello\"\n"
                             "wrk.headers[\"Content-Type\"] = \"text/plain\"\n";
    std::vector<std::string> args = {"-t2", "-c16", "-d" + duration, "-H", "Host: app.test"};
    if (method == "POST") {
      args.insert(args.end(), {"-s", script.string()});
    }
    args.push_back("http://127.0.0.1:" + std::to_string(http_port_) + "/");
    const pid_t wrk = spawn_process("/usr/bin/wrk", args, {}, dir_.path() / "wrk.txt");
    std::this_thread::sleep_for(milliseconds(300));
    return wrk;
  }

  // wrk's report once it has exited (within 30 s); "" when it did not exit cleanly.
  std::string wrk_report(pid_t wrk) {
    if (wait_for_exit(wrk, std::chrono::seconds(30)) != 0) {
      return "";
    }
    std::ifstream in(dir_.path() / "wrk.txt");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  // The front Caddy's log lines with an error (at most 4000 characters).
  std::string caddy_errors() const {
    const auto log = caddy_->log();
    std::string errors;
    for (std::size_t at = log.find("\"error\""); at != std::string::npos && errors.size() < 4000;
         at = log.find("\"error\"", at + 1)) {
      errors += log.substr(log.rfind('\n', at) + 1, 600) + "\n";
    }
    return errors;
  }

  TempDir dir_;
  int http_port_ = free_loopback_port();
  agent::host::testing::TinyServer upstream_{200, 0, "ok"};
  std::unique_ptr<CaddyProcess> caddy_;
  std::unique_ptr<agent::host::ProxyKeeper> keeper_;
  NoOutput output_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(EdgeSystem, AnAddressOutsideTheAllowListGets403) {
  apply_ok({{"allow_ips", {"127.0.0.1/32", "::1/128"}}});
  EXPECT_EQ(ask(get("/")).status, 200);
  EXPECT_EQ(ask(get("/")).body, "ok");
  Answer outside = ask(get("/"), "127.0.0.2");
  EXPECT_EQ(outside.status, 403);
  EXPECT_EQ(outside.body, "Forbidden\n");
  apply_ok({{"allow_ips", {"127.0.0.0/8"}}});
  EXPECT_EQ(ask(get("/"), "127.0.0.2").status, 200);
}

TEST_F(EdgeSystem, BasicAuthAsksThenLetsTheUserIn) {
  SodiumRandom random;
  const auto hash = crypto::bcrypt_hash("correct horse", random, 4);
  ASSERT_TRUE(hash);
  apply_ok({{"basic_auth", {{"users", {{{"username", "ops"}, {"password_hash", *hash}}}}}}});
  Answer anonymous = ask(get("/"));
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.headers["www-authenticate"], "Basic realm=\"restricted\"");
  // base64("ops:wrong") and base64("ops:correct horse").
  EXPECT_EQ(ask(get("/", "Authorization: Basic b3BzOndyb25n\r\n")).status, 401);
  Answer in = ask(get("/", "Authorization: Basic b3BzOmNvcnJlY3QgaG9yc2U=\r\n"));
  EXPECT_EQ(in.status, 200);
  EXPECT_EQ(in.body, "ok");
}

TEST_F(EdgeSystem, ResponseHeadersAreSetAndRemovedOnEveryAnswer) {
  apply_ok({{"headers", {{"set", {{"X-Frame-Options", "DENY"}}}, {"remove", {"Server"}}}},
            {"allow_ips", {"127.0.0.1/32"}}});
  Answer answer = ask(get("/"));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.headers["x-frame-options"], "DENY");
  EXPECT_FALSE(answer.headers.contains("server"));
  answer = ask(get("/"), "127.0.0.2");  // Caddy's own 403 gets them too
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(answer.headers["x-frame-options"], "DENY");
  apply_ok(nullptr);
  answer = ask(get("/"));
  EXPECT_FALSE(answer.headers.contains("x-frame-options"));
  // The proxy adds no Server header of its own (behind two Caddies it would show twice); the
  // app's passes.
  EXPECT_EQ(answer.headers["server"], "tiny");
}

TEST_F(EdgeSystem, ABodyOverTheLimitGets413) {
  BodyReader app;
  apply_ok({{"max_body_bytes", 100}}, app.port());
  const auto post = [](const std::string& body) {
    return "POST / HTTP/1.1\r\nHost: app.test\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
  };
  EXPECT_EQ(ask(post(std::string(101, 'a'))).status, 413);
  EXPECT_EQ(ask(post(std::string(100'000, 'a'))).status, 413);
  EXPECT_EQ(ask(post(std::string(100, 'a'))).status, 200);
  EXPECT_EQ(ask(get("/")).status, 200);
  const std::string chunked =
      "POST / HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\nConnection: "
      "close\r\n\r\n" +
      std::string("c8\r\n") + std::string(200, 'a') + "\r\n0\r\n\r\n";
  EXPECT_EQ(ask(chunked).status, 413);
  const Answer small =
      ask("POST / HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\nConnection: "
          "close\r\n\r\n10\r\n" +
          std::string(16, 'a') + "\r\n0\r\n\r\n");
  EXPECT_EQ(small.status, 200);
  EXPECT_TRUE(small.body.starts_with("read ")) << small.body;
}

TEST_F(EdgeSystem, MaintenanceAnswers503WithRetryAfterWhileTheAppStays) {
  apply_ok({{"maintenance",
             {{"enabled", true}, {"retry_after_seconds", 120}, {"message", "Back soon"}}}});
  Answer answer = ask(get("/anything"));
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(answer.headers["retry-after"], "120");
  EXPECT_EQ(answer.body, "Back soon\n");
  apply_ok({{"maintenance", {{"enabled", false}, {"retry_after_seconds", 120}}}});
  EXPECT_EQ(ask(get("/")).body, "ok");
}

TEST_F(EdgeSystem, RedirectsAnswerTheirStatusAndLocation) {
  apply_ok({{"redirects",
             {{{"path", "/old"}, {"to", "https://example.com/new"}, {"status", 301}},
              {{"path", "/docs/*"}, {"to", "/documentation"}}}}});
  Answer answer = ask(get("/old"));
  EXPECT_EQ(answer.status, 301);
  EXPECT_EQ(answer.headers["location"], "https://example.com/new");
  answer = ask(get("/docs/intro"));
  EXPECT_EQ(answer.status, 308);
  EXPECT_EQ(answer.headers["location"], "/documentation");
  EXPECT_EQ(ask(get("/other")).body, "ok");
}

TEST_F(EdgeSystem, HostileValuesAreRefusedAndNeverReachCaddy) {
  apply_ok({{"headers", {{"set", {{"X-Frame-Options", "DENY"}}}}}});
  const std::string before = running_configs();
  ASSERT_NE(before.find("X-Frame-Options"), std::string::npos);
  const std::vector<json> hostile = {
      {{"headers", {{"set", {{"X-A", "{env.HOME}"}}}}}},
      {{"headers", {{"set", {{"X-A", "{file./etc/passwd}"}}}}}},
      {{"headers", {{"set", {{"X-A", "a\r\nSet-Cookie: pwned=1"}}}}}},
      {{"headers", {{"set", {{"X-A", std::string("a\0b", 3)}}}}}},
      {{"headers", {{"set", {{"X-A", std::string(5000, 'a')}}}}}},
      {{"headers", {{"remove", {"Transfer-Encoding"}}}}},
      {{"maintenance", {{"enabled", true}, {"message", "{file./etc/passwd}"}}}},
      {{"redirects", {{{"path", "/a/../b"}, {"to", "/"}}}}},
      {{"redirects", {{{"path", "/a"}, {"to", "https://x.example/{env.HOME}"}}}}},
      {{"redirects", {{{"path", "/a"}, {"to", "/\r\nSet-Cookie: pwned=1"}}}}},
      {{"allow_ips", {"10.0.0.0/99"}}},
      {{"basic_auth", {{"users", {{{"username", "ops"}, {"password_hash", "plain"}}}}}}},
      {{"max_body_bytes", -1}}};
  for (const auto& edge : hostile) {
    const auto outcome = apply(edge);
    EXPECT_EQ(outcome.status, "failed") << edge.dump();
    EXPECT_EQ(outcome.error_code, "invalid_args") << edge.dump();
  }
  const std::string after = running_configs();
  EXPECT_EQ(after, before);
  for (const std::string absent : {"{env.", "{file.", "passwd", "pwned", "Set-Cookie", "\\r\\n"}) {
    EXPECT_EQ(after.find(absent), std::string::npos) << absent;
  }
  EXPECT_EQ(ask(get("/")).headers["x-frame-options"], "DENY");
}

// Clients on kept-alive connections keep asking while the rules change 20 times, going away
// and coming back too. Every answer must be the app's 200 (the rules changed never refuse "/"
// from 127.0.0.1), and no connection may be closed under a client: the client-facing Caddy is
// never reloaded, each change is a new edge Caddy that the routes' DNS answer moves to.
TEST_F(EdgeSystem, RulesChangeUnderKeepAliveLoadWithoutAFailedRequest) {
  apply_ok({{"headers", {{"set", {{"X-Version", "0"}}}}}});
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> ok{0};
  std::atomic<std::int64_t> retries{0};
  std::atomic<std::int64_t> failures{0};
  std::mutex mutex;
  std::string first_failure;
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&] {
      ProxyConnection connection(static_cast<std::uint16_t>(http_port_));
      while (!stop) {
        const ProxyReply reply = connection.get("app.test", "/");
        if (reply.kind == ProxyReply::Kind::retryable) {
          retries.fetch_add(1);
        } else if (reply.kind == ProxyReply::Kind::ok && reply.status == 200 &&
                   reply.body == "ok") {
          ok.fetch_add(1);
        } else {
          failures.fetch_add(1);
          std::lock_guard lock(mutex);
          if (first_failure.empty()) {
            first_failure = std::to_string(reply.status) + " " + reply.error + " " + reply.body;
          }
        }
      }
    });
  }
  for (int round = 1; round <= 20; ++round) {
    json edge = {{"headers", {{"set", {{"X-Version", std::to_string(round)}}}}}};
    if (round % 2 == 0) {
      edge["allow_ips"] = {"127.0.0.0/8"};
      edge["max_body_bytes"] = 1000 + round;
    }
    if (round % 3 == 0) {
      edge["redirects"] = {{{"path", "/old" + std::to_string(round)}, {"to", "/"}}};
    }
    if (round % 5 == 0) {
      edge = nullptr;  // straight to the app, then through an edge Caddy again
    }
    const auto outcome = apply(edge);
    EXPECT_EQ(outcome.status, "succeeded") << outcome.error_message;
    std::this_thread::sleep_for(milliseconds(150));
  }
  stop = true;
  for (auto& client : clients) {
    client.join();
  }
  std::cout << "edge changes under load: " << ok << " ok, " << retries << " retries, " << failures
            << " failures\n";
  EXPECT_EQ(failures, 0) << first_failure;
  EXPECT_EQ(retries, 0);
  EXPECT_GT(ok, 100);
  EXPECT_FALSE(ask(get("/")).headers.contains("x-version"));  // round 20 took the rules away
}

// The same under wrk (scripts/install-deps --test installs it), GET and POST: wrk does not
// resend anything, so a connection closed under it would count as a socket error.
class EdgeWrk : public EdgeSystem, public ::testing::WithParamInterface<std::string> {};

TEST_P(EdgeWrk, RulesChangeUnderWrkLoadWithoutAnError) {
  if (!std::filesystem::exists("/usr/bin/wrk")) {
    GTEST_SKIP() << "wrk is not installed (scripts/install-deps --test)";
  }
  BodyReader reader;  // reads the whole body: a POST's too
  apply_ok({{"headers", {{"set", {{"X-Version", "0"}}}}}}, reader.port());
  const pid_t wrk = start_wrk(GetParam(), "6s");
  ASSERT_GT(wrk, 0);
  for (int round = 1; round <= 5; ++round) {
    json edge = {{"headers", {{"set", {{"X-Version", std::to_string(round)}}}}}};
    if (round % 2 == 0) {
      edge["allow_ips"] = {"127.0.0.0/8"};
    }
    EXPECT_EQ(apply(round == 3 ? json(nullptr) : edge, reader.port()).status, "succeeded");
  }
  const std::string text = wrk_report(wrk);
  std::cout << text;
  EXPECT_NE(text.find(" requests in "), std::string::npos) << text;
  EXPECT_EQ(text.find("Non-2xx"), std::string::npos) << text << caddy_errors();
  EXPECT_EQ(text.find("Socket errors"), std::string::npos) << text << caddy_errors();
}

INSTANTIATE_TEST_SUITE_P(Methods, EdgeWrk, ::testing::Values("GET", "POST"),
                         [](const auto& method) { return method.param; });

// Domains of the loaded app and of another come and go under wrk (GET and POST, keep-alive,
// -c16) on an existing domain: not one socket error or non-2xx, the front Caddy's config never
// changes (new hosts take its catch-all to the edge Caddy, removed ones are pointed there and
// get 404), every new domain answers within a bound and a removed one stops. The next change
// the front must take (here a host with internal TLS) folds the new hosts into its config.
class DomainWrk : public EdgeSystem, public ::testing::WithParamInterface<std::string> {
 protected:
  agent::JobOutcome apply_routes(const json& routes) {
    agent::JobContext job{.job_id = "job_domains",
                          .kind = "proxy.apply",
                          .args = {{"http_port", http_port_},
                                   {"https_port", https_port_},
                                   {"tls", "off"},
                                   {"routes", routes}},
                          .timeout = milliseconds(30'000),
                          .output = output_,
                          .cancelled = cancelled_};
    return keeper_->apply(job);
  }

  // curl's "<body> <status>" for http(s)://host/path (trusting Caddy's local CA); "failed" when
  // curl failed (no connection, no TLS handshake).
  std::string curl(const std::string& host, bool tls, const std::string& path = "/") {
    const auto out = dir_.path() / "curl.out";
    std::filesystem::remove(out);  // spawn_process appends
    const int port = tls ? https_port_ : http_port_;
    const std::string url =
        std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port) + path;
    const pid_t pid = spawn_process(
        "/usr/bin/curl",
        {"-sS", "--max-time", "5", "-w", " %{http_code}", "--cacert",
         (dir_.path() / "caddy" / "caddy" / "pki" / "authorities" / "local" / "root.crt").string(),
         "--resolve", host + ":" + std::to_string(port) + ":127.0.0.1", url},
        {}, out);
    if (pid <= 0 || wait_for_exit(pid, std::chrono::seconds(10)) != 0) {
      return "failed";
    }
    std::ifstream in(out);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  // Polls (every 50 ms, at most 15 s) until `host` answers something starting with `want` and
  // ending in `status`; the last answer.
  std::string wait_for(const std::string& host, const std::string& want, const std::string& status,
                       const std::string& path = "/") {
    std::string answer;
    for (const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
         std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(milliseconds(50))) {
      answer = curl(host, false, path);
      if (answer.starts_with(want) && answer.ends_with(status)) {
        break;
      }
    }
    return answer;
  }

  int https_port_ = free_loopback_port();
};

TEST_P(DomainWrk, DomainsComeAndGoUnderWrkLoadWithoutAnError) {
  if (!std::filesystem::exists("/usr/bin/wrk") || !std::filesystem::exists("/usr/bin/curl")) {
    GTEST_SKIP() << "wrk or curl is not installed (scripts/install-deps --test)";
  }
  BodyReader reader;  // the loaded app, which reads the whole body: a POST's too
  const auto route = [](const std::string& host, int port, const std::string& tls = "off") {
    return json{{"host", host}, {"upstream", "127.0.0.1:" + std::to_string(port)}, {"tls", tls}};
  };
  // app.test has TLS (wrk stays on http: no https redirect), so that turning its HSTS on hands
  // the loaded host over; r.test is a redirect the front answers itself.
  const auto loaded = [&](int port) {
    json served = route("app.test", port, "internal");
    served["https_redirect"] = false;
    return served;
  };
  const std::string app_origin = "http://app.test:" + std::to_string(http_port_);
  const json redirect = {{"host", "r.test"}, {"redirect_to", app_origin}};
  const json base = {loaded(reader.port()), route("other.test", upstream_.port()),
                     route("secure.test", upstream_.port(), "internal"), redirect};
  json with_gone = base;
  with_gone.push_back(route("gone.test", upstream_.port()));
  ASSERT_EQ(apply_routes(with_gone).status, "succeeded");
  ASSERT_EQ(curl("secure.test", true), "ok 200");
  EXPECT_EQ(curl("gone.test", false), "ok 200");
  // The agent's ask says no: Caddy gets no certificate for a name no app has.
  EXPECT_EQ(curl("never.test", true), "failed");
  const std::string front = caddy_->config();
  ASSERT_NE(front.find("berth/tls-ask"), std::string::npos) << front;
  ASSERT_NE(front.find(agent::host::kEdgeCatchAllName), std::string::npos) << front;

  const pid_t wrk = start_wrk(GetParam(), "120s");  // interrupted once the changes are done
  ASSERT_GT(wrk, 0);

  // Ten changes: each adds a domain (to the loaded app or the other; every third with a path
  // prefix to the other app) and takes the previous round's away; round 5 also takes gone.test,
  // a host the front's config names, away.
  std::string previous;
  std::int64_t slowest_ms = 0;
  for (int round = 1; round <= 10; ++round) {
    const std::string host = "new" + std::to_string(round) + ".test";
    const bool loaded_app = round % 2 == 0;
    json routes = round < 5 ? with_gone : base;
    routes.push_back(route(host, loaded_app ? reader.port() : upstream_.port()));
    if (round % 3 == 0) {
      routes.push_back(route(host, loaded_app ? upstream_.port() : reader.port()));
      routes.back()["path_prefix"] = "/p";
    }
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = apply_routes(routes);
    EXPECT_EQ(outcome.status, "succeeded") << outcome.error_message;
    const std::string want = loaded_app ? "read " : "ok";
    const std::string answer = wait_for(host, want, " 200");
    const auto took =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    slowest_ms = std::max<std::int64_t>(slowest_ms, took.count());
    EXPECT_TRUE(answer.starts_with(want) && answer.ends_with(" 200")) << host << ": " << answer;
    if (round % 3 == 0) {
      const std::string other_app = loaded_app ? "ok" : "read ";
      EXPECT_TRUE(curl(host, false, "/p/x").starts_with(other_app)) << host;
    }
    if (!previous.empty()) {
      EXPECT_EQ(curl(previous, false), "Not Found\n 404") << previous;
    }
    if (round == 5) {
      EXPECT_EQ(curl("gone.test", false), "Not Found\n 404");
    }
    previous = host;
  }
  // A path prefix on the loaded host, which the front serves, then gone again: the edge Caddy
  // takes the whole host meanwhile (wrk's requests too), and the front is not reloaded.
  json prefixed = base;
  prefixed.push_back(loaded(upstream_.port()));
  prefixed.back()["path_prefix"] = "/other";
  ASSERT_EQ(apply_routes(prefixed).status, "succeeded");
  EXPECT_TRUE(wait_for("app.test", "ok", " 200", "/other/x").starts_with("ok"));
  EXPECT_TRUE(curl("app.test", false, "/").starts_with("read "));
  ASSERT_EQ(apply_routes(base).status, "succeeded");
  EXPECT_TRUE(wait_for("app.test", "read ", " 200", "/other/x").starts_with("read "));
  // What the front answers itself, changed: HSTS on the loaded host, secure.test's http → https
  // redirect off, the redirect r.test removed. Each host is handed over to the edge Caddy with
  // a marker (wrk's requests too); then back as the front has them, the markers go.
  EXPECT_EQ(curl("r.test", false), " 308");
  EXPECT_EQ(curl("secure.test", false), " 308");
  json handed = base;
  handed[0]["hsts"] = true;
  handed[2]["https_redirect"] = false;
  handed.erase(3);
  ASSERT_EQ(apply_routes(handed).status, "succeeded");
  const auto markers = dir_.path() / "state" / "handover";
  for (const char* host : {"app.test", "secure.test", "r.test"}) {
    EXPECT_TRUE(std::filesystem::exists(markers / (std::string(host) + ".handed"))) << host;
  }
  EXPECT_EQ(wait_for("secure.test", "ok", " 200"), "ok 200");
  EXPECT_EQ(curl("r.test", false), "Not Found\n 404");
  EXPECT_TRUE(curl("app.test", false).starts_with("read "));
  ASSERT_EQ(apply_routes(base).status, "succeeded");
  EXPECT_TRUE(std::filesystem::is_empty(markers));
  EXPECT_EQ(curl("r.test", false), " 308");
  EXPECT_EQ(curl("secure.test", false), " 308");
  ASSERT_EQ(::kill(wrk, SIGINT), 0);  // wrk prints its report when interrupted
  const std::string text = wrk_report(wrk);
  std::cout << text << "slowest new domain answered after " << slowest_ms << " ms\n";
  EXPECT_NE(text.find(" requests in "), std::string::npos) << text;
  EXPECT_EQ(text.find("Non-2xx"), std::string::npos) << text << caddy_errors();
  EXPECT_EQ(text.find("Socket errors"), std::string::npos) << text << caddy_errors();
  EXPECT_EQ(caddy_->config(), front);  // never reloaded
  EXPECT_LT(slowest_ms, 5'000);

  // A change the front must take: it is loaded with every host, new10.test now its own route.
  json routes = base;
  routes.erase(3);  // r.test
  routes.push_back(route("new10.test", reader.port()));
  routes.push_back(route("internal.test", upstream_.port(), "internal"));
  ASSERT_EQ(apply_routes(routes).status, "succeeded");
  EXPECT_NE(caddy_->config().find("new10.test"), std::string::npos);
  EXPECT_EQ(caddy_->config().find("gone.test"), std::string::npos);
  EXPECT_EQ(caddy_->config().find("\"r.test\""), std::string::npos);
  EXPECT_TRUE(wait_for("new10.test", "read ", " 200").ends_with(" 200"));
  EXPECT_EQ(curl("internal.test", true), "ok 200");
}

INSTANTIATE_TEST_SUITE_P(Methods, DomainWrk, ::testing::Values("GET", "POST"),
                         [](const auto& method) { return method.param; });

// The edge Caddy outlives the agent and is taken back by the next one; when it dies, the
// agent's check starts another and the rules hold again.
TEST_F(EdgeSystem, TheEdgeCaddyOutlivesTheAgentAndIsRestartedWhenItDies) {
  apply_ok({{"allow_ips", {"127.0.0.1/32"}}});
  ASSERT_EQ(ask(get("/"), "127.0.0.2").status, 403);
  const auto kept = dir_.path() / "state" / "edge" / "edge.json";
  const auto edge_pid = [&] {
    std::ifstream in(kept);
    return json::parse(in, nullptr, false).value("pid", -1);
  };
  const int first = edge_pid();
  ASSERT_GT(first, 0);

  keeper_.reset();  // the agent stops; its edge Caddy does not
  EXPECT_EQ(ask(get("/"), "127.0.0.2").status, 403);
  keeper_ = std::make_unique<agent::host::ProxyKeeper>(agent::host::ProxyOptions{
      .admin_address = caddy_->admin_address(), .state_dir = dir_.file("state")});
  keeper_->restore();
  EXPECT_EQ(edge_pid(), first);  // adopted, not started again
  EXPECT_EQ(ask(get("/"), "127.0.0.2").status, 403);
  EXPECT_EQ(ask(get("/")).status, 200);

  ASSERT_EQ(::kill(first, SIGKILL), 0);
  keeper_->check();
  EXPECT_NE(edge_pid(), first);
  EXPECT_EQ(ask(get("/"), "127.0.0.2").status, 403);
  EXPECT_EQ(ask(get("/")).status, 200);
}

}  // namespace
}  // namespace berth::testing
