// The API client against a tiny local HTTP server: what it sends, which calls it retries and
// after how long (an injected sleeper records the waits), and how a stream resumes.
#include "client/client.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "client/tiny_http_server.hpp"

namespace berth::client {
namespace {

using testing::SeenRequest;
using testing::TinyHttpServer;

struct Waits {
  std::vector<std::chrono::milliseconds> seen;
  Sleeper sleeper() {
    return [this](std::chrono::milliseconds wait) { seen.push_back(wait); };
  }
};

ClientOptions options_for(const TinyHttpServer& server) {
  return ClientOptions{.base_url = server.url() + "/", .token = "bk_test"};
}

const std::string kEnvelope = R"({"error":{"code":"unavailable","message":"busy","details":{}}})";

TEST(Client, SendsTheTokenTeamAndJsonBodyAndReturnsTheAnswer) {
  TinyHttpServer server([](const SeenRequest&, int) {
    return TinyHttpServer::answer(201, R"({"id":"app_1"})", {{"X-Request-ID", "r1"}});
  });
  auto options = options_for(server);
  options.headers["X-Team-ID"] = "team_1";
  Client client(options);
  auto answer = client.request("POST", "/api/v1/apps", nlohmann::json{{"name", "web"}});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->json()["id"], "app_1");
  EXPECT_EQ(answer->header("x-request-id"), "r1");
  const auto seen = server.requests().at(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/api/v1/apps");
  EXPECT_EQ(seen.header("authorization"), "Bearer bk_test");
  EXPECT_EQ(seen.header("x-team-id"), "team_1");
  EXPECT_EQ(seen.header("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(seen.body), (nlohmann::json{{"name", "web"}}));
}

TEST(Client, RetriesAGetAfter503HonouringRetryAfter) {
  TinyHttpServer server([](const SeenRequest&, int index) {
    return index == 0 ? TinyHttpServer::answer(503, kEnvelope, {{"Retry-After", "2"}})
                      : TinyHttpServer::answer(200, "{}");
  });
  Waits waits;
  Client client(options_for(server), waits.sleeper());
  auto answer = client.request("GET", "/api/v1/servers");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(server.requests().size(), 2U);
  ASSERT_EQ(waits.seen.size(), 1U);
  EXPECT_EQ(waits.seen[0], std::chrono::seconds(2));
}

TEST(Client, NeverRetriesAPostWithoutAnIdempotencyKey) {
  TinyHttpServer server([](const SeenRequest&, int) {
    return TinyHttpServer::answer(429, kEnvelope, {{"Retry-After", "1"}});
  });
  Waits waits;
  Client client(options_for(server), waits.sleeper());
  auto answer = client.request("POST", "/api/v1/apps/app_1/restart");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 429);
  EXPECT_EQ(server.requests().size(), 1U);
  EXPECT_TRUE(waits.seen.empty());
}

TEST(Client, RetriesAPostThatCarriesAnIdempotencyKeyWithTheSameKey) {
  TinyHttpServer server([](const SeenRequest&, int index) {
    return index < 2 ? TinyHttpServer::answer(503, kEnvelope) : TinyHttpServer::answer(202, "{}");
  });
  Waits waits;
  Client client(options_for(server), waits.sleeper());
  auto answer = client.request("POST", "/api/v1/apps/app_1/deployments", nlohmann::json::object(),
                               {{"Idempotency-Key", "k1"}});
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 202);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3U);
  for (const auto& request : seen) {
    EXPECT_EQ(request.header("idempotency-key"), "k1");
  }
  // No Retry-After: exponential backoff from the configured base.
  ASSERT_EQ(waits.seen.size(), 2U);
  EXPECT_EQ(waits.seen[1], waits.seen[0] * 2);
}

TEST(Client, GivesUpOnANetworkErrorAfterMaxAttempts) {
  Waits waits;
  Client client(
      {.base_url = "http://127.0.0.1:" + std::to_string(testing::unused_port()), .max_attempts = 3},
      waits.sleeper());
  auto answer = client.request("GET", "/api/v1/health");
  ASSERT_FALSE(answer);
  EXPECT_TRUE(is_network_error(answer.error()));
  EXPECT_EQ(waits.seen.size(), 2U);
}

TEST(Client, DoesNotRetryAPostOnANetworkError) {
  Waits waits;
  Client client({.base_url = "http://127.0.0.1:" + std::to_string(testing::unused_port())},
                waits.sleeper());
  auto answer = client.request("POST", "/api/v1/apps", nlohmann::json::object());
  ASSERT_FALSE(answer);
  EXPECT_TRUE(is_network_error(answer.error()));
  EXPECT_TRUE(waits.seen.empty());
}

TEST(Client, ApiErrorReadsTheEnvelope) {
  Response response{.status = 403,
                    .body = R"({"error":{"code":"insufficient_role","message":"needs member",)"
                            R"("details":{"required_role":"member"}}})"};
  const auto error = api_error(response);
  EXPECT_EQ(error.kind, ErrorKind::forbidden);
  EXPECT_EQ(error.code, "insufficient_role");
  EXPECT_EQ(error.message, "needs member");
  EXPECT_EQ(error.details["required_role"], "member");
  const auto plain = api_error(Response{.status = 404, .body = "<html>"});
  EXPECT_EQ(plain.kind, ErrorKind::not_found);
  EXPECT_EQ(plain.code, "not_found");
}

std::string sse_head() {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
}

TEST(ClientStream, ResumesWithLastEventIdAfterADroppedConnection) {
  TinyHttpServer server([](const SeenRequest&, int index) {
    if (index == 0) {  // two events, then the connection drops
      return sse_head() + "id: 1\nevent: output\ndata: a\n\nid: 2\nevent: output\ndata: b\n\n";
    }
    return sse_head() + "id: 3\nevent: output\ndata: c\n\nid: 4\nevent: done\ndata: {}\n\n";
  });
  Waits waits;
  Client client(options_for(server), waits.sleeper());
  std::vector<std::string> seen;
  auto result = client.stream("/api/v1/jobs/job_1/output", "", [&](const SseEvent& event) {
    seen.push_back(event.id + ":" + event.event + ":" + event.data);
    return event.event != "done";
  });
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(seen,
            (std::vector<std::string>{"1:output:a", "2:output:b", "3:output:c", "4:done:{}"}));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[0].header("last-event-id"), "");
  EXPECT_EQ(requests[0].header("accept"), "text/event-stream");
  EXPECT_EQ(requests[1].header("last-event-id"), "2");
}

