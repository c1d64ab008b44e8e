#pragma once
/// Idempotency keys (docs/api.md, "Idempotency-Key"): the first answer to a request that
/// carries a key is kept per caller and key for 24 hours and given again for a repeat, so a
/// client may retry a request whose answer it lost without acting twice. Answers are sealed
/// with the master key (one may hold a secret shown once, such as a raw API key); of the
/// request only a keyed hash is kept. No HTTP here: api/idempotency_gate turns requests and
/// responses into these values. Every call blocks on the store: call from the worker pool.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/kernel/service_context.hpp"

namespace berth {

/// An answer as it is kept and replayed.
struct RecordedAnswer {
  unsigned status = 0;
  std::string content_type = {};
  std::vector<std::pair<std::string, std::string>> headers = {};
  std::string body = {};
};

/// One request that carries a key.
struct KeyedRequest {
  std::string scope;  // whose key: a user id, or an API key's id
  std::string key;    // the Idempotency-Key, as check_key accepted it
  /// Everything that makes two requests the same (method, path, team, body); only a keyed
  /// hash of it is stored.
  std::string request = {};
};

class IdempotencyService {
 public:
  /// How long a key and its answer are kept.
  static constexpr std::chrono::hours kRetention{24};
  /// A claim whose request has not finished after this long is taken to be lost (berthd
  /// stopped while it ran): the next request with the key runs again.
  static constexpr std::chrono::minutes kClaimTimeout{5};
  static constexpr std::size_t kMaxKeyLength = 255;

  explicit IdempotencyService(AreaContext ctx) : ctx_(ctx) {}

  /// `invalid` (code idempotency_key_invalid) unless the key is 1..255 printable ASCII
  /// characters (space through '~').
  static Result<void> check_key(std::string_view key);

  /// Claims the key for this request. nullopt: the request is the first, so run it and then
  /// call finish (or abandon); else the answer kept for the same request. `conflict`
  /// (idempotency_in_progress) while the first request with the key still runs;
  /// `unprocessable` (idempotency_key_reused) when the key was used for another request.
  Result<std::optional<RecordedAnswer>> begin(const KeyedRequest& call);

  /// Keeps `answer` for the key that begin() claimed for `call`.
  Result<void> finish(const KeyedRequest& call, const RecordedAnswer& answer);

  /// Frees the key that begin() claimed, keeping nothing: a retry runs the request again.
  Result<void> abandon(const KeyedRequest& call);

  /// Deletes the keys older than the retention; returns how many. begin() calls it at most
  /// hourly; correctness never depends on it (an expired key is treated as unused).
  Result<std::int64_t> prune();

 private:
  std::string fingerprint(const KeyedRequest& call) const;
  void prune_now_and_then();

  AreaContext ctx_;
  std::atomic<std::int64_t> last_prune_ms_{0};
};

}  // namespace berth
