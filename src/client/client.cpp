#include "client/client.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <thread>

#include "client/curl_api.hpp"
#include "client/sse_parser.hpp"

namespace berth::client {
namespace {

struct EasyDeleter {
  const CurlApi* api;
  void operator()(CURL* easy) const { api->easy_cleanup(easy); }
};
struct ListDeleter {
  const CurlApi* api;
  void operator()(curl_slist* list) const { api->slist_free_all(list); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, ListDeleter>;

Error network_error(std::string message) {
  auto error = Error::unavailable(std::move(message));
  error.code = "network";
  return error;
}

std::string lower(std::string text) {
  std::ranges::transform(text, text.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

// State shared with libcurl's callbacks for one transfer.
struct Transfer {
  const CurlApi* api = nullptr;
  CURL* easy = nullptr;
  Response response;
  SseParser* sse = nullptr;  // streams: a 200's body goes here instead of into response.body
  // downloads: a 2xx's body goes here instead of into response.body
  const std::function<bool(std::string_view)>* sink = nullptr;
  bool stopped = false;  // the event handler asked to stop
  const std::atomic<bool>* cancel = nullptr;
  std::string pin;
  // A stream whose peer vanished without closing (a dead NAT entry, a suspended laptop) sends
  // nothing, not even berthd's keepalives: after idle_limit of silence it is given up.
  std::chrono::steady_clock::time_point last_data = std::chrono::steady_clock::now();
  std::chrono::milliseconds idle_limit{0};
  bool idle = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue or a redirect)
    transfer.response.headers.clear();
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    transfer.response.headers[lower(std::string(line.substr(0, colon)))] =
        trim(line.substr(colon + 1));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view bytes(data, size * count);
  transfer.last_data = std::chrono::steady_clock::now();
  long status = 0;
  transfer.api->easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &status);
  if (transfer.sse != nullptr && status == 200) {
    if (!transfer.sse->feed(bytes)) {
      transfer.stopped = true;
      return 0;  // aborts the transfer (CURLE_WRITE_ERROR), which stream() treats as done
    }
    return bytes.size();
  }
  if (transfer.sink != nullptr && status >= 200 && status < 300) {
    return (*transfer.sink)(bytes) ? bytes.size() : 0;
  }
  // Refusals are small envelopes; cap what a misbehaving server can make us hold.
  if (transfer.response.body.size() + bytes.size() > 64 * 1024 * 1024) {
    return 0;
  }
  transfer.response.body.append(bytes);
  return bytes.size();
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (transfer.cancel != nullptr && transfer.cancel->load()) {
    return 1;
  }
  if (transfer.idle_limit.count() > 0 &&
      std::chrono::steady_clock::now() - transfer.last_data > transfer.idle_limit) {
    transfer.idle = true;
    return 1;
  }
  return 0;
}

// With a pin only the leaf matters: its SHA-256 must match; the chain (often one self-signed
// certificate) is not checked — the agent's semantics for a self-signed berthd.
int verify_pin(int, X509_STORE_CTX* store) {
  if (X509_STORE_CTX_get_error_depth(store) > 0) {
    return 1;
  }
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const auto* pin = static_cast<const std::string*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (pin == nullptr || cert == nullptr ||
      X509_digest(cert, EVP_sha256(), digest.data(), &length) != 1) {
    return 0;
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), length) == *pin ? 1 : 0;
}

// libcurl calls this with the transfer's own SSL_CTX before connecting; verify_pin finds the
// pin in the context's app data.
CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* user) {
  auto* context = static_cast<SSL_CTX*>(ssl_ctx);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, verify_pin);
  SSL_CTX_set_app_data(context, user);
  return CURLE_OK;
}

}  // namespace

nlohmann::json Response::json() const {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

std::string Response::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

bool is_network_error(const Error& error) {
  return error.kind == ErrorKind::unavailable && error.code == "network";
}

Error api_error(const Response& response) {
  Error error;
  switch (response.status) {
    case 400:
      error.kind = ErrorKind::invalid;
      break;
    case 401:
      error.kind = ErrorKind::unauthenticated;
      break;
    case 403:
      error.kind = ErrorKind::forbidden;
      break;
    case 404:
      error.kind = ErrorKind::not_found;
      break;
    case 409:
      error.kind = ErrorKind::conflict;
      break;
    case 413:
      error.kind = ErrorKind::too_large;
      break;
    case 422:
      error.kind = ErrorKind::unprocessable;
      break;
    case 429:
      error.kind = ErrorKind::rate_limited;
      break;
    case 503:
      error.kind = ErrorKind::unavailable;
      break;
    default:
      error.kind = ErrorKind::internal;
      break;
  }
  const auto json = response.json();
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    const auto& envelope = json["error"];
    error.code = envelope.value("code", std::string(default_code(error.kind)));
    error.message = envelope.value("message", std::string());
    if (envelope.contains("details") && envelope["details"].is_object()) {
      error.details = envelope["details"];
    }
  } else {
    error.code = std::string(default_code(error.kind));
    error.message = "berthd answered HTTP " + std::to_string(response.status);
  }
  return error;
}

