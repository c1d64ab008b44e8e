#include "protocol/edge_rules.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

namespace berth::edge {

namespace {

using nlohmann::json;

Error bad(const std::string& field, const std::string& message) {
  return Error::validation(field, field + " " + message);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f'); }

// RFC 7230 tchar.
bool is_token_char(char c) {
  return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Control characters and the braces of Caddy's placeholders; bytes of UTF-8 text pass.
bool is_safe_text_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || (byte >= 0x20 && byte != 0x7f && c != '{' && c != '}');
}

// What a URL or path may hold (RFC 3986 unreserved, reserved and '%'): no space, no control,
// no braces, no backslash, no quote.
bool is_url_char(char c) {
  return is_alnum(c) ||
         std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos;
}

// Header names that HTTP framing, hop-by-hop handling or these rules themselves own: setting
// or removing them would break the connection, smuggle requests or undo another rule.
bool is_forbidden_header(std::string_view name) {
  static const std::set<std::string, std::less<>> forbidden = {"connection",
                                                               "keep-alive",
                                                               "proxy-connection",
                                                               "proxy-authenticate",
                                                               "proxy-authorization",
                                                               "te",
                                                               "trailer",
                                                               "transfer-encoding",
                                                               "upgrade",
                                                               "content-length",
                                                               "host",
                                                               "location",
                                                               "www-authenticate",
                                                               "retry-after"};
  return forbidden.contains(lowered(name));
}

// Percent signs start a %XX escape; no "." or ".." segment, no empty segment ("//").
bool has_clean_segments(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && (i + 2 >= path.size() || !is_hex(path[i + 1]) || !is_hex(path[i + 2]))) {
      return false;
    }
  }
  std::string_view rest = path.substr(1);
  while (true) {
    const auto slash = rest.find('/');
    const auto segment = rest.substr(0, slash);
    if (segment == "." || segment == ".." || lowered(segment) == "%2e%2e" ||
        lowered(segment) == "%2e" || (segment.empty() && slash != std::string_view::npos)) {
      return false;
    }
    if (slash == std::string_view::npos) {
      return true;
    }
    rest.remove_prefix(slash + 1);
  }
}

bool is_match_path(std::string_view path) {
  if (path.empty() || path.size() > kMaxPath || path.front() != '/') {
    return false;
  }
  std::string_view body = path;
  if (body.ends_with('*')) {
    body.remove_suffix(1);
  }
  return std::all_of(body.begin(), body.end(),
                     [](char c) {
                       return is_url_char(c) && c != '?' && c != '#' && c != '*' && c != '%';
                     }) &&
         has_clean_segments(body.empty() ? "/" : body);
}

bool is_redirect_target(std::string_view to) {
  if (to.empty() || to.size() > kMaxUrl || !std::all_of(to.begin(), to.end(), is_url_char)) {
    return false;
  }
  std::string_view path = to;
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (lowered(to.substr(0, scheme.size())) == scheme) {
      const auto rest = to.substr(scheme.size());
      const auto end = rest.find_first_of("/?#");
      const auto authority = rest.substr(0, end);
      // No user info: "https://bank.example@evil.example" must not be writable.
      if (authority.empty() || !std::all_of(authority.begin(), authority.end(), [](char c) {
            return is_alnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
          })) {
        return false;
      }
      if (end == std::string_view::npos || rest[end] != '/') {
        return true;
      }
      path = rest.substr(end);
      break;
    }
  }
  // A path on the same host; "//elsewhere" would be another host.
  if (path.front() != '/' || (path.size() > 1 && path[1] == '/')) {
    return false;
  }
  return has_clean_segments(path.substr(0, path.find_first_of("?#")));
}

bool is_header_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxHeaderName &&
         std::all_of(name.begin(), name.end(), is_token_char);
}

bool is_safe_text(std::string_view text, std::size_t max) {
  return text.size() <= max && std::all_of(text.begin(), text.end(), is_safe_text_char);
}

Result<json> object_with(const json& value, const std::string& field,
                         std::initializer_list<std::string_view> allowed) {
  if (!value.is_object()) {
    return fail(bad(field, "must be an object"));
  }
  for (const auto& [key, unused] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return fail(Error::validation(field.empty() ? key : field + "." + key,
                                    (field.empty() ? key : field + "." + key) + " is not a field"));
    }
  }
  return value;
}

const json& member(const json& object, const char* key) {
  static const json null;
  const auto found = object.find(key);
  return found == object.end() ? null : *found;
}

