#include "http/static_site.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "core/error.hpp"
#include "http/error_response.hpp"

namespace berth::http {

namespace {

// Hashed names change with their content, so a year without revalidation is safe; anything
// else (index.html above all) must be revalidated, or a deploy would not reach browsers.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

constexpr std::string_view kNotBuilt =
    "Berth's dashboard is not built into this berthd.\n"
    "The API is served at /api/v1 (its description: /api/v1/openapi.json).\n"
    "Build berthd from a tree with web/ (npm is needed), or start it with --web-dir DIR.\n";

std::string_view site_trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool same_token(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 qvalue: "0" to "1" with up to three decimals. nullopt when malformed.
std::optional<int> parse_qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1') || text.size() > 5 ||
      (text.size() > 1 && text[1] != '.')) {
    return std::nullopt;
  }
  int thousandths = text[0] == '1' ? 1000 : 0;
  int scale = 100;
  for (std::size_t i = 2; i < text.size(); ++i, scale /= 10) {
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
    thousandths += (text[i] - '0') * scale;
  }
  return thousandths <= 1000 ? std::optional<int>(thousandths) : std::nullopt;
}

// One element of Accept-Encoding: "br", "gzip;q=0.8", "*;q=0". The q-value in thousandths;
// an element with a malformed q-value counts as refused.
std::pair<std::string_view, int> parse_coding(std::string_view element) {
  const auto semicolon = element.find(';');
  const std::string_view name = site_trim(element.substr(0, semicolon));
  int q = 1000;
  std::string_view params =
      semicolon == std::string_view::npos ? std::string_view{} : element.substr(semicolon + 1);
  while (!params.empty()) {
    const auto next = params.find(';');
    const std::string_view param = site_trim(params.substr(0, next));
    params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
    if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      q = parse_qvalue(site_trim(param.substr(2))).value_or(0);
    }
  }
  return {name, q};
}

bool any_stored(const StoredCodings& stored) {
  return std::any_of(stored.begin(), stored.end(), [](bool held) { return held; });
}

Response plain_text(unsigned status, std::string_view text) {
  return Response{.status = status,
                  .content_type = "text/plain; charset=utf-8",
                  .body = std::string(text),
                  .headers = {}};
}

// On every dashboard answer, errors included. nosniff is added to every response by
// render_head, so it is not repeated here.
Response with_site_headers(Response response) {
  response.headers.emplace_back("Content-Security-Policy", std::string(kDashboardCsp));
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  return response;
}

std::string_view coding_name(ContentCoding coding) {
  return coding == ContentCoding::br ? "br" : "gzip";
}

Response send_file(const SiteSource& site, std::string_view path, const StoredCodings& stored,
                   std::string_view cache_control, const Request& request) {
  const ContentCoding coding = choose_coding(request.header("accept-encoding"), stored);
  auto bytes = site.read(path, coding);
  if (!bytes) {
    return plain_text(404, "no such file\n");
  }
  const std::string etag = "\"" + bytes->etag + "\"";
  Response response{.status = 200,
                    .content_type = std::string(content_type_for(path)),
                    .body = {},
                    .headers = {{"Cache-Control", std::string(cache_control)},
                                {"ETag", etag},
                                {"Vary", "Accept-Encoding"}}};
  if (const auto validators = request.header("if-none-match");
      validators && etag_matches(*validators, etag)) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  if (coding != ContentCoding::identity) {
    response.headers.emplace_back("Content-Encoding", std::string(coding_name(coding)));
  }
  if (bytes->owner) {
    response.shared_body = std::move(bytes->owner);
  } else {
    response.static_body = bytes->bytes;
  }
  return response;
}

// Names the site never serves as files: hidden ones (.env, .vite/) and the precompressed
// siblings, which are only ever sent as a Content-Encoding of their original.
bool servable_name(std::string_view relative) {
  if (relative.empty() || relative.ends_with(".gz") || relative.ends_with(".br")) {
    return false;
  }
  return !relative.starts_with('.') && relative.find("/.") == std::string_view::npos;
}

}  // namespace

