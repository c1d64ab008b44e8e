#pragma once
/// An app's edge rules (issue 14): what its proxy route does before a request reaches the app —
/// redirects, response headers, an IP allow-list, HTTP basic auth, a request body limit and a
/// maintenance switch. One value and one validator shared by both ends of `proxy.apply`:
/// berthd checks a user's document with it (at the API boundary and when it reads the store)
/// and the agent checks the route table again before anything reaches Caddy (defence in
/// depth). Every string that Caddy would expand placeholders in (`{env.X}`, `{file.…}`) or
/// that becomes a header is refused when it holds `{`, `}`, CR, LF, NUL or another control
/// character. The JSON shape is documented in docs/edge.md. Pure; thread-safe.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace berth::edge {

inline constexpr std::size_t kMaxRedirects = 100;
inline constexpr std::size_t kMaxHeaders = 50;  // in `set`, and again in `remove`
inline constexpr std::size_t kMaxAllowIps = 200;
inline constexpr std::size_t kMaxUsers = 50;
inline constexpr std::size_t kMaxPath = 512;
inline constexpr std::size_t kMaxUrl = 2048;
inline constexpr std::size_t kMaxHeaderName = 64;
inline constexpr std::size_t kMaxHeaderValue = 1024;
inline constexpr std::size_t kMaxUsername = 64;
inline constexpr std::size_t kMaxMessage = 1024;
inline constexpr std::int64_t kMaxBodyBytes = 10LL * 1024 * 1024 * 1024;  // 10 GiB
inline constexpr std::int64_t kMaxRetryAfter = 7 * 24 * 3600;             // a week
inline constexpr std::int64_t kDefaultRetryAfter = 300;

struct Redirect {
  std::string path = {};  // "/old" exactly, or "/old/*" (a trailing '*': the prefix)
  std::string to = {};    // an absolute http(s) URL, or a path on the same host
  int status = 308;       // 301 | 302 | 307 | 308
};

struct HeaderRules {
  std::map<std::string, std::string> set = {};  // response headers set (replacing the app's)
  std::vector<std::string> remove = {};         // response headers removed
};

struct BasicAuthUser {
  std::string username = {};
  std::string password_hash = {};  // bcrypt ($2a$/$2b$/$2y$); never the password
};

struct Maintenance {
  bool enabled = false;
  std::int64_t retry_after_seconds = kDefaultRetryAfter;
  std::string message = {};  // "" = a default sentence
};

struct EdgeRules {
  std::vector<Redirect> redirects = {};
  HeaderRules headers = {};
  std::vector<std::string> allow_ips = {};  // CIDRs, normalised (host bits cleared); [] = anyone
  std::vector<BasicAuthUser> users = {};    // basic_auth.users; [] = no basic auth
  std::int64_t max_body_bytes = 0;          // 0 = no limit
  Maintenance maintenance = {};
};

/// The rules in `json` (the stored and proxy.apply shape; null or {} = no rules). Refuses
/// unknown fields and every value outside docs/edge.md's rules with Error::validation naming
/// the field as a dotted path ("redirects[2].to", "headers.set.X-Frame-Options").
Result<EdgeRules> parse_edge_rules(const nlohmann::json& json);

/// The canonical JSON of `rules` (every field), which parse_edge_rules reads back unchanged.
nlohmann::json edge_rules_json(const EdgeRules& rules);

/// True when the rules change nothing (the route needs no `edge`).
bool is_empty(const EdgeRules& rules);

/// `cidr` ("10.0.0.0/8", "2001:db8::/32", or a bare address = one host) normalised
/// ("10.1.2.3/8" → "10.0.0.0/8"), or "" when it is not one.
std::string normalized_cidr(std::string_view cidr);

/// A basic-auth user name: 1-64 of [A-Za-z0-9._@-].
bool is_valid_username(std::string_view username);

/// A bcrypt hash as crypt(3) writes it: $2a$, $2b$ or $2y$, cost 04-31, 53 characters of salt
/// and hash.
bool is_bcrypt_hash(std::string_view hash);

}  // namespace berth::edge
