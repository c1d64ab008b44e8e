#include "backup/s3_client.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <memory>
#include <optional>

#include "backup/curl_body.hpp"
#include "backup/sigv4.hpp"
#include "client/curl_api.hpp"

namespace berth::backup {

namespace {

Error with_code(Error error, std::string code, nlohmann::json details) {
  error.code = std::move(code);
  error.details = std::move(details);
  return error;
}

// Splits "scheme://host[:port]" into the scheme and the authority.
std::pair<std::string, std::string> split_endpoint(std::string_view endpoint) {
  const auto sep = endpoint.find("://");
  if (sep == std::string_view::npos) {
    return {"https", std::string(endpoint)};
  }
  std::string_view authority = endpoint.substr(sep + 3);
  while (!authority.empty() && authority.back() == '/') {
    authority.remove_suffix(1);
  }
  return {std::string(endpoint.substr(0, sep)), std::string(authority)};
}

// True when the endpoint's host is an IP address: a bucket cannot be a subdomain of one, so
// such endpoints are always addressed path-style (as AWS's SDKs do).
bool is_ip_host(std::string_view authority) {
  if (authority.starts_with('[')) {
    return true;
  }
  const std::string_view host = authority.substr(0, authority.rfind(':'));
  std::array<unsigned char, 4> address{};
  return inet_pton(AF_INET, std::string(host).c_str(), address.data()) == 1;
}

}  // namespace

struct S3Client::Call {
  std::string method = "GET";
  std::string key = {};
  std::vector<std::pair<std::string, std::string>> query = {};
  std::string payload_hash = std::string(kEmptyPayloadHash);
  std::optional<std::uint64_t> upload_size = {};
  const BodySource* source = nullptr;
  const BodySink* sink = nullptr;
  // Filled while it runs.
  long status = 0;
  std::string error_body = {};  // the answer's body when the status is not 2xx (bounded)
  std::string etag = {};        // the ETag header (an uploaded part's)
  std::optional<Error> callback_error = {};
};

// Defined outside an anonymous namespace: it needs the private Call type.
std::size_t s3_on_write(char* data, std::size_t size, std::size_t count, void* user);

std::size_t s3_on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* call = static_cast<S3Client::Call*>(user);
  const std::size_t total = size * count;
  if (call->status == 0 || call->status >= 300 || call->sink == nullptr) {
    if (call->error_body.size() < 16 * 1024) {
      call->error_body.append(data, std::min<std::size_t>(total, 16 * 1024));
    }
    return total;
  }
  if (auto taken = (*call->sink)(std::string_view(data, total)); !taken) {
    call->callback_error = std::move(taken.error());
    return 0;
  }
  return total;
}

struct StatusProbe {
  const client::CurlApi* curl;
  CURL* handle;
  S3Client::Call* call;
};

std::size_t s3_on_header(char* data, std::size_t size, std::size_t count, void* user);

std::size_t s3_on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* probe = static_cast<StatusProbe*>(user);
  long status = 0;
  probe->curl->easy_getinfo(probe->handle, CURLINFO_RESPONSE_CODE, &status);
  probe->call->status = status;
  const std::string_view line(data, size * count);
  constexpr std::string_view kEtag = "etag:";
  if (line.size() > kEtag.size() && line.size() < 512) {
    std::string name(line.substr(0, kEtag.size()));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == kEtag) {
      std::string_view value = line.substr(kEtag.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
        value.remove_suffix(1);
      }
      probe->call->etag = std::string(value);
    }
  }
  return size * count;
}

std::string xml_value(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto start = xml.find(open);
  if (start == std::string_view::npos) {
    return {};
  }
  const auto from = start + open.size();
  const auto end = xml.find(close, from);
  if (end == std::string_view::npos) {
    return {};
  }
  return std::string(xml.substr(from, std::min<std::size_t>(end - from, 512)));
}

std::string amz_date(TimePoint at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  const std::size_t size = std::strftime(text.data(), text.size(), "%Y%m%dT%H%M%SZ", &utc);
  return {text.data(), size};
}

