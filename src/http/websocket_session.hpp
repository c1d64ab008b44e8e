#pragma once
/// The server's side of an accepted WebSocket: what the server does after a handler returned
/// status 101 with `websocket` set for an upgrade request. Internal to http/.

#include <memory>
#include <string>

#include "http/connection.hpp"

namespace berth::http {

/// Completes the handshake on the connection's socket with the request already parsed (the
/// handler's extra headers are not sent), then serves the session: text frames go to
/// on_text and close ends with on_close, one call at a time per connection, in order, on the
/// worker pool; WebSocketChannel::send queues frames that are written one at a time, in order.
/// Returns after on_close has run: the peer closed, the network failed, the application
/// closed, the send queue overflowed (1008), or shutdown (1001). When the handshake itself
/// fails, neither on_open nor on_close is called. Runs on the connection's strand; no
/// request or idle deadline applies (the application pings). Takes everything by value: it
/// outlives the coroutine that created it (Connection::upgraded).
asio::awaitable<void> serve_websocket(std::shared_ptr<Connection> connection,
                                      bhttp::request<bhttp::string_body> upgrade_request,
                                      std::shared_ptr<WebSocketUpgrade> upgrade,
                                      ConnectionContext context, std::string request_id);

}  // namespace berth::http
