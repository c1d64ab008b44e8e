#include "protocol/acme_settings.hpp"

#include <algorithm>

#include "core/x509_summary.hpp"

namespace berth::acme {
namespace {

// Printable ASCII that is safe in a URL or an email address handed to Caddy: no space, no
// quote or backslash, no angle brackets and no braces (Caddy's placeholders).
bool is_plain_char(char c) {
  return c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '{' &&
         c != '}' && c != '`';
}

bool is_plain(std::string_view text) {
  return std::all_of(text.begin(), text.end(), is_plain_char);
}

bool is_ca_url(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() > kMaxCaUrl || !url.starts_with(kScheme) || !is_plain(url)) {
    return false;
  }
  const auto rest = url.substr(kScheme.size());
  const auto host_end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, host_end);
  // A host is needed; user info ("a@b") has no place in a directory URL.
  return !authority.empty() && authority.front() != ':' &&
         authority.find('@') == std::string_view::npos;
}

bool is_email(std::string_view email) {
  const auto at = email.find('@');
  if (email.size() < 3 || email.size() > kMaxEmail || at == std::string_view::npos || at == 0 ||
      email.find('@', at + 1) != std::string_view::npos || !is_plain(email)) {
    return false;
  }
  const auto domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size();
}

// PEM text of CERTIFICATE blocks only, each one an X.509 certificate OpenSSL reads.
bool is_certificate_pem(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  if (pem.empty() || pem.size() > kMaxCaRoot || !std::all_of(pem.begin(), pem.end(), [](char c) {
        return c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f && c != '{' && c != '}');
      })) {
    return false;
  }
  const auto blank = [](std::string_view text) {
    return text.find_first_not_of(" \r\n") == std::string_view::npos;
  };
  std::size_t count = 0;
  while (!blank(pem)) {
    const auto begin = pem.find(kBegin);
    const auto end = pem.find(kEnd);
    if (begin == std::string_view::npos || end == std::string_view::npos || end < begin ||
        !blank(pem.substr(0, begin)) || ++count > kMaxCaRootCertificates) {
      return false;
    }
    const auto block = pem.substr(begin, end + kEnd.size() - begin);
    if (!summarize_pem_certificate(block)) {
      return false;
    }
    pem.remove_prefix(end + kEnd.size());
  }
  return count > 0;
}

Result<std::string> string_field(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) {
    return std::string();
  }
  if (!found->is_string()) {
    return fail(Error::validation(std::string("acme.") + key, "must be a string"));
  }
  return found->get<std::string>();
}

}  // namespace

Result<void> check_acme_settings(const AcmeSettings& settings, std::string_view prefix) {
  const auto field = [&](std::string_view name) { return std::string(prefix) + std::string(name); };
  if (!settings.ca.empty() && !is_ca_url(settings.ca)) {
    return fail(Error::validation(
        field("ca"), field("ca") + " must be an https:// URL of at most 512 characters without "
                                   "spaces, quotes, <> or {}"));
  }
  if (!settings.ca_root.empty()) {
    if (settings.ca.empty()) {
      return fail(Error::validation(
          field("ca_root"),
          field("ca_root") + " is the root of " + field("ca") + ": set " + field("ca") + " too"));
    }
    if (!is_certificate_pem(settings.ca_root)) {
      return fail(Error::validation(
          field("ca_root"), field("ca_root") +
                                " must be PEM text (at most 64 KiB) of 1-10 X.509 certificates "
                                "and nothing else"));
    }
  }
  if (!settings.email.empty() && !is_email(settings.email)) {
    return fail(Error::validation(field("email"),
                                  field("email") + " must be an email address (local@domain)"));
  }
  return {};
}

Result<AcmeSettings> parse_acme_settings(const nlohmann::json& json) {
  if (json.is_null()) {
    return AcmeSettings{};
  }
  bool known = json.is_object();
  for (const auto& item : json.items()) {
    known = known && (item.key() == "ca" || item.key() == "ca_root" || item.key() == "email");
  }
  if (!known) {
    return fail(Error::validation("acme", "acme must be an object {ca, ca_root, email}"));
  }
  auto ca = string_field(json, "ca");
  auto ca_root = string_field(json, "ca_root");
  auto email = string_field(json, "email");
  for (auto* value : {&ca, &ca_root, &email}) {
    if (!*value) {
      return fail(std::move(value->error()));
    }
  }
  AcmeSettings settings{
      .ca = std::move(*ca), .ca_root = std::move(*ca_root), .email = std::move(*email)};
  if (auto ok = check_acme_settings(settings, "acme."); !ok) {
    return fail(std::move(ok.error()));
  }
  return settings;
}

nlohmann::json acme_settings_json(const AcmeSettings& settings) {
  return {{"ca", settings.ca}, {"ca_root", settings.ca_root}, {"email", settings.email}};
}

}  // namespace berth::acme
