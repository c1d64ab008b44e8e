#pragma once
/// Renders the status line and headers of a response. Written by hand rather than with
/// Beast's serializer: berthd's responses are small and their headers are known, and Beast's
/// per-field buffer sequences cost more CPU than the rest of a health check together
/// (bench/results/http.md). Parsing requests stays with Beast.

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace berth::http {

struct HeadOptions {
  unsigned version = 11;  // 10 or 11, from the request
  bool keep_alive = true;
  std::string_view request_id;
  std::string_view api_version;
  /// A streamed body (SSE): no Content-Length, `Cache-Control: no-cache` and
  /// `Connection: close`, since the body ends when the connection does.
  bool streamed = false;
};

/// The head, ending with the blank line. Headers whose name is not a token or whose value
/// holds CR, LF or NUL are left out (no response splitting), as is Content-Length on
/// 1xx/204/304 and on streamed bodies. `Cache-Control: no-store` is added unless the response
/// sets its own Cache-Control; `X-Content-Type-Options: nosniff` always.
std::string render_head(const Response& response, const HeadOptions& options);

/// The reason phrase of a status code ("Not Found"); "Unknown" for codes Berth never sends.
std::string_view reason_phrase(unsigned status);

}  // namespace berth::http
