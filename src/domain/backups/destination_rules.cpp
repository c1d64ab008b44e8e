#include "domain/backups/destination_rules.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/json_schema.hpp"

namespace berth::backups {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxHost = 253;
constexpr std::size_t kMaxPrefix = 512;
constexpr std::size_t kMaxPath = 1024;
constexpr std::size_t kMaxPrivateKey = 16 * 1024;

bool is_ipv4(std::string_view text) {
  std::array<unsigned char, 4> out{};
  return inet_pton(AF_INET, std::string(text).c_str(), out.data()) == 1;
}

bool is_ipv6(std::string_view text) {
  std::array<unsigned char, 16> out{};
  return inet_pton(AF_INET6, std::string(text).c_str(), out.data()) == 1;
}

// A DNS name (labels of letters, digits and '-', not at either end) or an IP literal.
bool is_host(std::string_view host) {
  if (host.empty() || host.size() > kMaxHost) {
    return false;
  }
  if (is_ipv4(host) || is_ipv6(host)) {
    return true;
  }
  std::size_t start = 0;
  while (start <= host.size()) {
    const auto dot = host.find('.', start);
    const std::string_view label =
        host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (const char c : label) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') {
        return false;
      }
    }
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return true;
}

bool is_loopback(std::string_view host) {
  if (host == "localhost" || host == "::1") {
    return true;
  }
  return is_ipv4(host) && host.starts_with("127.");
}

bool printable_without_spaces(std::string_view text) {
  return std::ranges::all_of(text, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f;
  });
}

// Segments separated by '/', none empty, "." or "..", characters printable ASCII without
// backslash.
bool is_clean_path(std::string_view path) {
  if (!std::ranges::all_of(path, [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte >= 0x20 && byte < 0x7f && c != '\\';
      })) {
    return false;
  }
  std::size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      slash = path.size();
    }
    const std::string_view segment = path.substr(start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return false;
    }
    start = slash + 1;
  }
  return true;
}

Result<std::string> text_field(const json& settings, const std::string& field, bool required,
                               std::string fallback = {}) {
  const auto found = settings.find(field);
  if (found == settings.end() || found->is_null()) {
    if (required) {
      return fail(Error::validation(field, field + " is required"));
    }
    return fallback;
  }
  if (!found->is_string()) {
    return fail(Error::validation(field, field + " must be a string"));
  }
  return found->get<std::string>();
}

Error bad(const std::string& field, std::string message) {
  return Error::validation(field, std::move(message));
}

