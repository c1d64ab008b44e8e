#include "http/response_head.hpp"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

const HeadOptions kOptions{
    .version = 11, .keep_alive = true, .request_id = "req-1", .api_version = "v1"};

TEST(ResponseHead, RendersStatusHeadersAndLength) {
  const Response response = Response::json(404, {{"a", 1}});
  EXPECT_EQ(render_head(response, kOptions),
            "HTTP/1.1 404 Not Found\r\n"
            "Content-Type: application/json\r\n"
            "X-Request-ID: req-1\r\n"
            "X-API-Version: v1\r\n"
            "Cache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Content-Length: 7\r\n"
            "\r\n");
}

TEST(ResponseHead, SaysCloseWhenNotKeepingAlive) {
  HeadOptions options = kOptions;
  options.keep_alive = false;
  EXPECT_NE(render_head(Response::json(200, {}), options).find("Connection: close\r\n"),
            std::string::npos);
}

TEST(ResponseHead, AnswersHttp10InKind) {
  HeadOptions options = kOptions;
  options.version = 10;
  const std::string head = render_head(Response::json(200, {}), options);
  EXPECT_TRUE(head.starts_with("HTTP/1.0 200 OK\r\n"));
  EXPECT_NE(head.find("Connection: keep-alive\r\n"), std::string::npos);
}

TEST(ResponseHead, NoContentHasNoLength) {
  EXPECT_EQ(render_head(Response::no_content(), kOptions).find("Content-Length"),
            std::string::npos);
}

TEST(ResponseHead, NotModifiedHasNoLength) {
  const Response response{.status = 304, .content_type = {}, .body = {}, .headers = {}};
  const std::string head = render_head(response, kOptions);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 304 Not Modified\r\n"));
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST(ResponseHead, AResponsesOwnCachePolicyReplacesNoStore) {
  Response response = Response::json(200, {});
  response.headers = {{"Cache-Control", "public, max-age=31536000, immutable"}};
  const std::string head = render_head(response, kOptions);
  EXPECT_EQ(head.find("no-store"), std::string::npos);
  EXPECT_NE(head.find("Cache-Control: public, max-age=31536000, immutable\r\n"), std::string::npos);
  EXPECT_NE(head.find("X-Content-Type-Options: nosniff\r\n"), std::string::npos);
}

TEST(ResponseHead, StaticBodyIsSentWithoutCopy) {
  static constexpr std::string_view kBytes = "compiled in";
  Response response{.status = 200, .content_type = "text/plain", .body = {}, .headers = {}};
  response.static_body = kBytes;
  EXPECT_EQ(response.body_bytes().data(), kBytes.data());
  EXPECT_NE(render_head(response, kOptions).find("Content-Length: 11\r\n"), std::string::npos);
}

TEST(ResponseHead, RefusesHeaderInjection) {
  Response response = Response::json(200, {});
  response.headers = {{"Location", "/x\r\nSet-Cookie: evil=1"},
                      {"Bad Name", "v"},
                      {"X-Nul", std::string("a\0b", 3)},
                      {"Allow", "GET"}};
  const std::string head = render_head(response, kOptions);
  EXPECT_EQ(head.find("evil"), std::string::npos);
  EXPECT_EQ(head.find("Bad Name"), std::string::npos);
  EXPECT_EQ(head.find("X-Nul"), std::string::npos);
  EXPECT_NE(head.find("Allow: GET\r\n"), std::string::npos);
}

}  // namespace
}  // namespace berth::http
