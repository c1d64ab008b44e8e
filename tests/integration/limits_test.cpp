// Limits a hostile or broken client meets: slow requests, too many connections.

#include "integration/berthd_test_base.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(BerthdTest, SlowClientGets408AndIsDisconnected) {
  start({.args = {"--request-timeout", "0.5"}});
  RawConnection connection(port());
  connection.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
  auto response = connection.read_response(10s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(response->json()["error"]["code"], "request_timeout");
  EXPECT_TRUE(connection.wait_closed(10s));
  // The server is still fine.
  EXPECT_EQ(http_request(port(), "GET", "/api/v1/health").status, 200);
}

TEST_F(BerthdTest, SlowBodyGets408) {
  start({.args = {"--request-timeout", "0.5"}});
  RawConnection connection(port());
  connection.send("POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":");
  auto response = connection.read_response(10s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
}

TEST_F(BerthdTest, IdleKeepAliveConnectionIsClosed) {
  start({.args = {"--idle-timeout", "0.3"}});
  RawConnection connection(port());
  connection.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(connection.read_response());
  EXPECT_TRUE(connection.wait_closed(10s));
}

TEST_F(BerthdTest, ConnectionsOverTheLimitGet503) {
  start({.args = {"--max-connections", "2"}});
  // The two slots are taken by connections that have made a request and stay open. The
  // fixture's own health check may still hold a slot for a moment, so retry until served.
  auto occupy_slot = [this] {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      auto connection = std::make_unique<RawConnection>(port());
      connection->send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
      auto response = connection->read_response();
      if ((response && response->status == 200) || std::chrono::steady_clock::now() > deadline) {
        return connection;
      }
    }
  };
  auto first = occupy_slot();
  auto second = occupy_slot();
  RawConnection third(port());
  third.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
  auto refused = third.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->json()["error"]["code"], "unavailable");
  EXPECT_EQ(refused->header("retry-after"), "1");
  // Kept-alive connections still work.
  first->send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
  auto still = first->read_response();
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
}

TEST_F(BerthdTest, SurvivesAStormOfBrokenConnections) {
  start();
  for (int i = 0; i < 200; ++i) {
    RawConnection connection(port());
    connection.send(i % 2 == 0 ? "GET /api/v1/hea"
                               : "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03");
  }
  EXPECT_EQ(http_request(port(), "GET", "/api/v1/health").status, 200);
}

}  // namespace
}  // namespace berth::testing