// The endpoint as "scheme://host[:port]", checked: https, or http only for loopback or with
// allow_http.
Result<std::string> endpoint_of(std::string_view input, bool allow_http, const std::string& field) {
  if (input.size() > 300) {
    return fail(bad(field, "endpoint must be at most 300 characters"));
  }
  std::string_view rest;
  bool https = false;
  if (input.starts_with("https://")) {
    https = true;
    rest = input.substr(8);
  } else if (input.starts_with("http://")) {
    rest = input.substr(7);
  } else {
    return fail(bad(field, "endpoint must start with https:// (or http://)"));
  }
  while (rest.ends_with('/')) {
    rest.remove_suffix(1);
  }
  if (rest.find_first_of("/?#@ ") != std::string_view::npos) {
    return fail(bad(field, "endpoint must be scheme://host[:port], without a path or user"));
  }
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      return fail(bad(field, "endpoint has an unclosed [IPv6] address"));
    }
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) {
        return fail(bad(field, "endpoint must be scheme://host[:port]"));
      }
      port = after.substr(1);
    }
    if (!is_ipv6(host)) {
      return fail(bad(field, "endpoint has an invalid IPv6 address"));
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (!is_host(host)) {
    return fail(bad(field, "endpoint's host is not a valid hostname or IP address"));
  }
  if (!port.empty() || rest.ends_with(':')) {
    if (port.empty() || port.size() > 5 || !std::ranges::all_of(port, [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
      return fail(bad(field, "endpoint's port must be 1-65535"));
    }
    const int number = std::stoi(std::string(port));
    if (number < 1 || number > 65535) {
      return fail(bad(field, "endpoint's port must be 1-65535"));
    }
  }
  if (!https && !allow_http && !is_loopback(host)) {
    return fail(bad(field,
                    "endpoint must use https (http only for loopback, or with allow_http: the "
                    "keys and data would cross the network in clear)"));
  }
  std::string out(input.substr(0, input.find("://") + 3));
  out += rest;
  return out;
}

// AWS's bucket naming rules.
Result<void> check_bucket(std::string_view bucket, const std::string& field) {
  if (bucket.size() < 3 || bucket.size() > 63) {
    return fail(bad(field, "bucket must be 3-63 characters"));
  }
  const bool allowed = std::ranges::all_of(bucket, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
  const auto edge_ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!allowed || !edge_ok(bucket.front()) || !edge_ok(bucket.back())) {
    return fail(bad(field,
                    "bucket may hold lower-case letters, digits, '.' and '-', and must start and "
                    "end with a letter or digit"));
  }
  if (bucket.find("..") != std::string_view::npos || bucket.find(".-") != std::string_view::npos ||
      bucket.find("-.") != std::string_view::npos || is_ipv4(bucket)) {
    return fail(bad(field, "bucket must not hold '..', '.-' or '-.' nor be an IP address"));
  }
  return {};
}

// "" or "a/b/" (a trailing '/' added), without a leading '/', empty, '.' or '..' segments.
Result<std::string> prefix_of(std::string_view input, const std::string& field) {
  if (input.size() > kMaxPrefix) {
    return fail(bad(field, "prefix must be at most 512 characters"));
  }
  std::string_view trimmed = input;
  if (trimmed.ends_with('/')) {
    trimmed.remove_suffix(1);
  }
  if (trimmed.empty()) {
    if (!input.empty() && input != "/") {
      return fail(bad(field, "prefix is not valid"));
    }
    return std::string();
  }
  if (trimmed.starts_with('/') || !is_clean_path(trimmed)) {
    return fail(bad(field,
                    "prefix must be segments separated by '/', without a leading '/', empty, '.' "
                    "or '..' segments or control characters"));
  }
  return std::string(trimmed) + "/";
}

Result<bool> bool_field(const json& settings, const std::string& field, bool fallback) {
  const auto found = settings.find(field);
  if (found == settings.end() || found->is_null()) {
    return fallback;
  }
  if (!found->is_boolean()) {
    return fail(bad(field, field + " must be true or false"));
  }
  return found->get<bool>();
}

Result<void> only_known(const json& settings, const json& properties, const std::string& kind) {
  if (!settings.is_object()) {
    return fail(bad(kind, kind + " must be an object"));
  }
  for (const auto& [name, value] : settings.items()) {
    if (!properties.contains(name)) {
      return fail(bad(kind + "." + name, "unknown field " + name));
    }
  }
  return {};
}

Result<DestinationParts> parse_s3(const json& settings) {
  if (auto known = only_known(settings, s3_settings_properties(), "s3"); !known) {
    return fail(std::move(known.error()));
  }
  DestinationParts parts;
  auto allow_http = bool_field(settings, "allow_http", false);
  auto path_style = bool_field(settings, "path_style", false);
  auto endpoint = text_field(settings, "endpoint", true);
  auto region = text_field(settings, "region", false, "us-east-1");
  auto bucket = text_field(settings, "bucket", true);
  auto prefix = text_field(settings, "prefix", false);
  auto key_id = text_field(settings, "access_key_id", true);
  auto secret = text_field(settings, "secret_access_key", true);
  for (const auto* r : {&endpoint, &region, &bucket, &prefix, &key_id, &secret}) {
    if (!*r) {
      return fail(r->error());
    }
  }
  if (!allow_http || !path_style) {
    return fail(!allow_http ? allow_http.error() : path_style.error());
  }
  auto clean_endpoint = endpoint_of(*endpoint, *allow_http, "s3.endpoint");
  if (!clean_endpoint) {
    return fail(std::move(clean_endpoint.error()));
  }
  if (region->empty() || region->size() > 64 || !std::ranges::all_of(*region, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      })) {
    return fail(bad("s3.region", "region must be 1-64 lower-case letters, digits, '-' or '_'"));
  }
  if (auto ok = check_bucket(*bucket, "s3.bucket"); !ok) {
    return fail(std::move(ok.error()));
  }
  auto clean_prefix = prefix_of(*prefix, "s3.prefix");
  if (!clean_prefix) {
    return fail(std::move(clean_prefix.error()));
  }
  if (key_id->empty() || key_id->size() > 128 || !printable_without_spaces(*key_id)) {
    return fail(
        bad("s3.access_key_id", "access_key_id must be 1-128 printable characters without spaces"));
  }
  if (secret->empty() || secret->size() > 256 || !printable_without_spaces(*secret)) {
    return fail(bad("s3.secret_access_key",
                    "secret_access_key must be 1-256 printable characters without spaces"));
  }
  parts.config = {{"endpoint", *clean_endpoint},
                  {"region", *region},
                  {"bucket", *bucket},
                  {"prefix", *clean_prefix},
                  {"path_style", *path_style},
                  {"allow_http", *allow_http},
                  {"access_key_hint", key_hint(*key_id)}};
  parts.secrets = {{"access_key_id", *key_id}, {"secret_access_key", *secret}};
  return parts;
}

Result<DestinationParts> parse_sftp(const json& settings) {
  if (auto known = only_known(settings, sftp_settings_properties(), "sftp"); !known) {
    return fail(std::move(known.error()));
  }
  auto host = text_field(settings, "host", true);
  auto user = text_field(settings, "user", true);
  auto path = text_field(settings, "path", true);
  auto password = text_field(settings, "password", false);
  auto key = text_field(settings, "private_key", false);
  auto passphrase = text_field(settings, "private_key_passphrase", false);
  auto fingerprint = text_field(settings, "host_key_fingerprint", false);
  for (const auto* r : {&host, &user, &path, &password, &key, &passphrase, &fingerprint}) {
    if (!*r) {
      return fail(r->error());
    }
  }
  std::int64_t port = 22;
  if (const auto found = settings.find("port"); found != settings.end() && !found->is_null()) {
    if (!found->is_number_integer()) {
      return fail(bad("sftp.port", "port must be an integer 1-65535"));
    }
    port = found->get<std::int64_t>();
  }
  if (port < 1 || port > 65535) {
    return fail(bad("sftp.port", "port must be an integer 1-65535"));
  }
  if (!is_host(*host)) {
    return fail(bad("sftp.host", "host must be a hostname or an IP address"));
  }
  if (user->empty() || user->size() > 64 || user->front() == '-' ||
      !std::ranges::all_of(*user, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
      })) {
    return fail(bad("sftp.user", "user must be 1-64 letters, digits, '.', '_' or '-'"));
  }
  std::string clean_path = *path;
  while (clean_path.size() > 1 && clean_path.ends_with('/')) {
    clean_path.pop_back();
  }
  if (clean_path.size() > kMaxPath || !clean_path.starts_with('/') ||
      (clean_path != "/" && !is_clean_path(std::string_view(clean_path).substr(1)))) {
    return fail(bad("sftp.path",
                    "path must be an absolute folder (/a/b), without '.' or '..' segments or "
                    "control characters"));
  }
  if (password->empty() == key->empty()) {
    return fail(bad("sftp.password", "give either password or private_key"));
  }
  if (password->size() > 1024) {
    return fail(bad("sftp.password", "password must be at most 1024 characters"));
  }
  if (!key->empty() && (key->size() > kMaxPrivateKey || !key->starts_with("-----BEGIN "))) {
    return fail(bad("sftp.private_key",
                    "private_key must be an OpenSSH or PEM private key (-----BEGIN …) of at most "
                    "16 KiB"));
  }
  if (passphrase->size() > 1024 || (!passphrase->empty() && key->empty())) {
    return fail(bad("sftp.private_key_passphrase",
                    "private_key_passphrase goes with a private_key, at most 1024 characters"));
  }
  if (!fingerprint->empty() && (!fingerprint->starts_with("SHA256:") || fingerprint->size() != 50 ||
                                !std::ranges::all_of(fingerprint->substr(7), [](char c) {
                                  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                                         c == '+' || c == '/';
                                }))) {
    return fail(bad("sftp.host_key_fingerprint",
                    "host_key_fingerprint must look like SHA256:<43 base64 characters>, as "
                    "ssh-keygen -lf prints it"));
  }
  DestinationParts parts;
  parts.config = {{"host", *host},
                  {"port", port},
                  {"user", *user},
                  {"path", clean_path},
                  {"host_key_fingerprint", *fingerprint},
                  {"auth", key->empty() ? "password" : "private_key"}};
  if (key->empty()) {
    parts.secrets = {{"password", *password}};
  } else {
    parts.secrets = {{"private_key", *key}, {"private_key_passphrase", *passphrase}};
  }
  return parts;
}

}  // namespace

