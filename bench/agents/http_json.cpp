#include "http_json.hpp"

namespace swarm {

namespace {
constexpr std::chrono::seconds kRequestTimeout{30};
}

asio::awaitable<JsonReply> HttpJsonClient::request(bhttp::verb method, std::string target,
                                                   const nlohmann::json& body, std::string bearer) {
  const std::string text = body.is_null() ? std::string() : body.dump();
  const bool reused = stream_.has_value();
  JsonReply reply = co_await attempt(method, target, text, bearer);
  if (reply.status == 0 && reused) {
    // A kept-alive connection berthd has since closed: one fresh try.
    reply = co_await attempt(method, target, text, bearer);
  }
  co_return reply;
}

asio::awaitable<JsonReply> HttpJsonClient::attempt(bhttp::verb method, const std::string& target,
                                                   const std::string& body,
                                                   const std::string& bearer) {
  JsonReply reply;
  error_code ec;
  if (!stream_) {
    stream_.emplace(io_);
    buffer_.clear();
    stream_->expires_after(kRequestTimeout);
    co_await stream_->async_connect(server_, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      stream_.reset();
      reply.error = "connect: " + ec.message();
      co_return reply;
    }
    stream_->socket().set_option(tcp::no_delay(true));
  }
  bhttp::request<bhttp::string_body> req{method, target, 11};
  req.set(bhttp::field::host, server_.address().to_string());
  req.set(bhttp::field::content_type, "application/json");
  if (!bearer.empty()) {
    req.set(bhttp::field::authorization, "Bearer " + bearer);
  }
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  stream_->expires_after(kRequestTimeout);
  co_await bhttp::async_write(*stream_, req, asio::redirect_error(asio::use_awaitable, ec));
  bhttp::response<bhttp::string_body> res;
  if (!ec) {
    co_await bhttp::async_read(*stream_, buffer_, res,
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) {
    stream_.reset();
    reply.error = "request: " + ec.message();
    co_return reply;
  }
  reply.status = static_cast<int>(res.result_int());
  reply.body = nlohmann::json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
  if (!res.keep_alive()) {
    stream_.reset();
  }
  co_return reply;
}

}  // namespace swarm
