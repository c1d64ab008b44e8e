#pragma once
/// What a domain may be, checked at the API boundary before anything is stored or sent to an
/// agent: its hostname (lower-cased; IDNA A-labels accepted; Unicode converted to A-labels
/// when built with libidn2; `*.name` wildcards), its path prefix and its TLS mode. Pure.

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::domains {

/// The longest hostname a domain may have: the agent's DNS responder appends
/// ".route.berth.internal" (21 characters) within DNS's 253.
inline constexpr std::size_t kMaxDomainHostname = 232;
inline constexpr std::size_t kMaxPathPrefix = 200;

/// The hostname as stored: lower-case, Unicode labels converted to A-labels. Refused (400
/// validation_failed naming `field`): control characters, '{' '}' and other characters no
/// DNS name has, A-labels that do not decode, Unicode without libidn2, names of one label,
/// all-numeric names (IP addresses), names longer than kMaxDomainHostname, and '*' anywhere
/// but as the whole first label of a name of three labels or more ("*.example.com").
Result<std::string> normalize_hostname(std::string_view input, std::string_view field);

/// True for "*.…" names (normalize_hostname let only whole-first-label wildcards through).
bool is_wildcard(std::string_view hostname);

/// The path prefix as stored: "" or "/" = the whole host (""); else "/seg/seg" without a
/// trailing '/'. Refused: not starting with '/', characters outside A-Z a-z 0-9 - . _ ~ /,
/// empty, "." or ".." segments, longer than kMaxPathPrefix.
Result<std::string> normalize_path_prefix(std::string_view input, std::string_view field);

/// acme | internal | off | custom.
bool is_domain_tls(std::string_view tls);

}  // namespace berth::domains