TEST(ClientStream, AnEventCutOffByTheDropIsNotGluedToTheNextConnection) {
  TinyHttpServer server([](const SeenRequest&, int index) {
    if (index == 0) {
      return sse_head() + "id: 1\nevent: output\ndata: a\n\nid: 2\nevent: out";
    }
    return sse_head() + "id: 2\nevent: output\ndata: b\n\nid: 3\nevent: done\ndata: {}\n\n";
  });
  Waits waits;
  Client client(options_for(server), waits.sleeper());
  std::vector<std::string> seen;
  auto result = client.stream("/s", "", [&](const SseEvent& event) {
    seen.push_back(event.id + ":" + event.event + ":" + event.data);
    return event.event != "done";
  });
  ASSERT_TRUE(result);
  EXPECT_EQ(seen, (std::vector<std::string>{"1:output:a", "2:output:b", "3:done:{}"}));
  EXPECT_EQ(server.requests().at(1).header("last-event-id"), "1");
}

TEST(ClientStream, ASilentConnectionIsGivenUpAndReopened) {
  TinyHttpServer server([](const SeenRequest&, int index) {
    if (index == 0) {  // nothing at all for longer than the idle timeout
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    return sse_head() + "id: 1\nevent: done\ndata: {}\n\n";
  });
  auto options = options_for(server);
  options.stream_idle_timeout = std::chrono::milliseconds(200);
  Waits waits;
  Client client(options, waits.sleeper());
  auto result =
      client.stream("/s", "", [](const SseEvent& event) { return event.event != "done"; });
  ASSERT_TRUE(result) << result.error().message;
  // Reopened at least once; the server, busy sleeping, records the ones given up meanwhile too.
  EXPECT_GE(server.requests().size(), 2U);
  EXPECT_FALSE(waits.seen.empty());
}

TEST(ClientStream, StartsFromTheGivenLastEventId) {
  TinyHttpServer server(
      [](const SeenRequest&, int) { return sse_head() + "id: 8\nevent: done\ndata: {}\n\n"; });
  Client client(options_for(server));
  auto result = client.stream("/s", "7", [](const SseEvent&) { return false; });
  ASSERT_TRUE(result);
  EXPECT_EQ(server.requests().at(0).header("last-event-id"), "7");
}

TEST(ClientStream, ARefusalIsTheApiError) {
  TinyHttpServer server([](const SeenRequest&, int) {
    return TinyHttpServer::answer(
        403, R"({"error":{"code":"insufficient_role","message":"admins only","details":{}}})");
  });
  Client client(options_for(server));
  auto result = client.stream("/s", "", [](const SseEvent&) { return true; });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(server.requests().size(), 1U);
}

TEST(ClientStream, GivesUpAfterMaxReconnectsWithoutProgress) {
  TinyHttpServer server([](const SeenRequest&, int) { return sse_head() + ": nothing\n\n"; });
  Waits waits;
  Client client(options_for(server), waits.sleeper());
  auto result =
      client.stream("/s", "", [](const SseEvent&) { return true; }, {.max_reconnects = 2});
  ASSERT_FALSE(result);
  EXPECT_TRUE(is_network_error(result.error())) << result.error().message;
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST(ClientStream, WithoutReconnectARateLimitIsTheError) {
  TinyHttpServer server([](const SeenRequest&, int) {
    return TinyHttpServer::answer(429, kEnvelope);  // no Retry-After: close a stream first
  });
  Client client(options_for(server));
  auto result = client.stream("/s", "", [](const SseEvent&) { return true; }, {.reconnect = false});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::rate_limited);
}

TEST(ClientStream, WithoutReconnectTheEndOfTheConnectionEndsTheStream) {
  TinyHttpServer server(
      [](const SeenRequest&, int) { return sse_head() + "event: output\ndata: x\n\n"; });
  Client client(options_for(server));
  int events = 0;
  auto result =
      client.stream("/s", "", [&](const SseEvent&) { return ++events > 0; }, {.reconnect = false});
  EXPECT_TRUE(result);
  EXPECT_EQ(events, 1);
  EXPECT_EQ(server.requests().size(), 1U);
}

}  // namespace
}  // namespace berth::client
