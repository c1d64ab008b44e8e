#include "agent/http_client.hpp"

namespace berth::agent {
namespace {

constexpr std::size_t kMaxAnswerBytes = 1024 * 1024;

template <class Stream>
asio::awaitable<Result<HttpAnswer>> exchange(Stream& stream, const ServerUrl& url,
                                             const std::string& path, const std::string& body,
                                             std::chrono::milliseconds timeout) {
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, url.target(path), 11};
  request.set(bhttp::field::host, url.host_header());
  request.set(bhttp::field::user_agent, "berth-agent/" BERTH_VERSION);
  request.set(bhttp::field::content_type, "application/json");
  request.set(bhttp::field::accept, "application/json");
  request.body() = body;
  request.prepare_payload();

  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await bhttp::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  if (!ec) {
    co_await bhttp::async_read(stream, buffer, parser,
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) {
    auto error = Error::unavailable("no answer from " + url.host_header() + ": " + ec.message());
    error.code = "network";
    co_return fail(std::move(error));
  }
  auto response = parser.release();
  co_return HttpAnswer{.status = response.result_int(), .body = std::move(response.body())};
}

asio::awaitable<Result<HttpAnswer>> post(ServerUrl url, std::string path, std::string body,
                                         TlsOptions tls, std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  if (!url.tls) {
    PlainStream stream(executor);
    if (auto connected = co_await connect_tcp(stream, url, timeout); !connected) {
      co_return fail(std::move(connected.error()));
    }
    co_return co_await exchange(stream, url, path, body, timeout);
  }
  auto context = make_tls_context(tls);
  if (!context) {
    co_return fail(std::move(context.error()));
  }
  TlsStream stream(executor, **context);
  if (auto connected = co_await connect_tcp(beast::get_lowest_layer(stream), url, timeout);
      !connected) {
    co_return fail(std::move(connected.error()));
  }
  if (auto handshake = co_await tls_handshake(stream, url, tls, timeout); !handshake) {
    co_return fail(std::move(handshake.error()));
  }
  co_return co_await exchange(stream, url, path, body, timeout);
}

}  // namespace

Result<HttpAnswer> post_json(const ServerUrl& url, const std::string& path, const std::string& body,
                             const TlsOptions& tls, std::chrono::milliseconds timeout) {
  asio::io_context io;
  std::optional<Result<HttpAnswer>> answer;
  asio::co_spawn(io, post(url, path, body, tls, timeout),
                 [&answer](const std::exception_ptr& failure, Result<HttpAnswer> result) {
                   if (failure) {
                     answer = fail(Error::internal("the HTTP client failed"));
                   } else {
                     answer = std::move(result);
                   }
                 });
  io.run();
  return answer ? std::move(*answer) : fail(Error::internal("the HTTP client did not finish"));
}

}  // namespace berth::agent
