// Streamed bodies (SSE) through the real server: order, the head, keepalive comments, the
// client going away, a client too slow for its bound, and shutdown.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "stream_test_server.hpp"

namespace berth::http::testing {
namespace {

std::string head_of(const std::string& response) {
  return response.substr(0, response.find("\r\n\r\n") + 4);
}

std::string body_of(const std::string& response) {
  const auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string{} : response.substr(end + 4);
}

bool has_head(const std::string& received) {
  return received.find("\r\n\r\n") != std::string::npos;
}

TEST(ServerSentEvents, EventsWrittenFromAnotherThreadArriveInOrderThenTheStreamEnds) {
  StreamTestServer server;
  RawClient client(server.port());
  client.get("/events?n=200");
  ASSERT_TRUE(client.read_to_end()) << client.received();

  const std::string head = head_of(client.received());
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Cache-Control: no-cache\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;

  std::string expected;
  for (int i = 0; i < 200; ++i) {
    expected += fmt::format("data: {}\n\n", i);
  }
  EXPECT_EQ(body_of(client.received()), expected);
}

TEST(ServerSentEvents, HeadRequestGetsTheHeadOnly) {
  StreamTestServer server;
  RawClient client(server.port());
  client.get("/events?n=5", "HEAD");
  ASSERT_TRUE(client.read_to_end()) << client.received();
  EXPECT_TRUE(client.received().starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(body_of(client.received()), "");
  EXPECT_EQ(server.log().stream_starts.load(), 0);
}

TEST(ServerSentEvents, IdleStreamGetsKeepaliveCommentsAndShutdownEndsItPromptly) {
  StreamTestServer server;
  RawClient client(server.port());
  client.get("/forever");
  ASSERT_TRUE(client.read_until([](const std::string& received) {
    return has_head(received) && body_of(received).find(":\n\n") != std::string::npos;
  })) << client.received();

  // shutdown_timeout is 60 s and every wait here is shorter: only the shutdown's sweep of
  // streams can end this one in time.
  server.request_stop();
  EXPECT_TRUE(client.read_to_end());
  EXPECT_TRUE(server.wait_stopped());

  const std::lock_guard lock(server.log().mutex);
  ASSERT_EQ(server.log().forever_writers.size(), 1u);
  auto& writer = *server.log().forever_writers.front();
  EXPECT_TRUE(writer.closed());
  EXPECT_FALSE(writer.write("data: too late\n\n"));
}

TEST(ServerSentEvents, ClientLeavingClosesTheWriter) {
  StreamTestServer server;
  RawClient client(server.port());
  client.get("/forever");
  ASSERT_TRUE(client.read_until(has_head));
  ASSERT_TRUE(eventually([&] { return server.log().stream_starts.load() == 1; }));
  std::shared_ptr<StreamWriter> writer;
  {
    const std::lock_guard lock(server.log().mutex);
    writer = server.log().forever_writers.front();
  }
  EXPECT_TRUE(writer->write("data: hello\n\n"));
  ASSERT_TRUE(client.read_until(
      [](const std::string& received) { return received.ends_with("data: hello\n\n"); }));

  client.close();
  EXPECT_TRUE(eventually([&] { return writer->closed(); }));
  EXPECT_FALSE(writer->write("data: nobody\n\n"));
}

TEST(ServerSentEvents, ClientTooSlowForTheBoundIsDisconnected) {
  StreamTestServer server;
  RawClient client(server.port(), 4096);  // a small window, and nothing read for a while
  client.get("/flood");
  EXPECT_TRUE(eventually([&] { return server.log().flood_refused.load(); }));
  EXPECT_TRUE(client.read_to_end());  // what was in flight, then the end of the connection
}

TEST(ServerSentEvents, PlainRequestsKeepTheirConnectionAndLength) {
  StreamTestServer server;
  RawClient client(server.port());
  client.get("/plain");
  ASSERT_TRUE(client.read_until([](const std::string& received) {
    return received.ends_with("{\"ok\":true}");
  })) << client.received();
  EXPECT_NE(client.received().find("Content-Length: 11\r\n"), std::string::npos);
  EXPECT_EQ(client.received().find("Connection: close"), std::string::npos);
  client.get("/plain");  // the same connection serves a second request
  ASSERT_TRUE(client.read_until([](const std::string& received) {
    return received.find("HTTP/1.1 200 OK", 10) != std::string::npos &&
           received.ends_with("{\"ok\":true}");
  })) << client.received();
}

}  // namespace
}  // namespace berth::http::testing
