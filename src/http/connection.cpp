#include "http/connection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/log.hpp"
#include "http/dispatch.hpp"
#include "http/error_response.hpp"
#include "http/response_head.hpp"
#include "http/stream_writer.hpp"
#include "http/websocket_session.hpp"

namespace berth::http {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kMaxDrainBytes = 1024 * 1024;
constexpr milliseconds kLingerTime{2000};

// A read that ended without a complete request: either the peer went away (answer nothing)
// or it sent something we refuse (answer with the envelope, then close).
std::optional<Error> read_failure(const boost::system::error_code& ec, const Connection& connection,
                                  const ServerOptions& options) {
  if (connection.timed_out) {
    return Error{.kind = ErrorKind::timeout,
                 .code = "request_timeout",
                 .message = fmt::format("the request was not received within {} ms",
                                        options.request_timeout.count()),
                 .details = nlohmann::json::object(),
                 .internal_detail = {}};
  }
  if (ec == bhttp::error::body_limit) {
    return Error{
        .kind = ErrorKind::too_large,
        .code = "payload_too_large",
        .message = fmt::format("the request body exceeds {} bytes", options.max_body_bytes),
        .details = {{"limit_bytes", options.max_body_bytes}},
        .internal_detail = {}};
  }
  if (ec == bhttp::error::header_limit) {
    return Error{
        .kind = ErrorKind::headers_too_large,
        .code = "headers_too_large",
        .message = fmt::format("the request headers exceed {} bytes", options.max_header_bytes),
        .details = {{"limit_bytes", options.max_header_bytes}},
        .internal_detail = {}};
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::operation_aborted || ec == asio::error::broken_pipe ||
      ec == asio::error::bad_descriptor) {
    return std::nullopt;
  }
  return Error::invalid("malformed HTTP request");
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string remote_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("-") : endpoint.address().to_string();
}

struct Outcome {
  Response response;
  std::string request_id;
  std::string client;  // the client behind trusted proxies, when it is not the peer
  std::string method = "-";
  std::string path = "-";
  bool head = false;
  bool keep_alive = false;
  unsigned version = 11;
};

// Feeds what is already buffered to the parser, so a request that arrived in one read needs
// no further asynchronous operation (each would cost a trip through the scheduler).
void parse_buffered(bhttp::request_parser<bhttp::string_body>& parser, beast::flat_buffer& buffer,
                    boost::system::error_code& ec) {
  parser.eager(true);
  while (buffer.size() > 0 && !parser.is_done()) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      return;
    }
    if (ec || used == 0) {
      return;
    }
  }
}

// Converts Beast's request into Berth's, choosing the request id on the way.
Request to_request(bhttp::request<bhttp::string_body>& in, const std::string& remote,
                   const ConnectionContext& context, Outcome& outcome) {
  Request request;
  const std::string_view verb = in.method_string();
  outcome.method = std::string(verb);
  outcome.head = verb == "HEAD";
  request.method = outcome.head ? Method::get : parse_method(verb).value_or(Method::other);
  const std::string_view target = in.target();
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    request.query = std::string(target.substr(question + 1));
  }
  outcome.path = request.path;
  request.headers.reserve(static_cast<std::size_t>(std::distance(in.begin(), in.end())));
  for (const auto& field : in) {
    request.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
  }
  const auto client_id = in.find("x-request-id");
  auto sane = client_id != in.end() ? sane_request_id(client_id->value()) : std::nullopt;
  request.request_id = sane ? std::move(*sane) : context.next_request_id();
  request.remote_address =
      resolve_client(remote, forwarding_headers(request.headers), context.options.trusted_proxies);
  if (request.remote_address != remote) {
    outcome.client = request.remote_address;
  }
  request.body = std::move(in.body());
  return request;
}

// Runs a blocking handler on the worker pool and resumes this coroutine on its own strand.
asio::awaitable<Response> dispatch_on_workers(asio::thread_pool& workers, const Match& match,
                                              Request& request) {
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      [&workers, &match, &request](auto handler) {
        asio::post(workers, [&match, &request, handler = std::move(handler)]() mutable {
          Response response = dispatch(match, request);
          auto executor = asio::get_associated_executor(handler);
          asio::dispatch(executor,
                         [handler = std::move(handler), response = std::move(response)]() mutable {
                           std::move(handler)(std::move(response));
                         });
        });
      },
      asio::use_awaitable);
}

