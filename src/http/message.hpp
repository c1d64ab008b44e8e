#pragma once
/// Berth's own request and response types. Handlers see only these, never Beast, so the
/// api/ and domain/ code compiles without Boost headers and can be tested without sockets.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/principal.hpp"

namespace berth::http {

/// `other` stands for any verb Berth has no route for (OPTIONS, TRACE, ...): it gets 405.
enum class Method { get, post, put, patch, delete_, other };

std::string_view method_name(Method method);
std::optional<Method> parse_method(std::string_view name);

/// Request header names are stored lower-case (values as received); response header names
/// are sent as written.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// A query parameter a route reads (RouteSpec::query): documented in the OpenAPI document,
/// and the only names Request::query_param answers on that route.
struct QueryParam {
  std::string name;
  std::string description = {};
  nlohmann::json schema = {{"type", "string"}};
};

struct Request {
  Method method = Method::get;
  std::string path;   // percent-decoding is per segment, by the router
  std::string query;  // raw text after '?', without it
  Headers headers;
  std::string body;
  std::string request_id;
  std::string remote_address;

  std::map<std::string, std::string> params;  // path parameters, filled by the router
  nlohmann::json json;                        // the validated body when the route declares one
  std::optional<Principal> principal;         // set before the handler on non-public routes
  std::optional<TeamContext> team;            // set before the handler on team routes

  /// The first header with this (lower-case) name.
  std::optional<std::string_view> header(std::string_view lower_name) const;
  /// Set by dispatch: the matched route's declared query parameters.
  const std::vector<QueryParam>* declared_query = nullptr;

  /// The first query parameter with this name, percent-decoded. Once dispatched, a name the
  /// route did not declare throws std::logic_error (a 500 in every test that reaches it), so
  /// the OpenAPI document cannot miss a parameter a handler reads.
  std::optional<std::string> query_param(std::string_view name) const;
};

/// The open end of a streamed response body (Server-Sent Events), given to the route's
/// StreamBody::start. Implemented by the HTTP server; every member is thread-safe.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  /// Queues bytes for the client. False when the stream has ended (client gone, shutdown,
  /// or the client read too slowly and its queue passed the bound): stop writing then.
  virtual bool write(std::string bytes) = 0;
  /// Ends the response once what is queued has been sent.
  virtual void finish() = 0;
  virtual bool closed() const = 0;
  /// Calls `next` once, on a worker thread, when every byte written so far has gone to the
  /// socket, or when the stream has ended (then closed() is true and writes are refused).
  /// A pull-style source writes one part and asks for this before it reads the next, so it
  /// never holds more than one part for a slow client.
  virtual void when_drained(std::function<void()> next) = 0;
};

/// A response whose body is written over time (SSE). The head (status, content type,
/// headers) comes from the Response; the body has no length and ends with the connection.
struct StreamBody {
  /// Called once, on a worker thread, after the head has been sent. It may write at once and
  /// keep the writer to write later from any thread.
  std::function<void(std::shared_ptr<StreamWriter>)> start;
  /// A comment line (":\n\n") is sent after this long without a write, so proxies and
  /// clients see the stream is alive and a vanished client is noticed.
  std::chrono::milliseconds keepalive{15'000};
  /// The queue bound per stream; a client that falls this far behind is disconnected.
  std::size_t max_queued_bytes = 4 * 1024 * 1024;
};

/// The server's side of an accepted WebSocket, given to WebSocketSession::on_open.
/// Implemented by the HTTP server; every member is thread-safe.
class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  /// Queues one text frame. False when the socket is closed or closing (the queue passed
  /// WebSocketUpgrade::max_queued_bytes closes it).
  virtual bool send(std::string text) = 0;
  /// Sends a close frame with this code and reason, then ends the connection.
  virtual void close(std::uint16_t code, std::string reason) = 0;
};

/// The application's side of a WebSocket (the agent gateway implements it). Calls come one
/// at a time per connection, on the worker pool, so they may block on the store.
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  virtual void on_open(std::shared_ptr<WebSocketChannel> channel) = 0;
  /// One text frame. Frames over WebSocketUpgrade::max_frame_bytes never arrive (the server
  /// closes with 1009); binary frames are refused by the server (close 1003).
  virtual void on_text(std::string text) = 0;
  /// Once, last: the peer closed, the network failed, close() was called, or shutdown.
  virtual void on_close() = 0;
};

/// Returned by a handler that accepts a WebSocket upgrade (status 101).
struct WebSocketUpgrade {
  std::shared_ptr<WebSocketSession> session;
  /// The largest text frame accepted (the agent protocol's 1 MiB); a larger one closes 1009.
  std::size_t max_frame_bytes = 1024 * 1024;
  /// The bound of frames queued for the client (send()); passing it closes with 1008.
  std::size_t max_queued_bytes = 8 * 1024 * 1024;
  /// The bound of received frames waiting for on_text: while more than this waits, the server
  /// stops reading the socket, so a peer that sends faster than the application handles is
  /// held back by TCP instead of growing the server's memory. At most this plus one frame is
  /// held per connection.
  std::size_t max_inbound_bytes = 4 * 1024 * 1024;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;
  /// Set for a streamed body (SSE); `body` is then ignored.
  std::shared_ptr<StreamBody> stream = {};
  /// Set (with status 101) to accept a WebSocket upgrade; only valid when
  /// is_websocket_upgrade(request) held.
  std::shared_ptr<WebSocketUpgrade> websocket = {};
  /// Set for a large immutable body shared by many responses (the agent binary); `body` is
  /// then ignored, and no response copies the bytes.
  std::shared_ptr<const std::string> shared_body = {};
  /// Set for bytes that live as long as the process (the dashboard compiled into berthd);
  /// `body` is then ignored, and serving them copies nothing.
  std::string_view static_body = {};

  /// The bytes sent: `shared_body` when set, else `static_body` when set, else `body`.
  std::string_view body_bytes() const {
    if (shared_body) {
      return *shared_body;
    }
    return static_body.data() != nullptr ? static_body : std::string_view(body);
  }

  static Response json(unsigned status, const nlohmann::json& body);
  static Response no_content();
};

/// True when the request asks to become a WebSocket (GET, Upgrade: websocket, a key, v13).
bool is_websocket_upgrade(const Request& request);

/// Decodes %XX escapes ('+' stays '+'); nullopt on a malformed escape or an encoded NUL.
std::optional<std::string> percent_decode(std::string_view text);

/// The client's X-Request-ID when it is sane (1-128 of [A-Za-z0-9._:-]), else nullopt.
std::optional<std::string> sane_request_id(std::string_view candidate);

}  // namespace berth::http
