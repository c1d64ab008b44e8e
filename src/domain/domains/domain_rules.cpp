#include "domain/domains/domain_rules.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "domain/apps/app_spec.hpp"

#ifdef BERTH_HAVE_IDN2
#include <idn2.h>
#endif

namespace berth::domains {

namespace {

bool is_ascii_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '*';
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

Error bad_name(std::string_view field, std::string message) {
  return Error::validation(std::string(field), std::move(message));
}

#ifdef BERTH_HAVE_IDN2
struct IdnFree {
  void operator()(char* p) const { idn2_free(p); }
};

// Unicode → A-labels (IDNA2008 with UTS #46 mapping, which also lower-cases).
Result<std::string> to_a_labels(const std::string& name, std::string_view field) {
  char* out = nullptr;
  const int rc = idn2_to_ascii_8z(name.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, IdnFree> owned(out);
  if (rc != IDN2_OK || out == nullptr) {
    return fail(bad_name(field, std::string("hostname is not a valid internationalised name: ") +
                                    idn2_strerror(rc)));
  }
  return std::string(out);
}

bool a_label_decodes(const std::string& label) {
  char* out = nullptr;
  const int rc = idn2_to_unicode_8z8z(label.c_str(), &out, 0);
  std::unique_ptr<char, IdnFree> owned(out);
  if (rc != IDN2_OK || out == nullptr) {
    return false;
  }
  // And back: an A-label must be the canonical form of what it decodes to.
  char* again = nullptr;
  const int back = idn2_to_ascii_8z(out, &again, IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, IdnFree> owned_again(again);
  return back == IDN2_OK && again != nullptr && label == again;
}
#else
Result<std::string> to_a_labels(const std::string&, std::string_view field) {
  return fail(bad_name(field,
                       "hostname has non-ASCII characters: give its IDNA A-label form (xn--…); "
                       "this build of berthd cannot convert Unicode names (no libidn2)"));
}

bool a_label_decodes(const std::string& label) {
  // Without libidn2 only the shape is checked: xn-- and at least one character after it.
  return label.size() > 4;
}
#endif

}  // namespace

bool is_wildcard(std::string_view hostname) { return hostname.starts_with("*."); }

bool is_domain_tls(std::string_view tls) {
  return tls == "acme" || tls == "internal" || tls == "off" || tls == "custom";
}

Result<std::string> normalize_hostname(std::string_view input, std::string_view field) {
  if (input.empty() || input.size() > 1024) {
    return fail(bad_name(field, "hostname is required, at most 232 characters"));
  }
  bool ascii = true;
  for (char c : input) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return fail(bad_name(field, "hostname must not contain control characters"));
    }
    if (c == '{' || c == '}' || c == ' ' || c == '/' || c == '\\' || c == ':' || c == '%') {
      return fail(bad_name(field,
                           "hostname must be a DNS name, without spaces, ports, paths "
                           "or placeholders"));
    }
    ascii = ascii && byte < 0x80;
  }
  std::string name = ascii_lower(input);
  if (!name.empty() && name.back() == '.') {
    name.pop_back();  // the root's dot: example.com. is example.com
  }
  const bool wildcard = is_wildcard(name);
  std::string rest = wildcard ? name.substr(2) : name;
  if (!ascii) {
    auto converted = to_a_labels(rest, field);
    if (!converted) {
      return fail(std::move(converted.error()));
    }
    rest = ascii_lower(*converted);
  }
  if (!std::all_of(rest.begin(), rest.end(), is_ascii_name_char) ||
      rest.find('*') != std::string::npos) {
    return fail(bad_name(field,
                         "hostname may hold letters, digits, '-' and '.' only; a "
                         "wildcard is '*.' followed by a name (*.example.com)"));
  }
  if (!is_valid_app_hostname(rest) || (wildcard && rest.find('.') == std::string::npos)) {
    return fail(bad_name(field,
                         "hostname must be a DNS name of two labels or more, not an IP "
                         "address or a bare name like localhost"));
  }
  for (std::size_t start = 0; start < rest.size();) {
    const auto dot = std::min(rest.find('.', start), rest.size());
    const std::string label = rest.substr(start, dot - start);
    if (label.starts_with("xn--") && !a_label_decodes(label)) {
      return fail(bad_name(field, "hostname has an A-label (xn--…) that is not valid IDNA"));
    }
    start = dot + 1;
  }
  std::string out = wildcard ? "*." + rest : rest;
  if (out.size() > kMaxDomainHostname) {
    return fail(bad_name(field, "hostname must be at most 232 characters"));
  }
  return out;
}

Result<std::string> normalize_path_prefix(std::string_view input, std::string_view field) {
  const auto bad = [&] {
    return fail(Error::validation(
        std::string(field),
        "path_prefix must start with '/' and hold only letters, digits, '-', '.', '_', '~' and "
        "'/', without empty, '.' or '..' segments, at most 200 characters"));
  };
  if (input.empty() || input == "/") {
    return std::string();
  }
  if (input.size() > kMaxPathPrefix || input.front() != '/') {
    return bad();
  }
  std::string_view path = input;
  if (path.back() == '/') {
    path.remove_suffix(1);
  }
  for (char c : path) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (!ok) {
      return bad();
    }
  }
  for (std::size_t start = 1; start <= path.size();) {
    const auto slash = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return bad();
    }
    start = slash + 1;
  }
  return std::string(path);
}

}  // namespace berth::domains