Result<std::int64_t> bounded_integer(const json& value, const std::string& field, std::int64_t min,
                                     std::int64_t max, std::int64_t fallback) {
  if (value.is_null()) {
    return fallback;
  }
  if (!value.is_number_integer() ||
      (value.is_number_unsigned() &&
       value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) ||
      value.get<std::int64_t>() < min || value.get<std::int64_t>() > max) {
    return fail(bad(field, "must be a whole number from " + std::to_string(min) + " to " +
                               std::to_string(max)));
  }
  return value.get<std::int64_t>();
}

Result<json> bounded_array(const json& value, const std::string& field, std::size_t max) {
  if (value.is_null()) {
    return json::array();
  }
  if (!value.is_array() || value.size() > max) {
    return fail(bad(field, "must be an array of at most " + std::to_string(max)));
  }
  return value;
}

Result<std::vector<Redirect>> redirects_of(const json& value) {
  auto list = bounded_array(value, "redirects", kMaxRedirects);
  if (!list) {
    return fail(std::move(list.error()));
  }
  std::vector<Redirect> out;
  std::set<std::string> paths;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string field = "redirects[" + std::to_string(i) + "]";
    auto entry = object_with((*list)[i], field, {"path", "to", "status"});
    if (!entry) {
      return fail(std::move(entry.error()));
    }
    const json& path = member(*entry, "path");
    if (!path.is_string() || !is_match_path(path.get<std::string>())) {
      return fail(bad(field + ".path",
                      "must be a path starting with '/' (at most 512 characters of a URL path, "
                      "no '.' or '..' segments, no '%', '?', '{' or '}'), optionally ending "
                      "with '*'"));
    }
    if (!paths.insert(lowered(path.get<std::string>())).second) {
      return fail(bad(field + ".path", "appears twice"));
    }
    const json& to = member(*entry, "to");
    if (!to.is_string() || !is_redirect_target(to.get<std::string>())) {
      return fail(bad(field + ".to",
                      "must be an absolute http(s) URL without user info, or a path starting "
                      "with a single '/' (at most 2048 characters, no spaces, braces or control "
                      "characters, no '.' or '..' segments)"));
    }
    const json& status = member(*entry, "status");
    if (!status.is_null() &&
        (!status.is_number_integer() ||
         !std::set<std::int64_t>{301, 302, 307, 308}.contains(status.get<std::int64_t>()))) {
      return fail(bad(field + ".status", "must be 301, 302, 307 or 308"));
    }
    out.push_back({.path = path.get<std::string>(),
                   .to = to.get<std::string>(),
                   .status = status.is_null() ? 308 : status.get<int>()});
  }
  return out;
}

Result<std::string> header_name(const std::string& name, const std::string& field) {
  if (!is_header_name(name)) {
    return fail(bad(field, "must be a header name (an RFC 7230 token of at most 64 characters)"));
  }
  if (is_forbidden_header(name)) {
    return fail(bad(field, "is a header the proxy owns and cannot be set or removed"));
  }
  return name;
}

