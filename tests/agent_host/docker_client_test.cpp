#include "agent/host/docker_client.hpp"

#include <gtest/gtest.h>

#include "fake_engine.hpp"

namespace berth::agent::host {
namespace {

using testing::FakeEngine;
using testing::SeenRequest;

TEST(DockerClient, SendsVersionedRequestsAndReadsTheAnswer) {
  FakeEngine engine([](const SeenRequest& request) {
    return FakeEngine::answer(201, R"({"Id":"abc","echo":)" + request.body + "}");
  });
  DockerClient client(engine.socket_path());
  auto response = client.request("POST", "/containers/create?name=web", nlohmann::json{{"a", 1}});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 201u);
  EXPECT_EQ(nlohmann::json::parse(response->body)["echo"]["a"], 1);
  const auto seen = engine.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/v1.41/containers/create?name=web");
}

TEST(DockerClient, StreamsChunksInOrder) {
  FakeEngine engine([](const SeenRequest&) {
    return FakeEngine::chunked(200, {"one ", std::string(40'000, 'x'), " two"});
  });
  DockerClient client(engine.socket_path());
  std::string got;
  auto response = client.stream("GET", "/logs", std::nullopt,
                                [&got](std::string_view chunk) { got.append(chunk); }, {});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(got, "one " + std::string(40'000, 'x') + " two");
  EXPECT_TRUE(response->body.empty());
}

TEST(DockerClient, StreamedErrorBodiesAreCollectedNotStreamed) {
  FakeEngine engine(
      [](const SeenRequest&) { return FakeEngine::answer(404, R"({"message":"no such image"})"); });
  DockerClient client(engine.socket_path());
  bool streamed = false;
  auto response = client.stream("POST", "/images/create", std::nullopt,
                                [&streamed](std::string_view) { streamed = true; }, {});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404u);
  EXPECT_FALSE(streamed);
  EXPECT_EQ(docker_error_message(*response), "no such image");
}

TEST(DockerClient, MissingSocketIsUnreachable) {
  DockerClient client("/nonexistent/docker.sock");
  auto response = client.request("GET", "/_ping");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "docker_unreachable");
  EXPECT_NE(response.error().message.find("/nonexistent/docker.sock"), std::string::npos);
}

TEST(DockerClient, GivesUpAtTheDeadline) {
  FakeEngine engine([](const SeenRequest&) { return std::string(); });  // never answers
  DockerClient client(engine.socket_path());
  auto response =
      client.request("GET", "/info", std::nullopt, {.timeout = std::chrono::milliseconds(200)});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "timeout");
}

TEST(DockerClient, StopsWhenCancelled) {
  FakeEngine engine([](const SeenRequest&) { return std::string(); });
  DockerClient client(engine.socket_path());
  const std::atomic<bool> cancelled{true};  // seen at the first wait for the answer
  auto response = client.stream("GET", "/logs", std::nullopt, [](std::string_view) {},
                                {.timeout = std::chrono::minutes(10), .cancelled = &cancelled});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "canceled");
}

TEST(DockerClient, UrlEncodesQueryValues) {
  EXPECT_EQ(url_encode("registry:5000/app@sha256:ab"), "registry%3A5000%2Fapp%40sha256%3Aab");
  EXPECT_EQ(url_encode("a-b_c.d~e"), "a-b_c.d~e");
}

TEST(DockerClient, ErrorMessageFallsBackToTheBody) {
  EXPECT_EQ(docker_error_message({.status = 500, .body = "plain failure\n"}), "plain failure");
  EXPECT_EQ(docker_error_message({.status = 502, .body = ""}), "Docker answered HTTP 502");
}

}  // namespace
}  // namespace berth::agent::host
