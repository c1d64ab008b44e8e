#pragma once
/// A small S3 client for backups: PUT, GET and DELETE of one object, signed with SigV4,
/// path-style or virtual-host style, bodies streamed through callbacks so that a backup job
/// never holds an object in memory. libcurl is loaded with dlopen (src/client/curl_api.hpp),
/// so berth-agent may use this too. Blocking: call from a worker thread; one request at a
/// time per client is not required (each call has its own curl handle). Secrets are never
/// logged nor put into an error.
///
/// Errors (code, kind): s3_credentials_rejected (unprocessable) for SignatureDoesNotMatch and
/// InvalidAccessKeyId; s3_bucket_missing (unprocessable) for NoSuchBucket; s3_access_denied
/// (unprocessable); s3_object_missing (not_found) for NoSuchKey; s3_unreachable (unavailable)
/// when the endpoint cannot be reached (details: curl's reason); s3_error (unprocessable)
/// for any other answer (details: status, s3_code, s3_message).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace berth::backup {

struct S3Settings {
  /// "https://host[:port]" or "http://host[:port]", no path.
  std::string endpoint = {};
  std::string region = "us-east-1";
  std::string bucket = {};
  /// true: https://host/bucket/key; false: https://bucket.host/key (an endpoint whose host
  /// is an IP address is always path-style: a bucket cannot be its subdomain).
  bool path_style = false;
  std::string access_key_id = {};
  std::string secret_access_key = {};
  std::chrono::seconds connect_timeout{10};
  /// A transfer slower than 1 KiB/s for this long is abandoned (streams have no total bound).
  std::chrono::seconds stall_timeout{60};
};

/// Fills `buffer` with up to `size` bytes of the body; returns how many, 0 at the end.
using BodySource = std::function<Result<std::size_t>(char* buffer, std::size_t size)>;
/// Takes the next part of a downloaded body.
using BodySink = std::function<Result<void>(std::string_view chunk)>;

/// A source over `body` (which must outlive it).
BodySource string_source(std::string_view body);
/// A sink appending to `out`, failing unprocessable `too_large_code` past `limit` bytes.
BodySink bounded_sink(std::string& out, std::size_t limit, std::string too_large_code);

/// Where one request goes: the URL, the Host header and the signed path.
struct S3Target {
  std::string url = {};
  std::string host = {};
  std::string path = {};  // URI-encoded
};

/// One request of S3's wider API (multipart uploads): its query and a small body or a stream.
struct S3Request {
  std::string method = "GET";
  std::string key = {};
  /// Not encoded; a parameter without a value has value "" ("uploads").
  std::vector<std::pair<std::string, std::string>> query = {};
  std::string body = {};
  /// When set, the body is read from here instead (`stream_size` bytes, unsigned payload).
  const BodySource* stream = nullptr;
  std::uint64_t stream_size = 0;
};

/// A 2xx answer: its body (at most 1 MiB) and ETag header.
struct S3Answer {
  std::string body = {};
  std::string etag = {};
};

class S3Client {
 public:
  S3Client(S3Settings settings, const Clock& clock);

  /// Uploads `body` (its SHA-256 signed).
  Result<void> put(std::string_view key, std::string_view body) const;
  /// Uploads `size` bytes read from `source` (UNSIGNED-PAYLOAD: the body is never held).
  Result<void> put_stream(std::string_view key, std::uint64_t size, const BodySource& source) const;
  /// Downloads the object into `sink`.
  Result<void> get(std::string_view key, const BodySink& sink) const;
  /// Downloads at most `limit` bytes of the object (unprocessable s3_object_too_large above).
  Result<std::string> get_small(std::string_view key, std::size_t limit) const;
  /// Any request (the multipart calls of s3_multipart.hpp); errors as for the others.
  Result<S3Answer> send(const S3Request& request) const;
  /// Deletes the object (S3 answers 204 for a key that did not exist).
  Result<void> remove(std::string_view key) const;

  /// The URL, Host header and signed path of `key` (exposed for tests).
  S3Target target(std::string_view key) const;

  /// One request in flight (internal; public for libcurl's callbacks).
  struct Call;

 private:
  Result<void> perform(Call& call) const;

  S3Settings settings_;
  const Clock& clock_;
};

/// The client error for an S3 error answer (see the header comment); `body` is the XML.
Error s3_error(long status, std::string_view body);

/// The text between <tag> and </tag> in a small XML answer ("" when absent; at most 512 bytes).
std::string xml_value(std::string_view xml, std::string_view tag);

/// "20150830T123600Z" for `at`.
std::string amz_date(TimePoint at);

}  // namespace berth::backup