Result<HeaderRules> headers_of(const json& value) {
  if (value.is_null()) {
    return HeaderRules{};
  }
  auto object = object_with(value, "headers", {"set", "remove"});
  if (!object) {
    return fail(std::move(object.error()));
  }
  HeaderRules out;
  std::set<std::string> seen;  // lower-case: header names are case-insensitive
  static const json no_headers = json::object();
  const json& set = member(*object, "set").is_null() ? no_headers : member(*object, "set");
  if (!set.is_object() || set.size() > kMaxHeaders) {
    return fail(bad("headers.set", "must be an object of at most 50 headers"));
  }
  for (const auto& [name, header_value] : set.items()) {
    // A hostile name is not echoed as part of the field.
    const std::string field = is_header_name(name) ? "headers.set." + name : "headers.set";
    if (auto ok = header_name(name, field); !ok) {
      return fail(std::move(ok.error()));
    }
    if (!seen.insert(lowered(name)).second) {
      return fail(bad(field, "appears twice"));
    }
    const std::string text = header_value.is_string() ? header_value.get<std::string>() : "";
    if (!header_value.is_string() || !is_safe_text(text, kMaxHeaderValue) ||
        std::any_of(text.begin(), text.end(),
                    [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
      return fail(bad(field,
                      "must be a string of at most 1024 printable ASCII characters without '{' "
                      "or '}'"));
    }
    out.set[name] = text;
  }
  auto remove = bounded_array(member(*object, "remove"), "headers.remove", kMaxHeaders);
  if (!remove) {
    return fail(std::move(remove.error()));
  }
  for (std::size_t i = 0; i < remove->size(); ++i) {
    const std::string field = "headers.remove[" + std::to_string(i) + "]";
    const json& name = (*remove)[i];
    if (!name.is_string()) {
      return fail(bad(field, "must be a header name"));
    }
    if (auto ok = header_name(name.get<std::string>(), field); !ok) {
      return fail(std::move(ok.error()));
    }
    if (!seen.insert(lowered(name.get<std::string>())).second) {
      return fail(bad(field, "is already set or removed"));
    }
    out.remove.push_back(name.get<std::string>());
  }
  return out;
}

Result<std::vector<std::string>> allow_ips_of(const json& value) {
  auto list = bounded_array(value, "allow_ips", kMaxAllowIps);
  if (!list) {
    return fail(std::move(list.error()));
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string field = "allow_ips[" + std::to_string(i) + "]";
    const json& cidr = (*list)[i];
    const std::string normalized = cidr.is_string() ? normalized_cidr(cidr.get<std::string>()) : "";
    if (normalized.empty()) {
      return fail(
          bad(field, "must be an IPv4 or IPv6 address or CIDR (10.0.0.0/8, 2001:db8::/32)"));
    }
    if (std::find(out.begin(), out.end(), normalized) != out.end()) {
      return fail(bad(field, "appears twice"));
    }
    out.push_back(normalized);
  }
  return out;
}

Result<std::vector<BasicAuthUser>> users_of(const json& value) {
  if (value.is_null()) {
    return std::vector<BasicAuthUser>{};
  }
  auto object = object_with(value, "basic_auth", {"users"});
  if (!object) {
    return fail(std::move(object.error()));
  }
  auto list = bounded_array(member(*object, "users"), "basic_auth.users", kMaxUsers);
  if (!list) {
    return fail(std::move(list.error()));
  }
  std::vector<BasicAuthUser> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string field = "basic_auth.users[" + std::to_string(i) + "]";
    auto user = object_with((*list)[i], field, {"username", "password_hash"});
    if (!user) {
      return fail(std::move(user.error()));
    }
    const json& username = member(*user, "username");
    if (!username.is_string() || !is_valid_username(username.get<std::string>())) {
      return fail(bad(field + ".username", "must be 1-64 of A-Z a-z 0-9 . _ @ -"));
    }
    const std::string name = username.get<std::string>();
    if (std::any_of(out.begin(), out.end(),
                    [&](const BasicAuthUser& u) { return u.username == name; })) {
      return fail(bad(field + ".username", "appears twice"));
    }
    const json& hash = member(*user, "password_hash");
    if (!hash.is_string() || !is_bcrypt_hash(hash.get<std::string>())) {
      return fail(bad(field + ".password_hash", "must be a bcrypt hash ($2b$12$…)"));
    }
    out.push_back({.username = name, .password_hash = hash.get<std::string>()});
  }
  return out;
}

Result<Maintenance> maintenance_of(const json& value) {
  if (value.is_null()) {
    return Maintenance{};
  }
  auto object = object_with(value, "maintenance", {"enabled", "retry_after_seconds", "message"});
  if (!object) {
    return fail(std::move(object.error()));
  }
  Maintenance out;
  const json& enabled = member(*object, "enabled");
  if (!enabled.is_null() && !enabled.is_boolean()) {
    return fail(bad("maintenance.enabled", "must be true or false"));
  }
  out.enabled = enabled.is_boolean() && enabled.get<bool>();
  auto retry =
      bounded_integer(member(*object, "retry_after_seconds"), "maintenance.retry_after_seconds", 1,
                      kMaxRetryAfter, kDefaultRetryAfter);
  if (!retry) {
    return fail(std::move(retry.error()));
  }
  out.retry_after_seconds = *retry;
  const json& message = member(*object, "message");
  if (!message.is_null() &&
      (!message.is_string() || !is_safe_text(message.get<std::string>(), kMaxMessage))) {
    return fail(bad("maintenance.message",
                    "must be text of at most 1024 bytes without control characters, '{' or '}'"));
  }
  out.message = message.is_string() ? message.get<std::string>() : "";
  return out;
}

}  // namespace

