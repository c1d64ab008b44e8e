#pragma once
/// A server's ACME settings (issue 14): which CA Caddy's acme issuer asks for the certificates
/// of `acme` domains, the root to trust for that CA, and the account's contact email. One value
/// and one validator shared by both ends of `proxy.apply`, like edge_rules.hpp: berthd checks
/// an admin's PUT /servers/{id}/proxy with it and the agent checks the route table's `acme`
/// again before anything reaches Caddy. Nothing with `{`, `}`, CR, LF, NUL or another control
/// character passes (Caddy expands `{…}` placeholders). Pure; thread-safe.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::acme {

inline constexpr std::size_t kMaxCaUrl = 512;
inline constexpr std::size_t kMaxCaRoot = 64 * 1024;
inline constexpr std::size_t kMaxCaRootCertificates = 10;
inline constexpr std::size_t kMaxEmail = 254;

struct AcmeSettings {
  std::string ca = {};       // "" = Caddy's defaults (Let's Encrypt, then ZeroSSL)
  std::string ca_root = {};  // PEM certificates to trust for `ca`; "" = the system's roots
  std::string email = {};    // the ACME account's contact; "" = none
  bool operator==(const AcmeSettings&) const = default;
};

/// True when nothing is set (Caddy's defaults).
inline bool is_default(const AcmeSettings& settings) { return settings == AcmeSettings{}; }

/// Checks every field; a refusal is Error::validation naming `prefix` + "ca", "ca_root" or
/// "email" (berthd passes "acme_", the agent "acme."):
/// - ca: an https:// URL with a host, at most 512 printable ASCII characters without spaces,
///   quotes, backslashes, `<>` or `{}`;
/// - ca_root: only with ca; at most 64 KiB of PEM text holding 1-10 CERTIFICATE blocks and
///   nothing else, each of which OpenSSL reads as an X.509 certificate;
/// - email: local@domain, at most 254 characters, one '@', a dot in the domain, no spaces,
///   quotes, `<>`, `{}` or control characters.
Result<void> check_acme_settings(const AcmeSettings& settings, std::string_view prefix);

/// The proxy.apply table's `acme` object ({ca, ca_root, email}; absent or null = defaults).
/// Unknown fields and non-strings are refused naming "acme"; the values as above ("acme.ca"...).
Result<AcmeSettings> parse_acme_settings(const nlohmann::json& json);

/// {ca, ca_root, email}, which parse_acme_settings reads back unchanged.
nlohmann::json acme_settings_json(const AcmeSettings& settings);

}  // namespace berth::acme