Client::Client(ClientOptions options, Sleeper sleep)
    : options_(std::move(options)), sleep_(std::move(sleep)) {
  if (!sleep_) {
    sleep_ = [](std::chrono::milliseconds wait) { std::this_thread::sleep_for(wait); };
  }
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
}

namespace {

// One HTTP exchange without retries. `body` empty and `has_body` false: no request body.
Result<Response> perform(const ClientOptions& options, std::string_view method,
                         std::string_view path, const std::string* body,
                         const std::map<std::string, std::string>& headers, Transfer& transfer) {
  auto loaded = CurlApi::get();
  if (!loaded) {
    return fail(loaded.error());
  }
  const CurlApi& api = **loaded;
  transfer.api = &api;
  Easy easy(api.easy_init(), EasyDeleter{&api});
  if (!easy) {
    return fail(Error::internal("curl_easy_init failed"));
  }
  CURL* handle = easy.get();
  transfer.easy = handle;
  const std::string url = options.base_url + std::string(path);
  const std::string verb(method);
  api.easy_setopt(handle, CURLOPT_URL, url.c_str());
  api.easy_setopt(handle, CURLOPT_CUSTOMREQUEST, verb.c_str());
  if (verb == "HEAD") {
    api.easy_setopt(handle, CURLOPT_NOBODY, 1L);
  }
  api.easy_setopt(handle, CURLOPT_USERAGENT, options.user_agent.c_str());
  // No CURLOPT_NOSIGNAL: libcurl then ignores SIGPIPE while it transfers (OpenSSL's writes to
  // a peer that hung up would otherwise kill the process); its resolver here is threaded, so
  // it sends no SIGALRM either.
  api.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                  static_cast<long>(options.connect_timeout.count()));
  if (transfer.sse == nullptr) {
    api.easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  }
  if (!options.ca_file.empty()) {
    api.easy_setopt(handle, CURLOPT_CAINFO, options.ca_file.c_str());
  }
  if (options.insecure || !options.pin_sha256.empty()) {
    api.easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
    api.easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!options.insecure && !options.pin_sha256.empty()) {
    transfer.pin = options.pin_sha256;
    // Peer verification is off so the pin alone decides: a libcurl that cannot run the pin's
    // callback (not built on OpenSSL) must refuse rather than trust every certificate.
    if (api.easy_setopt(handle, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) != CURLE_OK) {
      return fail(Error::unavailable("this libcurl cannot check a pinned certificate"));
    }
    api.easy_setopt(handle, CURLOPT_SSL_CTX_DATA, &transfer.pin);
    // A cached session would skip the verify callback on reuse: each transfer checks afresh.
    api.easy_setopt(handle, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  }
  api.easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  api.easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  api.easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  api.easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  api.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
  api.easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
  api.easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);