Error s3_error(long status, std::string_view body) {
  const std::string code = xml_value(body, "Code");
  const std::string message = xml_value(body, "Message");
  const nlohmann::json details = {{"status", status}, {"s3_code", code}, {"s3_message", message}};
  if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId") {
    return with_code(Error::unprocessable("the access key or secret is wrong"),
                     "s3_credentials_rejected", details);
  }
  if (code == "NoSuchBucket") {
    return with_code(Error::unprocessable("the bucket does not exist"), "s3_bucket_missing",
                     details);
  }
  if (code == "AccessDenied") {
    return with_code(
        Error::unprocessable("the access key may not do this in the bucket (access denied)"),
        "s3_access_denied", details);
  }
  if (code == "NoSuchKey" || (status == 404 && code.empty())) {
    return with_code(Error::not_found("the object does not exist"), "s3_object_missing", details);
  }
  return with_code(Error::unprocessable("the S3 server answered " + std::to_string(status) +
                                        (code.empty() ? std::string() : " " + code)),
                   "s3_error", details);
}

BodySource string_source(std::string_view body) {
  return [body, offset = std::size_t{0}](char* buffer,
                                         std::size_t size) mutable -> Result<std::size_t> {
    const std::size_t n = std::min(size, body.size() - offset);
    std::copy_n(body.data() + offset, n, buffer);
    offset += n;
    return n;
  };
}

BodySink bounded_sink(std::string& out, std::size_t limit, std::string too_large_code) {
  return [&out, limit, code = std::move(too_large_code)](std::string_view chunk) -> Result<void> {
    if (out.size() + chunk.size() > limit) {
      Error error = Error::unprocessable("the object is larger than expected");
      error.code = code;
      return fail(std::move(error));
    }
    out.append(chunk);
    return {};
  };
}

S3Client::S3Client(S3Settings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {}

S3Target S3Client::target(std::string_view key) const {
  const auto [scheme, authority] = split_endpoint(settings_.endpoint);
  S3Target out;
  const std::string object = key.empty() ? std::string() : uri_encode_path(key);
  if (settings_.path_style || is_ip_host(authority)) {
    out.host = authority;
    out.path = "/" + uri_encode_path(settings_.bucket) + (object.empty() ? "" : "/" + object);
  } else {
    out.host = settings_.bucket + "." + authority;
    out.path = "/" + object;
  }
  out.url = scheme + "://" + out.host + out.path;
  return out;
}

Result<void> S3Client::perform(Call& call) const {
  auto loaded = client::CurlApi::get();
  if (!loaded) {
    return fail(loaded.error());
  }
  const client::CurlApi& curl = **loaded;
  S3Target where = target(call.key);
  if (!call.query.empty()) {
    where.url += "?" + canonical_query(call.query);
  }
  const std::string date = amz_date(clock_.now());

  SigV4Request request{.method = call.method,
                       .path = where.path,
                       .query = call.query,
                       .headers = {{"host", where.host},
                                   {"x-amz-content-sha256", call.payload_hash},
                                   {"x-amz-date", date}},
                       .payload_hash = call.payload_hash};
  const SigV4Credentials credentials{.access_key_id = settings_.access_key_id,
                                     .secret_access_key = settings_.secret_access_key,
                                     .region = settings_.region,
                                     .service = "s3"};
  const std::string header_lines[] = {"Authorization: " + authorization(request, credentials, date),
                                      "x-amz-content-sha256: " + call.payload_hash,
                                      "x-amz-date: " + date,
                                      "Expect:"};  // no 100-continue round trip

  const std::unique_ptr<CURL, client::CurlEasyCleanup> handle(curl.easy_init(),
                                                              client::CurlEasyCleanup{&curl});
  if (!handle) {
    return fail(Error::internal("curl_easy_init failed"));
  }
  std::unique_ptr<curl_slist, client::CurlSlistCleanup> headers(nullptr,
                                                                client::CurlSlistCleanup{&curl});
  for (const auto& line : header_lines) {
    curl_slist* next = curl.slist_append(headers.get(), line.c_str());
    if (next == nullptr) {
      return fail(Error::internal("curl_slist_append failed"));
    }
    headers.release();
    headers.reset(next);
  }
  CURL* h = handle.get();
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  CURLcode rc = CURLE_OK;
  const auto set = [&rc](CURLcode result) {
    if (rc == CURLE_OK) {
      rc = result;
    }
  };
  set(curl.easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer.data()));
  set(curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
  set(curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl.easy_setopt(h, CURLOPT_URL, where.url.c_str()));
  set(curl.easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()));
  set(curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(settings_.connect_timeout.count() * 1000)));
  set(curl.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L));
  set(curl.easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>(settings_.stall_timeout.count())));
  set(curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, &s3_on_write));
  set(curl.easy_setopt(h, CURLOPT_WRITEDATA, &call));
  if (call.upload_size) {
    set(curl.easy_setopt(h, CURLOPT_UPLOAD, 1L));
    set(curl.easy_setopt(h, CURLOPT_READFUNCTION, &curl_read_source<S3Client::Call>));
    set(curl.easy_setopt(h, CURLOPT_READDATA, &call));
    set(curl.easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(*call.upload_size)));
    if (call.method != "PUT") {
      set(curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str()));  // POST
    }
  } else if (call.method != "GET") {
    set(curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str()));
  }
  // The status is known before the body arrives: the write callback reads it to tell an
  // error answer (kept for its XML) from the object (handed to the sink).
  StatusProbe probe{&curl, h, &call};
  set(curl.easy_setopt(h, CURLOPT_HEADERDATA, &probe));
  set(curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, &s3_on_header));
  if (rc != CURLE_OK) {
    return fail(Error::internal(std::string("curl_easy_setopt failed: ") + curl.easy_strerror(rc)));
  }
  rc = curl.easy_perform(h);
  if (call.callback_error) {
    return fail(std::move(*call.callback_error));
  }
  long status = 0;
  curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  call.status = status;
  if (rc != CURLE_OK) {
    const std::string why = error_buffer[0] != '\0' ? std::string(error_buffer.data())
                                                    : std::string(curl.easy_strerror(rc));
    if (status == 0) {
      return fail(with_code(Error::unavailable("the S3 endpoint cannot be reached: " + why),
                            "s3_unreachable", {{"reason", why}}));
    }
    return fail(with_code(Error::unavailable("the S3 transfer failed: " + why), "s3_unreachable",
                          {{"reason", why}, {"status", status}}));
  }
  if (status < 200 || status >= 300) {
    return fail(s3_error(status, call.error_body));
  }
  return {};
}