bool is_destination_kind(std::string_view kind) { return kind == "s3" || kind == "sftp"; }

Result<void> check_destination_name(std::string_view name) {
  const bool ok =
      !name.empty() && name.size() <= 63 && std::isalnum(static_cast<unsigned char>(name[0])) &&
      std::ranges::all_of(name, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
      });
  if (!ok) {
    return fail(bad("name",
                    "name must be 1-63 letters, digits, '-', '_' or '.', starting with a letter "
                    "or digit"));
  }
  return {};
}

Result<DestinationParts> parse_destination(std::string_view kind, const json& settings) {
  if (kind == "s3") {
    return parse_s3(settings);
  }
  if (kind == "sftp") {
    return parse_sftp(settings);
  }
  return fail(bad("kind", "kind must be s3 or sftp"));
}

json s3_settings_properties() {
  return {{"endpoint", schema::string(1, 300)},      {"region", schema::string(1, 64)},
          {"bucket", schema::string(3, 63)},         {"prefix", schema::string(0, kMaxPrefix)},
          {"path_style", schema::boolean()},         {"allow_http", schema::boolean()},
          {"access_key_id", schema::string(1, 128)}, {"secret_access_key", schema::string(1, 256)}};
}

json sftp_settings_properties() {
  return {{"host", schema::string(1, kMaxHost)},
          {"port", schema::integer(1, 65535)},
          {"user", schema::string(1, 64)},
          {"path", schema::string(1, kMaxPath)},
          {"password", schema::string(0, 1024)},
          {"private_key", schema::string(0, kMaxPrivateKey)},
          {"private_key_passphrase", schema::string(0, 1024)},
          {"host_key_fingerprint", schema::string(0, 64)}};
}

