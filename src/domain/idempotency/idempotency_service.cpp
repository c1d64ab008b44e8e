#include "domain/idempotency/idempotency_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <span>

#include "core/crypto.hpp"
#include "core/log.hpp"

namespace berth {

namespace {

using namespace std::chrono_literals;

std::string seal_answer(const ServiceContext& services, const RecordedAnswer& answer) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : answer.headers) {
    headers.push_back({name, value});
  }
  // The body as base64url: JSON text must be UTF-8, and an answer's bytes need not be.
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(answer.body.data());
  const nlohmann::json kept = {
      {"status", answer.status},
      {"content_type", answer.content_type},
      {"headers", std::move(headers)},
      {"body", crypto::base64url_encode(std::span<const std::uint8_t>(bytes, answer.body.size()))}};
  return crypto::seal(services.master_key, services.random, kept.dump());
}

Result<RecordedAnswer> open_answer(const ServiceContext& services, std::string_view sealed) {
  auto opened = crypto::open_sealed(services.master_key, sealed);
  if (!opened) {
    return fail(std::move(opened.error()));
  }
  const auto kept = nlohmann::json::parse(*opened, nullptr, false);
  if (!kept.is_object()) {
    return fail(Error::internal("a kept idempotent answer is not a JSON object"));
  }
  try {
    RecordedAnswer answer;
    answer.status = kept.at("status").get<unsigned>();
    answer.content_type = kept.at("content_type").get<std::string>();
    for (const auto& header : kept.at("headers")) {
      answer.headers.emplace_back(header.at(0).get<std::string>(), header.at(1).get<std::string>());
    }
    const auto body = crypto::base64url_decode(kept.at("body").get<std::string>());
    if (!body) {
      return fail(Error::internal("a kept idempotent answer has a malformed body"));
    }
    answer.body.assign(body->begin(), body->end());
    return answer;
  } catch (const nlohmann::json::exception& e) {
    return fail(
        Error::internal(fmt::format("a kept idempotent answer is malformed: {}", e.what())));
  }
}

Error key_in_progress() {
  return with_code(Error::conflict("a request with this Idempotency-Key is still being handled; "
                                   "retry once it has finished"),
                   "idempotency_in_progress");
}

Error key_reused() {
  return with_code(Error::unprocessable("this Idempotency-Key was already used for a different "
                                        "request; use a new key for a new request"),
                   "idempotency_key_reused");
}

}  // namespace

Result<void> IdempotencyService::check_key(std::string_view key) {
  const bool printable = std::all_of(key.begin(), key.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) <= 0x7e;
  });
  if (key.empty() || key.size() > kMaxKeyLength || !printable) {
    return fail(with_code(
        Error::invalid(fmt::format("the Idempotency-Key header must be 1-{} printable ASCII "
                                   "characters",
                                   kMaxKeyLength),
                       {{"header", "Idempotency-Key"}}),
        "idempotency_key_invalid"));
  }
  return {};
}

std::string IdempotencyService::fingerprint(const KeyedRequest& call) const {
  // Keyed, so a stolen database does not let anyone test guesses of a body (a password change
  // carries passwords).
  return crypto::hmac_sha256_hex(ctx_.services.session_key, "idempotency\n" + call.request);
}

Result<std::optional<RecordedAnswer>> IdempotencyService::begin(const KeyedRequest& call) {
  prune_now_and_then();
  const TimePoint now = ctx_.clock().now();
  const std::string asked = fingerprint(call);
  std::optional<std::string> kept;
  auto claimed = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.get_idempotency_key(call.scope, call.key);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (*found) {
      const IdempotencyRecord& first = **found;
      const bool expired = first.created_at + kRetention <= now;
      const bool lost = !first.completed_at && first.created_at + kClaimTimeout <= now;
      if (!expired && !lost) {
        if (!crypto::constant_time_equal(first.fingerprint, asked)) {
          return fail(key_reused());
        }
        if (!first.completed_at) {
          return fail(key_in_progress());
        }
        kept = first.answer_sealed;
        return {};
      }
      if (lost && !expired) {
        log::warn("idempotency.claim_lost", {{"scope", call.scope}});
      }
      if (auto deleted = tx.delete_idempotency_key(call.scope, call.key); !deleted) {
        return fail(std::move(deleted.error()));
      }
    }
    return tx.create_idempotency_key(IdempotencyRecord{
        .scope = call.scope, .key = call.key, .fingerprint = asked, .created_at = now});
  });
  if (!claimed) {
    return fail(std::move(claimed.error()));
  }
  if (!kept) {
    return std::optional<RecordedAnswer>();
  }
  auto answer = open_answer(ctx_.services, *kept);
  if (!answer) {
    return fail(std::move(answer.error()));
  }
  return std::optional<RecordedAnswer>(std::move(*answer));
}

Result<void> IdempotencyService::finish(const KeyedRequest& call, const RecordedAnswer& answer) {
  const std::string sealed = seal_answer(ctx_.services, answer);
  const TimePoint now = ctx_.clock().now();
  return ctx_.store().write(
      [&](Tx& tx) { return tx.complete_idempotency_key(call.scope, call.key, sealed, now); });
}

Result<void> IdempotencyService::abandon(const KeyedRequest& call) {
  return ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto deleted = tx.delete_idempotency_key(call.scope, call.key);
    if (!deleted) {
      return fail(std::move(deleted.error()));
    }
    return {};
  });
}

Result<std::int64_t> IdempotencyService::prune() {
  const TimePoint before = ctx_.clock().now() - kRetention;
  return write_value<std::int64_t>(ctx_.store(),
                                   [&](Tx& tx) { return tx.prune_idempotency_keys(before); });
}

void IdempotencyService::prune_now_and_then() {
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.clock().now().time_since_epoch())
          .count();
  auto last = last_prune_ms_.load();
  if (now_ms - last < std::chrono::milliseconds(1h).count() ||
      !last_prune_ms_.compare_exchange_strong(last, now_ms)) {
    return;
  }
  if (auto pruned = prune(); !pruned) {
    log::error("idempotency.prune_failed",
               {{"error", pruned.error().message}, {"detail", pruned.error().internal_detail}});
  }
}

}  // namespace berth
