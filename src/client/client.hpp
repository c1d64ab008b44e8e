#pragma once
/// A small HTTP/1.1 client of berthd's public API on libcurl: base URL, bearer token, extra
/// headers, timeouts, system roots or a CA file (or a pinned certificate), proxies from the
/// standard environment variables, retries with backoff for idempotent calls, and a
/// Server-Sent Events reader that resumes with Last-Event-ID. Shared by the berth CLI.
/// One Client per thread; calls block the calling thread.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::client {

struct ClientOptions {
  std::string base_url = {};  // "https://berth.example.com" (no trailing path)
  std::string token = {};     // sent as "Authorization: Bearer <token>"
  std::map<std::string, std::string> headers = {};  // sent on every call (X-Team-ID, ...)
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{60'000};              // a whole request; streams have none, but
  std::chrono::milliseconds stream_idle_timeout{60'000};  // reconnect after this long silent
                                                          // (berthd's keepalive: every 15 s)
  std::string ca_file = {};                               // PEM; "" for the system roots
  std::string pin_sha256 = {};  // 32 raw bytes: the server certificate's SHA-256 instead of a chain
  bool insecure = false;        // no certificate check at all (tests, --insecure)
  int max_attempts = 4;         // for calls that may be retried
  std::chrono::milliseconds backoff{250};             // doubled after each attempt
  std::chrono::milliseconds max_retry_after{30'000};  // longer Retry-After answers are not waited
  std::string user_agent = "berth";
};

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers = {};  // lower-case names
  std::string body = {};

  /// The body as JSON; null when it is empty or not JSON.
  nlohmann::json json() const;
  std::string header(const std::string& lower_name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

struct SseEvent {
  std::string id = {};
  std::string event = "message";
  std::string data = {};
};

/// What a stream's caller decides after each event.
using EventHandler = std::function<bool(const SseEvent&)>;  // false: stop reading
using Sleeper = std::function<void(std::chrono::milliseconds)>;

struct StreamOptions {
  const std::atomic<bool>* cancel = nullptr;  // set (e.g. by SIGINT) to end the stream cleanly
  int max_reconnects = 8;  // consecutive drops without a new event before giving up
  bool reconnect = true;   // false: the end of the connection ends the stream (no resume)
};

/// A network failure: Error::unavailable with code "network" (nothing or no answer came back).
bool is_network_error(const Error& error);

/// The API's error envelope of a failed response as an Error (kind from the status, code and
/// message from the body; the status text when the body is not an envelope).
Error api_error(const Response& response);

class Client {
 public:
  /// `sleep` waits between retries; tests inject one that records instead of sleeping.
  explicit Client(ClientOptions options, Sleeper sleep = {});

  /// One call. Answers of any status are returned as a Response; only network failures (after
  /// the retries that are safe: GET, HEAD, PUT, DELETE, and POSTs with an Idempotency-Key)
  /// are errors. 429 and 503 are retried on the same terms, after their Retry-After.
  Result<Response> request(std::string_view method, std::string_view path,
                           const std::optional<nlohmann::json>& body = std::nullopt,
                           const std::map<std::string, std::string>& headers = {});

  /// Reads `path` as Server-Sent Events until `on_event` returns false, `options.cancel` is
  /// set, or the server refuses (the refusal's api_error). A dropped connection is reopened
  /// with Last-Event-ID set to the last id seen (starting from `last_event_id`).
  Result<void> stream(std::string_view path, std::string last_event_id,
                      const EventHandler& on_event, const StreamOptions& options = {});

  /// GET `path` with the body handed to `sink` as it arrives (binaries too large to hold) when
  /// the answer is 2xx; `sink` returning false aborts (a network error). Other answers come
  /// back with their body as usual. Never retried: the sink has already seen what came.
  Result<Response> download(std::string_view path,
                            const std::function<bool(std::string_view)>& sink);

  const ClientOptions& options() const { return options_; }
  void set_token(std::string token) { options_.token = std::move(token); }

 private:
  ClientOptions options_;
  Sleeper sleep_;
};

}  // namespace berth::client