S3DestinationTarget s3_target_of(const json& config, const json& secrets) {
  return S3DestinationTarget{.endpoint = config.value("endpoint", ""),
                             .region = config.value("region", "us-east-1"),
                             .bucket = config.value("bucket", ""),
                             .prefix = config.value("prefix", ""),
                             .path_style = config.value("path_style", false),
                             .access_key_id = secrets.value("access_key_id", ""),
                             .secret_access_key = secrets.value("secret_access_key", "")};
}

SftpDestinationTarget sftp_target_of(const json& config, const json& secrets) {
  return SftpDestinationTarget{
      .host = config.value("host", ""),
      .port = static_cast<std::uint16_t>(config.value("port", 22)),
      .user = config.value("user", ""),
      .path = config.value("path", ""),
      .password = secrets.value("password", ""),
      .private_key = secrets.value("private_key", ""),
      .private_key_passphrase = secrets.value("private_key_passphrase", ""),
      .host_key_fingerprint = config.value("host_key_fingerprint", "")};
}

Result<void> check_backup_target(std::string_view kind, const json& config) {
  if (kind == "sftp" && config.value("host_key_fingerprint", "").empty()) {
    Error error = Error::unprocessable(
        "the SFTP destination's host key is not pinned yet: test the destination once first");
    error.code = "destination_untested";
    return fail(std::move(error));
  }
  return {};
}

std::string key_hint(std::string_view key) {
  if (key.size() >= 12) {
    return std::string(key.substr(0, 4)) + "…" + std::string(key.substr(key.size() - 4));
  }
  return "…" + std::string(key.substr(key.size() > 2 ? key.size() - 2 : key.size()));
}

}  // namespace berth::backups