ContentCoding choose_coding(std::optional<std::string_view> accept_encoding, StoredCodings stored) {
  if (!accept_encoding) {
    return ContentCoding::identity;
  }
  // Thousandths per coding as the client wrote them; -1: not named.
  std::array<int, kContentCodings> named{-1, -1, -1};
  int star = -1;
  std::string_view rest = *accept_encoding;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto [name, q] = parse_coding(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (same_token(name, "br")) {
      named[static_cast<std::size_t>(ContentCoding::br)] = q;
    } else if (same_token(name, "gzip") || same_token(name, "x-gzip")) {
      named[static_cast<std::size_t>(ContentCoding::gzip)] = q;
    } else if (same_token(name, "identity")) {
      named[static_cast<std::size_t>(ContentCoding::identity)] = q;
    } else if (name == "*") {
      star = q;
    }
  }
  ContentCoding best = ContentCoding::identity;
  int best_q = 0;
  // br, then gzip, then identity: on equal q-values the smaller body wins.
  for (const ContentCoding coding :
       {ContentCoding::br, ContentCoding::gzip, ContentCoding::identity}) {
    const auto index = static_cast<std::size_t>(coding);
    if (!stored[index]) {
      continue;
    }
    int q = named[index] >= 0 ? named[index] : star;
    if (q < 0) {
      q = coding == ContentCoding::identity ? 1 : 0;  // identity is acceptable unless refused
    }
    if (q > best_q) {
      best = coding;
      best_q = q;
    }
  }
  return best;  // nothing acceptable is stored: identity rather than 406
}

bool etag_matches(std::string_view if_none_match, std::string_view quoted_etag) {
  if (site_trim(if_none_match) == "*") {
    return true;
  }
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view tag = site_trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (tag.starts_with("W/")) {
      tag.remove_prefix(2);
    }
    if (tag == quoted_etag) {
      return true;
    }
  }
  return false;
}

bool safe_site_path(std::string_view relative) {
  if (relative.empty()) {
    return true;
  }
  std::string_view rest = relative;
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") {
      return false;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    rest = rest.substr(slash + 1);
  }
  return std::none_of(relative.begin(), relative.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f || c == '\\';
  });
}

std::string_view content_type_for(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 19> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  }};
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) {
    return "application/octet-stream";
  }
  const std::string_view extension = path.substr(dot);
  for (const auto& [suffix, type] : kTypes) {
    if (same_token(extension, suffix)) {
      return type;
    }
  }
  return "application/octet-stream";
}

Response serve_site(const SiteSource* site, std::string_view relative, const Request& request) {
  if (relative == "api" || relative.starts_with("api/")) {
    // The router keeps these from the catch-all; should one arrive, it is the API's 404.
    return error_response(Error::not_found("no route for /" + std::string(relative)));
  }
  if (!safe_site_path(relative)) {
    return with_site_headers(plain_text(400, "bad path\n"));
  }
  if (site == nullptr) {
    return with_site_headers(plain_text(404, kNotBuilt));
  }
  const bool asset = relative.starts_with("assets/");
  if (servable_name(relative)) {
    if (const StoredCodings stored = site->codings(relative); any_stored(stored)) {
      return with_site_headers(
          send_file(*site, relative, stored, asset ? kImmutable : kRevalidate, request));
    }
  }
  if (asset) {
    // A stale hashed name must fail loudly, not turn into HTML the browser runs as script.
    return with_site_headers(plain_text(404, "no such asset\n"));
  }
  const StoredCodings index = site->codings("index.html");
  if (!any_stored(index)) {
    return with_site_headers(plain_text(404, kNotBuilt));
  }
  return with_site_headers(send_file(*site, "index.html", index, kRevalidate, request));
}

}  // namespace berth::http
