#include "http/response_head.hpp"

#include <algorithm>
#include <charconv>

namespace berth::http {

namespace {

bool is_token(std::string_view name) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSpecials.find(c) != std::string_view::npos;
  });
}

bool is_safe_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void append_number(std::string& out, std::size_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  if (!is_token(name) || !is_safe_value(value)) {
    return;
  }
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

std::string render_head(const Response& response, const HeadOptions& options) {
  std::string out;
  out.reserve(256);
  out.append(options.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_number(out, response.status);
  out.push_back(' ');
  out.append(reason_phrase(response.status)).append("\r\n");
  if (!response.content_type.empty()) {
    append_header(out, "Content-Type", response.content_type);
  }
  append_header(out, "X-Request-ID", options.request_id);
  append_header(out, "X-API-Version", options.api_version);
  // API answers are never cached; a response that states its own policy (the dashboard's
  // files) keeps it.
  const bool own_cache_policy =
      std::any_of(response.headers.begin(), response.headers.end(),
                  [](const auto& header) { return header.first == "Cache-Control"; });
  if (!own_cache_policy) {
    out.append(options.streamed ? "Cache-Control: no-cache\r\n" : "Cache-Control: no-store\r\n");
  }
  out.append("X-Content-Type-Options: nosniff\r\n");
  for (const auto& [name, value] : response.headers) {
    append_header(out, name, value);
  }
  if (options.streamed) {
    out.append("Connection: close\r\n\r\n");
    return out;
  }
  if (options.version == 10 && options.keep_alive) {
    out.append("Connection: keep-alive\r\n");
  } else if (options.version != 10 && !options.keep_alive) {
    out.append("Connection: close\r\n");
  }
  // A 304 has no body, and a Content-Length there would describe the cached representation.
  if (response.status >= 200 && response.status != 204 && response.status != 304) {
    out.append("Content-Length: ");
    append_number(out, response.body_bytes().size());
    out.append("\r\n");
  }
  out.append("\r\n");
  return out;
}

}  // namespace berth::http