Result<EdgeRules> parse_edge_rules(const json& value) {
  if (value.is_null()) {
    return EdgeRules{};
  }
  auto object = object_with(
      value, "",
      {"redirects", "headers", "allow_ips", "basic_auth", "max_body_bytes", "maintenance"});
  if (!object) {
    return fail(std::move(object.error()));
  }
  EdgeRules rules;
  auto redirects = redirects_of(member(*object, "redirects"));
  auto headers = headers_of(member(*object, "headers"));
  auto allow_ips = allow_ips_of(member(*object, "allow_ips"));
  auto users = users_of(member(*object, "basic_auth"));
  auto body =
      bounded_integer(member(*object, "max_body_bytes"), "max_body_bytes", 0, kMaxBodyBytes, 0);
  auto maintenance = maintenance_of(member(*object, "maintenance"));
  for (const Error* error :
       {redirects ? nullptr : &redirects.error(), headers ? nullptr : &headers.error(),
        allow_ips ? nullptr : &allow_ips.error(), users ? nullptr : &users.error(),
        body ? nullptr : &body.error(), maintenance ? nullptr : &maintenance.error()}) {
    if (error != nullptr) {
      return fail(*error);
    }
  }
  rules.redirects = std::move(*redirects);
  rules.headers = std::move(*headers);
  rules.allow_ips = std::move(*allow_ips);
  rules.users = std::move(*users);
  rules.max_body_bytes = *body;
  rules.maintenance = std::move(*maintenance);
  return rules;
}

json edge_rules_json(const EdgeRules& rules) {
  json redirects = json::array();
  for (const auto& redirect : rules.redirects) {
    redirects.push_back(
        {{"path", redirect.path}, {"to", redirect.to}, {"status", redirect.status}});
  }
  json users = json::array();
  for (const auto& user : rules.users) {
    users.push_back({{"username", user.username}, {"password_hash", user.password_hash}});
  }
  return {{"redirects", std::move(redirects)},
          {"headers", {{"set", rules.headers.set}, {"remove", rules.headers.remove}}},
          {"allow_ips", rules.allow_ips},
          {"basic_auth", {{"users", std::move(users)}}},
          {"max_body_bytes", rules.max_body_bytes},
          {"maintenance",
           {{"enabled", rules.maintenance.enabled},
            {"retry_after_seconds", rules.maintenance.retry_after_seconds},
            {"message", rules.maintenance.message}}}};
}

bool is_empty(const EdgeRules& rules) {
  return rules.redirects.empty() && rules.headers.set.empty() && rules.headers.remove.empty() &&
         rules.allow_ips.empty() && rules.users.empty() && rules.max_body_bytes == 0 &&
         !rules.maintenance.enabled;
}

std::string normalized_cidr(std::string_view cidr) {
  if (cidr.empty() || cidr.size() > 64) {
    return "";
  }
  const auto slash = cidr.find('/');
  const std::string address(cidr.substr(0, slash));
  std::array<unsigned char, 16> bytes{};
  const bool v6 = address.find(':') != std::string::npos;
  const int family = v6 ? AF_INET6 : AF_INET;
  const int bits = v6 ? 128 : 32;
  if (inet_pton(family, address.c_str(), bytes.data()) != 1) {
    return "";
  }
  int prefix = bits;
  if (slash != std::string_view::npos) {
    const auto digits = cidr.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || digits.size() > 3 || ec != std::errc() ||
        end != digits.data() + digits.size() || prefix < 0 || prefix > bits) {
      return "";
    }
  }
  for (int bit = prefix; bit < bits; ++bit) {
    bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<unsigned char>(~(0x80 >> (bit % 8)));
  }
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (inet_ntop(family, bytes.data(), text.data(), text.size()) == nullptr) {
    return "";
  }
  return std::string(text.data()) + "/" + std::to_string(prefix);
}

bool is_valid_username(std::string_view username) {
  return !username.empty() && username.size() <= kMaxUsername &&
         std::all_of(username.begin(), username.end(), [](char c) {
           return is_alnum(c) || c == '.' || c == '_' || c == '@' || c == '-';
         });
}

bool is_bcrypt_hash(std::string_view hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' ||
      std::string_view("aby").find(hash[2]) == std::string_view::npos || hash[3] != '$' ||
      hash[6] != '$') {
    return false;
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (hash[4] < '0' || hash[4] > '3' || hash[5] < '0' || hash[5] > '9' || cost < 4 || cost > 31) {
    return false;
  }
  const auto rest = hash.substr(7);
  return std::all_of(rest.begin(), rest.end(),
                     [](char c) { return is_alnum(c) || c == '.' || c == '/'; });
}

}  // namespace berth::edge