  curl_slist* list = nullptr;
  auto add = [&list, &api](const std::string& line) {
    list = api.slist_append(list, line.c_str());
  };
  if (!options.token.empty()) {
    add("Authorization: Bearer " + options.token);
  }
  add("Accept: application/json");
  for (const auto& [name, value] : options.headers) {
    add(name + ": " + value);
  }
  for (const auto& [name, value] : headers) {
    add(name + ": " + value);
  }
  if (body != nullptr) {
    add("Content-Type: application/json");
    api.easy_setopt(handle, CURLOPT_POSTFIELDS, body->c_str());
    api.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  add("Expect:");  // no 100-continue round trip for our small bodies
  HeaderList owned(list, ListDeleter{&api});
  api.easy_setopt(handle, CURLOPT_HTTPHEADER, list);

  const CURLcode code = api.easy_perform(handle);
  long status = 0;
  api.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = status;
  if (transfer.idle) {
    return fail(network_error("no data from " + options.base_url + " for " +
                              std::to_string(transfer.idle_limit.count()) + " ms"));
  }
  if (code == CURLE_OK || transfer.stopped ||
      (code == CURLE_ABORTED_BY_CALLBACK && transfer.cancel != nullptr &&
       transfer.cancel->load())) {
    return std::move(transfer.response);
  }
  return fail(network_error("cannot reach " + options.base_url + ": " + api.easy_strerror(code)));
}

bool may_retry(std::string_view method, const std::map<std::string, std::string>& headers) {
  if (method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE") {
    return true;
  }
  return std::ranges::any_of(
      headers, [](const auto& header) { return lower(header.first) == "idempotency-key"; });
}

// Retry-After in seconds (berthd never sends an HTTP date); nullopt when absent or malformed.
std::optional<std::chrono::milliseconds> retry_after(const Response& response) {
  const auto value = response.header("retry-after");
  if (value.empty() || !std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '9'; }) ||
      value.size() > 6) {
    return std::nullopt;
  }
  return std::chrono::seconds(std::stol(value));
}

}  // namespace

Result<Response> Client::request(std::string_view method, std::string_view path,
                                 const std::optional<nlohmann::json>& body,
                                 const std::map<std::string, std::string>& headers) {
  const std::string encoded = body ? body->dump() : std::string();
  const bool retryable = may_retry(method, headers);
  auto wait = options_.backoff;
  for (int attempt = 1;; ++attempt) {
    Transfer transfer;
    auto answer = perform(options_, method, path, body ? &encoded : nullptr, headers, transfer);
    const bool last = !retryable || attempt >= options_.max_attempts;
    if (answer && answer->status != 429 && answer->status != 503) {
      return answer;
    }
    if (last) {
      return answer;
    }
    auto pause = wait;
    if (answer) {
      if (const auto asked = retry_after(*answer)) {
        if (*asked > options_.max_retry_after) {
          return answer;  // waiting that long is the caller's decision, not a library's
        }
        pause = std::max(pause, *asked);
      }
    }
    sleep_(pause);
    wait *= 2;
  }
}

Result<Response> Client::download(std::string_view path,
                                  const std::function<bool(std::string_view)>& sink) {
  Transfer transfer;
  transfer.sink = &sink;
  return perform(options_, "GET", path, nullptr, {}, transfer);
}

Result<void> Client::stream(std::string_view path, std::string last_event_id,
                            const EventHandler& on_event, const StreamOptions& stream_options) {
  bool progressed = false;
  SseParser parser([&](const SseEvent& event) {
    progressed = true;
    return on_event(event);
  });
  parser.set_last_id(std::move(last_event_id));
  int drops = 0;
  auto wait = options_.backoff;
  while (true) {
    std::map<std::string, std::string> headers{{"Accept", "text/event-stream"}};
    if (!parser.last_id().empty()) {
      headers["Last-Event-ID"] = parser.last_id();
    }
    parser.discard_partial();  // what a dropped connection cut off is sent again after the id
    Transfer transfer;
    transfer.sse = &parser;
    transfer.cancel = stream_options.cancel;
    transfer.idle_limit = options_.stream_idle_timeout;
    progressed = false;
    auto answer = perform(options_, "GET", path, nullptr, headers, transfer);
    if (transfer.stopped || (stream_options.cancel != nullptr && stream_options.cancel->load())) {
      return {};
    }
    std::optional<std::chrono::milliseconds> asked;
    if (answer && answer->status != 200) {
      if (!stream_options.reconnect || (answer->status != 429 && answer->status != 503)) {
        return fail(api_error(*answer));
      }
      asked = retry_after(*answer);
    }
    if (!stream_options.reconnect) {
      return answer ? Result<void>{} : fail(std::move(answer.error()));
    }
    // The connection ended (dropped, or closed by the server): resume where it left off.
    drops = progressed ? 1 : drops + 1;
    if (progressed) {
      wait = options_.backoff;
    }
    if (drops > stream_options.max_reconnects) {
      if (!answer) {
        return fail(std::move(answer.error()));
      }
      if (answer->status != 200) {
        return fail(api_error(*answer));
      }
      return fail(network_error("the stream from " + options_.base_url + " closed " +
                                std::to_string(drops) + " times in a row without an event"));
    }
    sleep_(asked ? std::min(std::max(wait, *asked), options_.max_retry_after) : wait);
    wait = std::min(wait * 2, std::chrono::milliseconds(10'000));
  }
}

}  // namespace berth::client
