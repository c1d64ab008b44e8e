#include "http/message.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace berth::http {

namespace {
constexpr std::array<std::pair<Method, std::string_view>, 5> kMethods = {{
    {Method::get, "GET"},
    {Method::post, "POST"},
    {Method::put, "PUT"},
    {Method::patch, "PATCH"},
    {Method::delete_, "DELETE"},
}};

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// True when a comma-separated header list ("keep-alive, Upgrade") holds the token. Every
// header line with that name counts, as if they had been joined with commas.
bool has_token(const Request& request, std::string_view lower_name, std::string_view token) {
  for (const auto& [name, value] : request.headers) {
    if (name != lower_name) {
      continue;
    }
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      if (equals_ignoring_case(trim(rest.substr(0, comma)), token)) {
        return true;
      }
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  return false;
}
}  // namespace

std::string_view method_name(Method method) {
  for (const auto& [value, name] : kMethods) {
    if (value == method) {
      return name;
    }
  }
  return "OTHER";
}

std::optional<Method> parse_method(std::string_view name) {
  for (const auto& [value, text] : kMethods) {
    if (text == name) {
      return value;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return value;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  if (declared_query != nullptr &&
      std::none_of(declared_query->begin(), declared_query->end(),
                   [&](const QueryParam& param) { return param.name == name; })) {
    throw std::logic_error("the route reads the undeclared query parameter " + std::string(name));
  }
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) {
      continue;
    }
    if (eq == std::string_view::npos) {
      return std::string{};
    }
    return percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

Response Response::json(unsigned status, const nlohmann::json& body) {
  return Response{.status = status,
                  .content_type = "application/json",
                  .body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  .headers = {}};
}

Response Response::no_content() {
  return Response{.status = 204, .content_type = {}, .body = {}, .headers = {}};
}

bool is_websocket_upgrade(const Request& request) {
  if (request.method != Method::get || !has_token(request, "upgrade", "websocket") ||
      !has_token(request, "connection", "upgrade")) {
    return false;
  }
  const auto key = request.header("sec-websocket-key");
  const auto version = request.header("sec-websocket-version");
  return key && !trim(*key).empty() && version && trim(*version) == "13";
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return std::nullopt;
    }
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0 || (high == 0 && low == 0)) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

std::optional<std::string> sane_request_id(std::string_view candidate) {
  if (candidate.empty() || candidate.size() > 128) {
    return std::nullopt;
  }
  for (char c : candidate) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) {
      return std::nullopt;
    }
  }
  return std::string(candidate);
}

}  // namespace berth::http