asio::awaitable<boost::system::error_code> write_response(Connection& connection,
                                                          const Outcome& outcome,
                                                          const ServerOptions& options) {
  const bool streamed = outcome.response.stream != nullptr;
  const std::string head = render_head(outcome.response, {.version = outcome.version,
                                                          .keep_alive = outcome.keep_alive,
                                                          .request_id = outcome.request_id,
                                                          .api_version = options.api_version,
                                                          .streamed = streamed});
  // HEAD answers with GET's headers (Content-Length included) and no body; a streamed body
  // follows the head later.
  const std::string_view body =
      outcome.head || streamed ? std::string_view{} : outcome.response.body_bytes();
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  boost::system::error_code ec;
  connection.set_deadline(options.request_timeout);
  co_await asio::async_write(connection.socket, buffers,
                             asio::redirect_error(asio::use_awaitable, ec));
  connection.clear_deadline();
  co_return ec;
}

void log_access(const Outcome& outcome, const std::string& remote,
                steady_clock::time_point started) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - started).count();
  log::info("http.access",
            {{"request_id", outcome.request_id},
             {"method", outcome.method},
             {"path", outcome.path},
             {"status", static_cast<std::int64_t>(outcome.response.status)},
             {"bytes", static_cast<std::int64_t>(outcome.response.body_bytes().size())},
             {"duration_ms", static_cast<double>(micros) / 1000.0},
             {"remote", remote},
             {"client", outcome.client.empty() ? remote : outcome.client}});
}

// After refusing a request, the client may still be sending its body. Closing at once would
// reset the connection and lose our answer; read and discard a bounded amount first.
asio::awaitable<void> linger_close(Connection& connection) {
  boost::system::error_code ec;
  connection.socket.shutdown(tcp::socket::shutdown_send, ec);
  connection.set_deadline(kLingerTime);
  std::array<char, kReadChunk> scratch{};
  std::size_t drained = 0;
  while (!ec && drained < kMaxDrainBytes) {
    drained += co_await connection.socket.async_read_some(
        asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
  }
  connection.clear_deadline();
  connection.socket.close(ec);
}

// A streamed body (SSE): the head now, then the body for as long as it lasts.
asio::awaitable<void> serve_stream(std::shared_ptr<Connection> connection,
                                   const ConnectionContext& context, Outcome& outcome,
                                   const std::string& remote, steady_clock::time_point started) {
  outcome.keep_alive = false;  // the body ends with the connection
  const auto ec = co_await write_response(*connection, outcome, context.options);
  log_access(outcome, remote, started);
  if (ec || outcome.head) {
    co_return;
  }
  // Made before the co_await: g++ 12 may destroy temporaries of a co_await expression twice.
  auto body = serve_stream_body(std::move(connection), std::move(outcome.response.stream), context,
                                outcome.request_id);
  co_await std::move(body);
}

// A handler answered 101 with a WebSocket for a request that cannot be upgraded: a bug in
// the route, answered 500 like any other.
Response refuse_upgrade(const Outcome& outcome) {
  log::error("http.websocket_without_upgrade",
             {{"request_id", outcome.request_id},
              {"path", outcome.path},
              {"status", static_cast<std::int64_t>(outcome.response.status)}});
  return error_response(Error::internal("websocket response to a request that is no upgrade"));
}

}  // namespace

void Connection::set_deadline(milliseconds after) {
  timed_out = false;
  deadline_ = Clock::now() + after;
  if (deadline_ < timer_expiry_) {
    timer_expiry_ = deadline_;
    timer.expires_at(deadline_);  // cancels a later wait, if any
    wait_for_deadline();
  }
}

void Connection::wait_for_deadline() {
  // A weak reference: an expiry already queued must not touch a connection that has ended.
  timer.async_wait([self = weak_from_this()](boost::system::error_code ec) {
    auto connection = self.lock();
    if (!ec && connection) {
      connection->on_timer();
    }
  });
}

void Connection::on_timer() {
  timer_expiry_ = Clock::time_point::max();
  if (deadline_ == Clock::time_point::max()) {
    return;  // nothing pending; the next set_deadline starts a new wait
  }
  if (Clock::now() >= deadline_) {
    deadline_ = Clock::time_point::max();
    timed_out = true;
    boost::system::error_code ignored;
    socket.cancel(ignored);
    return;
  }
  timer_expiry_ = deadline_;
  timer.expires_at(deadline_);
  wait_for_deadline();
}

