// The HTTP core seen from outside: routes, headers, the error envelope on every failure path.

#include <regex>

#include "integration/berthd_test_base.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;

void expect_envelope(const HttpResponse& response, int status, const std::string& code) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/json");
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << response.body;
  ASSERT_TRUE(body.contains("error")) << response.body;
  EXPECT_EQ(body["error"]["code"], code) << response.body;
  EXPECT_TRUE(body["error"]["message"].is_string());
  EXPECT_TRUE(body["error"]["details"].is_object());
  EXPECT_FALSE(response.header("x-request-id").empty());
}

class HttpCoreTest : public BerthdTest {
 protected:
  void SetUp() override { start(); }
};

TEST_F(HttpCoreTest, HealthAnswersOk) {
  const HttpResponse response = http_request(port(), "GET", "/api/v1/health");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.json(), nlohmann::json({{"status", "ok"}}));
  EXPECT_EQ(response.header("x-api-version"), "v1");
  EXPECT_FALSE(response.header("x-request-id").empty());
}

TEST_F(HttpCoreTest, HeadHealthHasHeadersOnly) {
  RawConnection connection(port());
  connection.send(
      "HEAD /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/version HTTP/1.1\r\nHost: "
      "x\r\n\r\n");
  // The HEAD response carries Content-Length but no body, so the next response follows it.
  auto head = connection.read_response(10s, /*answer_to_head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "15");
  auto next = connection.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->json()["api"], "v1");
}

TEST_F(HttpCoreTest, VersionNamesTheApi) {
  const auto body = http_request(port(), "GET", "/api/v1/version").json();
  EXPECT_EQ(body["api"], "v1");
  EXPECT_TRUE(std::regex_match(body["version"].get<std::string>(), std::regex(R"(\d+\.\d+\.\d+)")));
}

TEST_F(HttpCoreTest, OpenApiDocumentListsTheRoutes) {
  const auto doc = http_request(port(), "GET", "/api/v1/openapi.json").json();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_TRUE(doc["paths"].contains("/api/v1/health"));
  EXPECT_TRUE(doc["paths"].contains("/api/v1/version"));
  EXPECT_TRUE(doc["paths"].contains("/api/v1/openapi.json"));
}

TEST_F(HttpCoreTest, EchoesASaneRequestIdAndReplacesOthers) {
  EXPECT_EQ(
      http_request(port(), "GET", "/api/v1/health", "", {{"X-Request-ID", "abc-123.def_456:7"}})
          .header("x-request-id"),
      "abc-123.def_456:7");
  for (const std::string& insane :
       {std::string("has space"), std::string(200, 'a'), std::string("<script>")}) {
    const std::string id =
        http_request(port(), "GET", "/api/v1/health", "", {{"X-Request-ID", insane}})
            .header("x-request-id");
    EXPECT_NE(id, insane);
    EXPECT_FALSE(id.empty());
  }
  const std::string first = http_request(port(), "GET", "/api/v1/health").header("x-request-id");
  const std::string second = http_request(port(), "GET", "/api/v1/health").header("x-request-id");
  EXPECT_NE(first, second);
}

TEST_F(HttpCoreTest, UnknownRouteIs404) {
  expect_envelope(http_request(port(), "GET", "/api/v1/nope"), 404, "not_found");
  // "/" is the dashboard now (web_test.cpp); the API's own prefix stays JSON.
  expect_envelope(http_request(port(), "GET", "/api"), 404, "not_found");
  expect_envelope(http_request(port(), "GET", "/api/v1/health/"), 404, "not_found");
  expect_envelope(http_request(port(), "GET", "/api/v1/../v1/health"), 404, "not_found");
}

TEST_F(HttpCoreTest, WrongMethodIs405WithAllow) {
  for (const char* method : {"DELETE", "POST", "OPTIONS", "TRACE", "PATCH"}) {
    const HttpResponse response = http_request(port(), method, "/api/v1/health");
    expect_envelope(response, 405, "method_not_allowed");
    EXPECT_EQ(response.header("allow"), "GET") << method;
  }
}

TEST_F(HttpCoreTest, MalformedRequestIs400) {
  RawConnection connection(port());
  connection.send("GET /api/v1/health HTTP/9.9 garbage\r\n\r\n");
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  expect_envelope(*response, 400, "bad_request");
  EXPECT_TRUE(connection.wait_closed());
}

TEST_F(HttpCoreTest, BadChunkedBodyIs400) {
  RawConnection connection(port());
  connection.send(
      "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  expect_envelope(*response, 400, "bad_request");
}

TEST_F(HttpCoreTest, OversizeBodyIs413) {
  RawConnection connection(port());
  connection.send(
      "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nContent-Length: " +
      std::to_string(2 * 1024 * 1024) + "\r\n\r\n" + std::string(64 * 1024, 'x'));
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  expect_envelope(*response, 413, "payload_too_large");
  EXPECT_EQ(response->json()["error"]["details"]["limit_bytes"], 1024 * 1024);
}

TEST_F(HttpCoreTest, OversizeChunkedBodyIs413) {
  RawConnection connection(port());
  std::string request =
      "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(256 * 1024, 'x');
  for (int i = 0; i < 5; ++i) {
    request += "40000\r\n" + chunk + "\r\n";
  }
  connection.send(request);
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  expect_envelope(*response, 413, "payload_too_large");
}

TEST_F(HttpCoreTest, HeaderFloodIs431) {
  RawConnection connection(port());
  std::string request = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 2000; ++i) {
    request += "X-Flood-" + std::to_string(i) + ": " + std::string(40, 'a') + "\r\n";
  }
  connection.send(request + "\r\n");
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  expect_envelope(*response, 431, "headers_too_large");
}

TEST_F(HttpCoreTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  RawConnection connection(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(connection.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
  // Pipelined requests are answered in order.
  connection.send(
      "GET /api/v1/version HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/nope HTTP/1.1\r\nHost: "
      "x\r\n\r\n");
  EXPECT_EQ(connection.read_response()->status, 200);
  EXPECT_EQ(connection.read_response()->status, 404);
}

TEST_F(HttpCoreTest, ExpectContinueIsHonoured) {
  RawConnection connection(port());
  connection.send(
      "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  auto go_on = connection.read_response();
  ASSERT_TRUE(go_on);
  EXPECT_EQ(go_on->status, 100);
  connection.send("{}");
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  expect_envelope(*response, 405, "method_not_allowed");
}

TEST_F(HttpCoreTest, AccessLogHasOneLinePerRequest) {
  http_request(port(), "GET", "/api/v1/health", "", {{"X-Request-ID", "trace-me-42"}});
  berthd_->stop();
  const std::string log = berthd_->log();
  const auto line_start = log.find("request_id=trace-me-42");
  ASSERT_NE(line_start, std::string::npos) << log;
  const std::string line = log.substr(log.rfind('\n', line_start) + 1,
                                      log.find('\n', line_start) - log.rfind('\n', line_start) - 1);
  EXPECT_NE(line.find("http.access"), std::string::npos) << line;
  EXPECT_NE(line.find("method=GET"), std::string::npos) << line;
  EXPECT_NE(line.find("path=/api/v1/health"), std::string::npos) << line;
  EXPECT_NE(line.find("status=200"), std::string::npos) << line;
  EXPECT_NE(line.find("bytes=15"), std::string::npos) << line;
  EXPECT_NE(line.find("duration_ms="), std::string::npos) << line;
}

}  // namespace
}  // namespace berth::testing
