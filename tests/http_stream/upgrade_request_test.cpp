// is_websocket_upgrade() and the head of a streamed body: no sockets needed.
#include <gtest/gtest.h>

#include "http/message.hpp"
#include "http/response_head.hpp"

namespace berth::http {
namespace {

Request upgrade_request() {
  Request request;
  request.method = Method::get;
  request.path = "/api/v1/agent/connect";
  request.headers = {{"host", "berth.test"},
                     {"upgrade", "websocket"},
                     {"connection", "Upgrade"},
                     {"sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="},
                     {"sec-websocket-version", "13"}};
  return request;
}

void set_header(Request& request, const std::string& name, const std::string& value) {
  for (auto& [key, existing] : request.headers) {
    if (key == name) {
      existing = value;
      return;
    }
  }
  request.headers.emplace_back(name, value);
}

void remove_header(Request& request, const std::string& name) {
  std::erase_if(request.headers, [&](const auto& header) { return header.first == name; });
}

TEST(WebSocketUpgrade, AcceptsAWellFormedUpgrade) {
  EXPECT_TRUE(is_websocket_upgrade(upgrade_request()));
}

TEST(WebSocketUpgrade, TokensAreCaseInsensitiveAndMayBeListed) {
  Request request = upgrade_request();
  set_header(request, "upgrade", "WebSocket");
  set_header(request, "connection", "keep-alive, UPGRADE");
  EXPECT_TRUE(is_websocket_upgrade(request));
}

TEST(WebSocketUpgrade, ConnectionTokenMayComeInASecondHeaderLine) {
  Request request = upgrade_request();
  set_header(request, "connection", "keep-alive");
  request.headers.emplace_back("connection", "upgrade");
  EXPECT_TRUE(is_websocket_upgrade(request));
}

TEST(WebSocketUpgrade, RefusesWhatIsNotAnUpgrade) {
  Request post = upgrade_request();
  post.method = Method::post;
  EXPECT_FALSE(is_websocket_upgrade(post));

  Request other_protocol = upgrade_request();
  set_header(other_protocol, "upgrade", "h2c");
  EXPECT_FALSE(is_websocket_upgrade(other_protocol));

  Request no_upgrade_token = upgrade_request();
  set_header(no_upgrade_token, "connection", "keep-alive");
  EXPECT_FALSE(is_websocket_upgrade(no_upgrade_token));

  Request token_inside_a_word = upgrade_request();
  set_header(token_inside_a_word, "connection", "upgraded");
  EXPECT_FALSE(is_websocket_upgrade(token_inside_a_word));

  Request no_key = upgrade_request();
  remove_header(no_key, "sec-websocket-key");
  EXPECT_FALSE(is_websocket_upgrade(no_key));

  Request empty_key = upgrade_request();
  set_header(empty_key, "sec-websocket-key", " ");
  EXPECT_FALSE(is_websocket_upgrade(empty_key));

  Request old_version = upgrade_request();
  set_header(old_version, "sec-websocket-version", "8");
  EXPECT_FALSE(is_websocket_upgrade(old_version));

  Request no_version = upgrade_request();
  remove_header(no_version, "sec-websocket-version");
  EXPECT_FALSE(is_websocket_upgrade(no_version));

  Request no_upgrade_header = upgrade_request();
  remove_header(no_upgrade_header, "upgrade");
  EXPECT_FALSE(is_websocket_upgrade(no_upgrade_header));
}

TEST(StreamedHead, HasNoLengthNoCacheAndCloses) {
  Response response{.status = 200,
                    .content_type = "text/event-stream",
                    .body = "ignored",
                    .headers = {{"X-Accel-Buffering", "no"}},
                    .stream = std::make_shared<StreamBody>(),
                    .websocket = {}};
  const HeadOptions options{.version = 11,
                            .keep_alive = true,
                            .request_id = "req-1",
                            .api_version = "v1",
                            .streamed = true};
  EXPECT_EQ(render_head(response, options),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/event-stream\r\n"
            "X-Request-ID: req-1\r\n"
            "X-API-Version: v1\r\n"
            "Cache-Control: no-cache\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "X-Accel-Buffering: no\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(StreamedHead, SaysCloseToHttp10Too) {
  Response response{.status = 200,
                    .content_type = "text/event-stream",
                    .body = {},
                    .headers = {},
                    .stream = std::make_shared<StreamBody>(),
                    .websocket = {}};
  const HeadOptions options{
      .version = 10, .keep_alive = true, .request_id = {}, .api_version = {}, .streamed = true};
  const std::string head = render_head(response, options);
  EXPECT_TRUE(head.starts_with("HTTP/1.0 200 OK\r\n"));
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(head.find("keep-alive"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

}  // namespace
}  // namespace berth::http