void Connection::close_if_idle() {
  if (idle) {
    boost::system::error_code ignored;
    socket.cancel(ignored);
  } else if (long_lived != nullptr) {
    long_lived->end_for_shutdown();
  }
}

void Connection::force_close() {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

asio::awaitable<void> serve_connection(std::shared_ptr<Connection> connection,
                                       ConnectionContext context) {
  const ServerOptions& options = context.options;
  const std::string remote = remote_of(connection->socket);
  beast::flat_buffer buffer;
  boost::system::error_code ec;

  for (;;) {
    if (buffer.size() == 0) {
      // Between requests: wait for the first byte, or leave when shutting down.
      if (context.stopping.load()) {
        break;
      }
      connection->idle = true;
      connection->set_deadline(options.idle_timeout);
      const std::size_t got = co_await connection->socket.async_read_some(
          buffer.prepare(kReadChunk), asio::redirect_error(asio::use_awaitable, ec));
      connection->clear_deadline();
      connection->idle = false;
      if (ec) {
        break;
      }
      buffer.commit(got);
    }

    const auto started = steady_clock::now();
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    connection->set_deadline(options.request_timeout);
    parse_buffered(parser, buffer, ec);
    if (!ec && !parser.is_header_done()) {
      co_await bhttp::async_read_header(connection->socket, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!ec && !parser.is_done() && parser.get()[bhttp::field::expect] == "100-continue") {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, parser.get().version()};
      co_await bhttp::async_write(connection->socket, go_on,
                                  asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!ec && !parser.is_done()) {
      co_await bhttp::async_read(connection->socket, buffer, parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    connection->clear_deadline();

    Outcome outcome;
    if (ec) {
      const auto failure = read_failure(ec, *connection, options);
      if (!failure) {
        break;
      }
      outcome.request_id = context.next_request_id();
      outcome.response = error_response(*failure);
      outcome.keep_alive = false;
      if (parser.is_header_done()) {
        outcome.method = std::string(parser.get().method_string());
        outcome.path =
            std::string(parser.get().target().substr(0, parser.get().target().find('?')));
      }
      co_await write_response(*connection, outcome, options);
      log_access(outcome, remote, started);
      co_await linger_close(*connection);
      co_return;
    }

    auto& message = parser.get();
    outcome.version = message.version();
    Request request = to_request(message, remote, context, outcome);
    outcome.request_id = request.request_id;
    const Match match = context.router.match(request.method, request.path);
    if (match.route != nullptr && match.route->spec.execution == Execution::worker) {
      outcome.response = co_await dispatch_on_workers(context.workers, match, request);
    } else {
      outcome.response = dispatch(match, request);
    }
    outcome.keep_alive = message.keep_alive() && !context.stopping.load();
    if (outcome.response.websocket) [[unlikely]] {
      if (outcome.response.status == 101 && !outcome.head && is_websocket_upgrade(request)) {
        log_access(outcome, remote, started);
        connection->upgraded.emplace(serve_websocket(connection, parser.release(),
                                                     std::move(outcome.response.websocket), context,
                                                     std::move(outcome.request_id)));
        co_return;  // the server runs `upgraded` once this frame is gone
      }
      outcome.response = refuse_upgrade(outcome);
      outcome.keep_alive = false;
    } else if (outcome.response.stream) [[unlikely]] {
      auto stream = serve_stream(connection, context, outcome, remote, started);
      co_await std::move(stream);
      break;
    }

    ec = co_await write_response(*connection, outcome, options);
    log_access(outcome, remote, started);
    if (ec || !outcome.keep_alive) {
      break;
    }
  }
  connection->socket.shutdown(tcp::socket::shutdown_send, ec);
  connection->socket.close(ec);
}

asio::awaitable<void> reject_busy(tcp::socket socket, ConnectionContext context) {
  auto connection = std::make_shared<Connection>(std::move(socket));
  Outcome outcome;
  outcome.request_id = context.next_request_id();
  outcome.response = error_response(Error::unavailable("too many connections; try again shortly"));
  outcome.response.headers.emplace_back("Retry-After", "1");
  co_await write_response(*connection, outcome, context.options);
  log_access(outcome, remote_of(connection->socket), steady_clock::now());
  co_await linger_close(*connection);
}

}  // namespace berth::http
