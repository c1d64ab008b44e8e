// The agent's answer to Caddy's on-demand TLS ask (caddy_tls_ask.hpp): the request Caddy 2.6
// sends (GET <path>?domain=<name>, checked by hand against Caddy 2.6.2) is read, and a real
// listener on loopback answers 200 for an allowed name, 404 for another, 400 for anything else.

#include "agent/host/caddy_tls_ask.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "agent/host/caddy_config.hpp"
#include "agent/host/loopback_http.hpp"

namespace berth::agent::host {
namespace {

const std::string kCaddyAsk =
    "GET /berth/tls-ask?domain=Shop.Example.com HTTP/1.1\r\nHost: 127.0.0.1:1\r\n"
    "User-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n";

TEST(CaddyTlsAsk, ReadsTheDomainCaddyAsksAbout) {
  EXPECT_EQ(tls_ask_domain(kCaddyAsk), "shop.example.com");
  for (const std::string& other : std::vector<std::string>{
           "POST /berth/tls-ask?domain=a.test HTTP/1.1\r\n\r\n",
           "GET /berth/tls-ask?domain= HTTP/1.1\r\n\r\n", "GET /berth/tls-ask HTTP/1.1\r\n\r\n",
           "GET /other?domain=a.test HTTP/1.1\r\n\r\n",
           "GET /berth/tls-ask?domain=a%2etest HTTP/1.1\r\n\r\n",
           "GET /berth/tls-ask?domain=a.test&x=1 HTTP/1.1\r\n\r\n",
           "GET /berth/tls-ask?domain=a.test\r\n\r\n",
           "GET /berth/tls-ask?domain=a.test HTTP/2\r\n\r\n",
           "GET /berth/tls-ask?domain=" + std::string(254, 'a') + " HTTP/1.1\r\n\r\n"}) {
    EXPECT_FALSE(tls_ask_domain(other)) << other;
  }
}

TEST(CaddyTlsAsk, TheListenerSaysYesOrNoAndNothingElse) {
  std::atomic<int> asked{0};
  auto listener = TlsAskListener::start(0, [&](std::string_view name) {
    asked.fetch_add(1);
    return name == "yes.test";
  });
  ASSERT_TRUE(listener) << listener.error().message;
  const int port = (*listener)->port();
  EXPECT_EQ((*listener)->address(), "127.0.0.1:" + std::to_string(port));
  const auto status = [&](const std::string& target) {
    auto answer =
        loopback_http("127.0.0.1", port, {.target = target}, std::chrono::milliseconds(5000));
    EXPECT_TRUE(answer) << answer.error().message;
    if (answer) {
      EXPECT_EQ(answer->body, "");
    }
    return answer ? static_cast<int>(answer->status) : 0;
  };
  EXPECT_EQ(status(std::string(kTlsAskPath) + "?domain=yes.test"), 200);
  EXPECT_EQ(status(std::string(kTlsAskPath) + "?domain=no.test"), 404);
  EXPECT_EQ(status("/config/"), 400);
  EXPECT_EQ(asked, 2);
  // Another listener on the port it had (an agent restarting) needs it free again.
  listener->reset();
  auto again = TlsAskListener::start(port, [](std::string_view) { return false; });
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->port(), port);
}

}  // namespace
}  // namespace berth::agent::host
