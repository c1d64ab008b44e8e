#pragma once
/// The http::ReplayGuard of berthd: reads the Idempotency-Key header, scopes it to the caller
/// (the API key for a key, else the user) and keeps or replays answers through the
/// IdempotencyService. Thread-safe; every call blocks on the store (worker pool).

#include "domain/idempotency/idempotency_service.hpp"
#include "http/router.hpp"

namespace berth::api {

/// The header a replayed answer carries ("true"); a first answer never has it.
inline constexpr std::string_view kReplayedHeader = "Idempotency-Replayed";

class IdempotencyGate final : public http::ReplayGuard {
 public:
  explicit IdempotencyGate(IdempotencyService& service) : service_(service) {}

  Result<http::ReplayDecision> begin(const http::Route& route,
                                     const http::Request& request) override;
  void finish(const http::Route& route, const http::Request& request,
              const http::Response& response) override;

 private:
  IdempotencyService& service_;
};

}  // namespace berth::api