Result<void> S3Client::put(std::string_view key, std::string_view body) const {
  const BodySource source = string_source(body);
  Call call{.method = "PUT",
            .key = std::string(key),
            .payload_hash = sha256_hex(body),
            .upload_size = body.size(),
            .source = &source};
  return perform(call);
}

Result<void> S3Client::put_stream(std::string_view key, std::uint64_t size,
                                  const BodySource& source) const {
  Call call{.method = "PUT",
            .key = std::string(key),
            .payload_hash = std::string(kUnsignedPayload),
            .upload_size = size,
            .source = &source};
  return perform(call);
}

Result<void> S3Client::get(std::string_view key, const BodySink& sink) const {
  Call call{.method = "GET", .key = std::string(key), .sink = &sink};
  return perform(call);
}

Result<std::string> S3Client::get_small(std::string_view key, std::size_t limit) const {
  std::string body;
  const BodySink sink = bounded_sink(body, limit, "s3_object_too_large");
  if (auto done = get(key, sink); !done) {
    return fail(std::move(done.error()));
  }
  return body;
}

Result<S3Answer> S3Client::send(const S3Request& request) const {
  std::string body;
  const BodySink sink = bounded_sink(body, 1024 * 1024, "s3_answer_too_large");
  const BodySource source = string_source(request.body);
  const bool upload = request.method == "PUT" || request.method == "POST";
  Call call{
      .method = request.method,
      .key = request.key,
      .query = request.query,
      .payload_hash = upload ? std::string(kUnsignedPayload) : std::string(kEmptyPayloadHash),
      .upload_size = upload ? std::optional<std::uint64_t>(request.body.size()) : std::nullopt,
      .source = upload ? &source : nullptr,
      .sink = &sink};
  if (request.stream) {
    call.upload_size = request.stream_size;
    call.source = request.stream;
  }
  if (auto done = perform(call); !done) {
    return fail(std::move(done.error()));
  }
  return S3Answer{.body = std::move(body), .etag = std::move(call.etag)};
}

Result<void> S3Client::remove(std::string_view key) const {
  Call call{.method = "DELETE", .key = std::string(key)};
  return perform(call);
}

}  // namespace berth::backup
