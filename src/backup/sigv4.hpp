#pragma once
/// AWS Signature Version 4 for S3-compatible requests: the canonical request, the string to
/// sign, the signing key and the Authorization header, as AWS documents them ("Signature
/// Version 4 signing process"). Pure functions (OpenSSL HMAC/SHA-256); any thread.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::backup {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
/// SHA-256 of the empty string: the payload hash of GET, HEAD and DELETE.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct SigV4Credentials {
  std::string access_key_id = {};
  std::string secret_access_key = {};
  std::string region = {};
  std::string service = "s3";
};

struct SigV4Request {
  std::string method = "GET";
  /// The path as sent, already URI-encoded (see uri_encode_path); "/" for the root.
  std::string path = "/";
  /// Query parameters, not encoded (a parameter without a value has value "").
  std::vector<std::pair<std::string, std::string>> query = {};
  /// Headers to sign, any case; must include host (and x-amz-date, x-amz-content-sha256 for
  /// S3). Values are trimmed and inner runs of spaces folded when canonicalised.
  std::vector<std::pair<std::string, std::string>> headers = {};
  /// Lower-case hex SHA-256 of the body, or kUnsignedPayload.
  std::string payload_hash = std::string(kEmptyPayloadHash);
};

/// RFC 3986 encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - . _ ~) kept,
/// everything else %XX in upper case; '/' kept only when `keep_slash`.
std::string uri_encode(std::string_view text, bool keep_slash);

/// An object path ("/bucket/key" or "/key"): each segment encoded, slashes kept.
inline std::string uri_encode_path(std::string_view path) { return uri_encode(path, true); }

/// The canonical query string: encoded names and values, sorted by name then value.
std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query);

/// The canonical request (method, path, query, headers, signed headers, payload hash).
std::string canonical_request(const SigV4Request& request);

/// "host;x-amz-date;..." : the lower-case header names, sorted.
std::string signed_headers(const SigV4Request& request);

/// The string to sign for `amz_date` ("20150830T123600Z").
std::string string_to_sign(const SigV4Request& request, const SigV4Credentials& credentials,
                           std::string_view amz_date);

/// The signature (lower-case hex) of the request at `amz_date`.
std::string signature(const SigV4Request& request, const SigV4Credentials& credentials,
                      std::string_view amz_date);

/// The Authorization header's value.
std::string authorization(const SigV4Request& request, const SigV4Credentials& credentials,
                          std::string_view amz_date);

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace berth::backup
