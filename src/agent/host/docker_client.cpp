// Why Boost.Beast and not libcurl: berth-agent already speaks HTTP and WebSocket to berthd
// through Beast, so the Engine API reuses that one HTTP stack instead of linking a second
// (libcurl, with its own TLS and resolver baggage) for a plain unix socket. Beast also lets
// us see the body chunk by chunk, which pull progress and logs need.

// clang-format off: Boost 1.74's headers use std::exchange without including <utility>.
#include <utility>
// clang-format on

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <limits>

#include "agent/host/docker_client.hpp"
#include "agent/host/polled_connection.hpp"

namespace berth::agent::host {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using unix_socket = asio::local::stream_protocol;
using boost::system::error_code;

constexpr std::uint64_t kMaxBufferedBody = 64ULL * 1024 * 1024;

// The Engine's socket conversation, with the errors a Docker call reports.
class Connection : public PolledConnection<unix_socket> {
 public:
  explicit Connection(const DockerCallLimits& limits)
      : PolledConnection(limits.timeout, limits.cancelled) {}

  // Turns a failed operation into the error value the caller sees.
  Error failure(std::string_view step, const error_code& ec, const std::string& socket_path) {
    if (stopped() == PolledStop::cancelled) {
      return Error{.kind = ErrorKind::unavailable,
                   .code = "canceled",
                   .message = "the Docker call was cancelled",
                   .internal_detail = {}};
    }
    if (stopped() == PolledStop::timed_out) {
      return Error{.kind = ErrorKind::timeout,
                   .code = "timeout",
                   .message = "Docker did not answer in time",
                   .internal_detail = {}};
    }
    if (step == "connect") {
      return Error{.kind = ErrorKind::unavailable,
                   .code = "docker_unreachable",
                   .message = "cannot connect to " + socket_path + ": " + ec.message(),
                   .internal_detail = {}};
    }
    return Error{.kind = ErrorKind::internal,
                 .code = "docker_protocol",
                 .message = std::string(step) + " failed: " + ec.message(),
                 .internal_detail = {}};
  }
};

bhttp::request<bhttp::string_body> make_request(std::string_view method, std::string_view target,
                                                std::string_view content_type,
                                                std::optional<std::string> body) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(std::string(kDockerApiPrefix) + std::string(target));
  req.version(11);
  req.set(bhttp::field::host, "docker");
  req.set(bhttp::field::connection, "close");
  req.set(bhttp::field::user_agent, "berth-agent");
  if (body.has_value()) {
    req.set(bhttp::field::content_type, content_type);
    req.body() = std::move(*body);
  }
  req.prepare_payload();
  return req;
}

// Connects and sends the request; a failure is returned as the error to report.
std::optional<std::string> json_text(const std::optional<nlohmann::json>& body) {
  return body.has_value() ? std::optional<std::string>(body->dump()) : std::nullopt;
}

std::optional<Error> send(Connection& conn, const std::string& socket_path,
                          const bhttp::request<bhttp::string_body>& req) {
  const unix_socket::endpoint endpoint(socket_path);
  if (auto ec = conn.run([&](auto handler) { conn.socket().async_connect(endpoint, handler); })) {
    return conn.failure("connect", ec, socket_path);
  }
  if (auto ec = conn.run([&](auto handler) { bhttp::async_write(conn.socket(), req, handler); })) {
    return conn.failure("send", ec, socket_path);
  }
  return std::nullopt;
}

}  // namespace

DockerClient::DockerClient(std::string socket_path) : socket_path_(std::move(socket_path)) {}

Result<DockerResponse> DockerClient::request(std::string_view method, std::string_view target,
                                             const std::optional<nlohmann::json>& body,
                                             DockerCallLimits limits) {
  Connection conn(limits);
  const auto req = make_request(method, target, "application/json", json_text(body));
  if (auto error = send(conn, socket_path_, req)) {
    return fail(std::move(*error));
  }
  boost::beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxBufferedBody);
  if (auto ec = conn.run(
          [&](auto handler) { bhttp::async_read(conn.socket(), buffer, parser, handler); })) {
    return fail(conn.failure("read", ec, socket_path_));
  }
  auto& res = parser.get();
  return DockerResponse{.status = res.result_int(), .body = std::move(res.body())};
}

namespace {

Result<DockerResponse> stream_request(const std::string& socket_path,
                                      const bhttp::request<bhttp::string_body>& req,
                                      const DockerChunkHandler& on_chunk, DockerCallLimits limits) {
  Connection conn(limits);
  if (auto error = send(conn, socket_path, req)) {
    return fail(std::move(*error));
  }
  boost::beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (auto ec = conn.run([&](auto handler) {
        bhttp::async_read_header(conn.socket(), buffer, parser, handler);
      })) {
    return fail(conn.failure("read", ec, socket_path));
  }
  DockerResponse response{.status = parser.get().result_int(), .body = {}};
  const bool success = response.status >= 200 && response.status < 300;
  std::array<char, 16 * 1024> chunk{};
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    auto ec =
        conn.run([&](auto handler) { bhttp::async_read(conn.socket(), buffer, parser, handler); });
    if (ec && ec != bhttp::error::need_buffer) {
      return fail(conn.failure("read", ec, socket_path));
    }
    const std::size_t got = chunk.size() - parser.get().body().size;
    const std::string_view text(chunk.data(), got);
    if (got == 0) {
      continue;
    }
    if (success) {
      on_chunk(text);
    } else if (response.body.size() < kMaxBufferedBody) {
      response.body.append(text);  // an error answer is one short JSON object
    }
  }
  return response;
}

}  // namespace

Result<DockerResponse> DockerClient::stream(std::string_view method, std::string_view target,
                                            const std::optional<nlohmann::json>& body,
                                            const DockerChunkHandler& on_chunk,
                                            DockerCallLimits limits) {
  return stream_request(socket_path_,
                        make_request(method, target, "application/json", json_text(body)), on_chunk,
                        limits);
}

Result<DockerResponse> DockerClient::stream_raw(std::string_view method, std::string_view target,
                                                std::string_view content_type, std::string body,
                                                const DockerChunkHandler& on_chunk,
                                                DockerCallLimits limits) {
  return stream_request(socket_path_, make_request(method, target, content_type, std::move(body)),
                        on_chunk, limits);
}

std::string docker_error_message(const DockerResponse& response) {
  const auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    return parsed["message"].get<std::string>();
  }
  std::string text = response.body.substr(0, 1024);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text.empty() ? "Docker answered HTTP " + std::to_string(response.status) : text;
}

std::string url_encode(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    }
  }
  return out;
}

}  // namespace berth::agent::host
