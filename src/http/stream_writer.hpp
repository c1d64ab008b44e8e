#pragma once
/// The streamed response body (Server-Sent Events): what the server does after a handler
/// returned a Response with `stream` set and its head has been written. Internal to http/.

#include <memory>
#include <string>

#include "http/connection.hpp"

namespace berth::http {

/// Starts the route's StreamBody on the worker pool and writes what it queues, in order,
/// with a ":\n\n" comment after each `keepalive` without a write. Returns when the body
/// finished and its queue is drained, the client left, the client fell more than
/// `max_queued_bytes` behind, or the server began shutting down; the caller then closes the
/// connection. Runs on the connection's strand and sets no deadline.
asio::awaitable<void> serve_stream_body(std::shared_ptr<Connection> connection,
                                        std::shared_ptr<StreamBody> body,
                                        const ConnectionContext& context, std::string request_id);

}  // namespace berth::http
