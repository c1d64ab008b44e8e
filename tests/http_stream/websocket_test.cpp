// WebSockets through the real server, with a Beast client: echo, order, the limits and their
// close codes, the application's close, the client going away, shutdown, and that a
// connection's callbacks never overlap.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "stream_test_server.hpp"

namespace berth::http::testing {
namespace {

TEST(WebSocket, EchoesText) {
  StreamTestServer server;
  WsClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_FALSE(client.send("hello"));
  const auto reply = client.read();
  ASSERT_FALSE(reply.error) << reply.error.message();
  EXPECT_EQ(reply.text, "hello");
  EXPECT_TRUE(eventually([&] { return server.log().opens.load() == 1; }));
}

TEST(WebSocket, KeepsTheOrderOfAThousandMessages) {
  StreamTestServer server;
  WsClient client(server.port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(client.send(fmt::format("m{}", i)));
  }
  for (int i = 0; i < 1000; ++i) {
    const auto reply = client.read();
    ASSERT_FALSE(reply.error) << "message " << i << ": " << reply.error.message();
    ASSERT_EQ(reply.text, fmt::format("m{}", i));
  }
  EXPECT_EQ(server.log().overlaps.load(), 0);
}

TEST(WebSocket, FrameOverTheLimitClosesWith1009) {
  StreamTestServer server;
  WsClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_FALSE(client.send(std::string(2000, 'a')));
  const auto reply = client.read();
  EXPECT_EQ(reply.error, websocket::error::closed) << reply.error.message();
  EXPECT_EQ(reply.reason.code, 1009);
  EXPECT_TRUE(eventually([&] { return server.log().closes.load() == 1; }));
}

// A peer sending faster than the application handles is held back by TCP: the server stops
// reading while 256 KiB wait for the session. 64 MiB is far more than the socket buffers of
// both ends hold, so the sender can only finish once the session runs again. (That it does not
// finish while the session is stalled is watched as "no progress for 2 s".)
TEST(WebSocket, StopsReadingWhileTheApplicationIsBehind) {
  StreamTestServer server;
  WsClient client(server.port(), "/ws-stall");
  ASSERT_TRUE(client.connected());
  ASSERT_FALSE(client.send("stall"));
  ASSERT_TRUE(eventually([&] { return server.log().stalled.load(); }));
  constexpr int kFrames = 1024;
  std::atomic<int> sent{0};
  std::thread sender([&] {
    const std::string padding(64 * 1024 - 16, 'p');
    for (int i = 0; i < kFrames; ++i) {
      if (client.send(fmt::format("{}:{}", i, padding))) {
        return;
      }
      ++sent;
    }
  });
  // Watches until the sender is stuck (no frame out for 2 s) or done: without backpressure
  // the server keeps reading, so the sender never sticks and finishes.
  using Clock = std::chrono::steady_clock;
  int seen = -1;
  auto last_progress = Clock::now();
  const auto give_up = Clock::now() + kWait;
  while (sent.load() < kFrames && Clock::now() - last_progress < seconds(2) &&
         Clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(20));
    if (sent.load() != seen) {
      seen = sent.load();
      last_progress = Clock::now();
    }
  }
  const int sent_while_stalled = sent.load();
  server.log().release_stall = true;
  sender.join();
  EXPECT_LT(sent_while_stalled, kFrames) << "the server read everything the peer sent";
  EXPECT_EQ(sent.load(), kFrames);
  EXPECT_TRUE(eventually([&] { return server.log().stall_frames.load() == kFrames; }));
  EXPECT_EQ(server.log().stall_misordered.load(), 0);
}

TEST(WebSocket, BinaryFrameClosesWith1003) {
  StreamTestServer server;
  WsClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_FALSE(client.send("\x01\x02", true));
  const auto reply = client.read();
  EXPECT_EQ(reply.error, websocket::error::closed) << reply.error.message();
  EXPECT_EQ(reply.reason.code, 1003);
  EXPECT_TRUE(eventually([&] { return server.log().closes.load() == 1; }));
}

TEST(WebSocket, ApplicationCloseReachesTheClientWithItsCode) {
  StreamTestServer server;
  WsClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_FALSE(client.send("before"));
  ASSERT_FALSE(client.send("revoke"));
  const auto echoed = client.read();
  EXPECT_EQ(echoed.text, "before");
  const auto reply = client.read();
  EXPECT_EQ(reply.error, websocket::error::closed) << reply.error.message();
  EXPECT_EQ(reply.reason.code, 4001);
  EXPECT_EQ(std::string(reply.reason.reason.data(), reply.reason.reason.size()), "revoked");
  EXPECT_TRUE(eventually([&] { return server.log().closes.load() == 1; }));
}

TEST(WebSocket, SendQueueOverflowClosesWith1008) {
  StreamTestServer server;
  WsClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_FALSE(client.send("flood"));
  WsClient::Read reply;
  for (int frames = 0; frames < 100'000; ++frames) {
    reply = client.read();
    if (reply.error) {
      break;
    }
  }
  EXPECT_EQ(reply.error, websocket::error::closed) << reply.error.message();
  EXPECT_EQ(reply.reason.code, 1008);
}

TEST(WebSocket, ClientVanishingCallsOnCloseOnce) {
  StreamTestServer server;
  {
    WsClient client(server.port());
    ASSERT_TRUE(client.connected());
    ASSERT_FALSE(client.send("hi"));
    ASSERT_EQ(client.read().text, "hi");
    client.drop();
  }
  EXPECT_TRUE(eventually([&] { return server.log().closes.load() == 1; }));
  server.request_stop();
  ASSERT_TRUE(server.wait_stopped());
  EXPECT_EQ(server.log().opens.load(), 1);
  EXPECT_EQ(server.log().closes.load(), 1);
}

TEST(WebSocket, ShutdownClosesWith1001Promptly) {
  StreamTestServer server;  // shutdown_timeout 60 s: longer than any wait below
  WsClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_FALSE(client.send("hi"));
  ASSERT_EQ(client.read().text, "hi");

  server.request_stop();
  const auto reply = client.read();
  EXPECT_EQ(reply.error, websocket::error::closed) << reply.error.message();
  EXPECT_EQ(reply.reason.code, 1001);
  EXPECT_EQ(std::string(reply.reason.reason.data(), reply.reason.reason.size()),
            "berthd shutting down");
  EXPECT_TRUE(server.wait_stopped());
  EXPECT_EQ(server.log().closes.load(), 1);
}

TEST(WebSocket, CallbacksOfOneConnectionNeverOverlap) {
  StreamTestServer server;
  constexpr int kClients = 4;
  constexpr int kMessages = 200;
  std::vector<std::thread> threads;
  std::atomic<int> echoed{0};
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      WsClient client(server.port());
      if (!client.connected()) {
        return;
      }
      for (int i = 0; i < kMessages; ++i) {
        if (client.send(fmt::format("{}:{}", c, i))) {
          return;
        }
      }
      for (int i = 0; i < kMessages; ++i) {
        if (client.read().text != fmt::format("{}:{}", c, i)) {
          return;
        }
        ++echoed;
      }
      client.drop();
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(echoed.load(), kClients * kMessages);
  EXPECT_TRUE(eventually([&] { return server.log().closes.load() == kClients; }));
  EXPECT_EQ(server.log().opens.load(), kClients);
  EXPECT_EQ(server.log().overlaps.load(), 0);
}

TEST(WebSocket, UpgradeAnswerToAPlainRequestIs500) {
  StreamTestServer server;
  RawClient client(server.port());
  client.get("/ws");
  ASSERT_TRUE(client.read_to_end()) << client.received();
  EXPECT_TRUE(client.received().starts_with("HTTP/1.1 500 ")) << client.received();
  EXPECT_NE(client.received().find("\"internal\""), std::string::npos) << client.received();
  EXPECT_EQ(server.log().opens.load(), 0);
}

TEST(WebSocket, CountsAgainstMaxConnections) {
  ServerOptions options = StreamTestServer::defaults();
  options.max_connections = 1;
  StreamTestServer server(options);
  WsClient agent(server.port());
  ASSERT_TRUE(agent.connected());
  ASSERT_FALSE(agent.send("hi"));
  ASSERT_EQ(agent.read().text, "hi");
  RawClient other(server.port());
  other.get("/plain");
  ASSERT_TRUE(other.read_to_end());
  EXPECT_TRUE(other.received().starts_with("HTTP/1.1 503 ")) << other.received();
}

}  // namespace
}  // namespace berth::http::testing
