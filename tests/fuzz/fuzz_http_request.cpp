// Raw bytes from a client: Beast's parser with berthd's limits, then the same conversion,
// routing and dispatch berthd does. Any crash, leak or sanitizer report is a finding.

// clang-format off: Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// clang-format on

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/client_address.hpp"
#include "fuzz/fuzz_support.hpp"
#include "http/dispatch.hpp"

namespace bhttp = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace berth;
  const http::Router& router = fuzz::fuzz_router();

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (used < size && !parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (ec || n == 0) {
      break;
    }
    used += n;
  }
  if (!parser.is_done() || ec) {
    return 0;
  }

  auto& message = parser.get();
  http::Request request;
  request.method = http::parse_method(message.method_string()).value_or(http::Method::other);
  const std::string_view target = message.target();
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    request.query = std::string(target.substr(question + 1));
  }
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  if (auto id = message.find("x-request-id"); id != message.end()) {
    request.request_id = http::sane_request_id(id->value()).value_or("generated");
  }
  request.body = std::move(message.body());
  // As from a trusted proxy, so the forwarding headers are read rather than ignored.
  static const std::vector<Cidr> trust_all = {*parse_cidr("0.0.0.0/0"), *parse_cidr("::/0")};
  request.remote_address =
      resolve_client("10.0.0.1", forwarding_headers(request.headers), trust_all);
  (void)client_network(request.remote_address);
  (void)request.query_param("page");
  const http::Match match = router.match(request.method, request.path);
  const http::Response response = http::dispatch(match, request);
  if (response.status < 100 || response.status > 599) {
    __builtin_trap();
  }
  return 0;
}
