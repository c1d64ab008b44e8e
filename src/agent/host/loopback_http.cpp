// clang-format off: Boost 1.74's headers use std::exchange without including <utility>.
#include <utility>
// clang-format on

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

#include "agent/host/loopback_http.hpp"
#include "agent/host/polled_connection.hpp"

namespace berth::agent::host {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

Error failure(const PolledConnection<tcp>& conn, std::string_view step, const error_code& ec) {
  if (conn.stopped() == PolledStop::cancelled) {
    return Error{.kind = ErrorKind::unavailable,
                 .code = "canceled",
                 .message = "cancelled",
                 .internal_detail = {}};
  }
  if (conn.stopped() == PolledStop::timed_out) {
    return Error{.kind = ErrorKind::timeout,
                 .code = "timeout",
                 .message = "no answer in time",
                 .internal_detail = {}};
  }
  if (step == "connect") {
    return Error{
        .kind = ErrorKind::unavailable,
        .code = ec == asio::error::connection_refused ? "connection_refused" : "unreachable",
        .message = ec.message(),
        .internal_detail = {}};
  }
  return Error{.kind = ErrorKind::internal,
               .code = "protocol",
               .message = std::string(step) + " failed: " + ec.message(),
               .internal_detail = {}};
}

}  // namespace

Result<LoopbackAnswer> loopback_http(const std::string& ip, int port,
                                     const LoopbackRequest& request,
                                     std::chrono::milliseconds timeout,
                                     const std::atomic<bool>* cancelled) {
  error_code parse_ec;
  const auto address = asio::ip::make_address(ip, parse_ec);
  if (parse_ec || port < 1 || port > 65535) {
    return fail(Error{.kind = ErrorKind::invalid,
                      .code = "invalid_address",
                      .message = "not an IP address and port: " + ip,
                      .internal_detail = {}});
  }
  PolledConnection<tcp> conn(timeout, cancelled);
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  if (auto ec = conn.run([&](auto handler) { conn.socket().async_connect(endpoint, handler); })) {
    return fail(failure(conn, "connect", ec));
  }
  bhttp::request<bhttp::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  req.set(bhttp::field::host,
          request.host_header.empty() ? ip + ":" + std::to_string(port) : request.host_header);
  req.set(bhttp::field::connection, "close");
  req.set(bhttp::field::user_agent, "berth-agent");
  if (!request.content_type.empty()) {
    req.set(bhttp::field::content_type, request.content_type);
  }
  req.body() = request.body;
  req.prepare_payload();
  if (auto ec = conn.run([&](auto handler) { bhttp::async_write(conn.socket(), req, handler); })) {
    return fail(failure(conn, "send", ec));
  }
  boost::beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  if (auto ec = conn.run(
          [&](auto handler) { bhttp::async_read(conn.socket(), buffer, parser, handler); })) {
    return fail(failure(conn, "read", ec));
  }
  auto& res = parser.get();
  return LoopbackAnswer{.status = res.result_int(),
                        .reason = std::string(res.reason()),
                        .body = std::move(res.body())};
}

std::optional<HostPort> parse_host_port(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return std::nullopt;
  }
  std::string ip = address.substr(0, colon);
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') {
    ip = ip.substr(1, ip.size() - 2);
  }
  if (ip == "localhost") {
    ip = "127.0.0.1";
  }
  int port = 0;
  const char* end = address.data() + address.size();
  const auto [ptr, ec] = std::from_chars(address.data() + colon + 1, end, port);
  error_code parse_ec;
  asio::ip::make_address(ip, parse_ec);
  if (ec != std::errc() || ptr != end || port < 1 || port > 65535 || parse_ec) {
    return std::nullopt;
  }
  return HostPort{.ip = ip, .port = port};
}

}  // namespace berth::agent::host
