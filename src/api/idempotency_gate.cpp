#include "api/idempotency_gate.hpp"

#include <fmt/format.h>

#include <cctype>

#include "core/log.hpp"

namespace berth::api {

namespace {

// The request's key, nullopt when it has none. Two keys make it ambiguous which one a retry
// meant, so that is refused like a malformed key.
Result<std::optional<std::string>> idempotency_key_of(const http::Request& request) {
  std::optional<std::string> key;
  for (const auto& [name, value] : request.headers) {
    if (name != "idempotency-key") {
      continue;
    }
    if (key) {
      return fail(with_code(Error::invalid("send one Idempotency-Key header, not several",
                                           {{"header", "Idempotency-Key"}}),
                            "idempotency_key_invalid"));
    }
    key = value;
  }
  if (key) {
    if (auto valid = IdempotencyService::check_key(*key); !valid) {
      return fail(std::move(valid.error()));
    }
  }
  return key;
}

// Everything that makes two requests the same: a different team (X-Team-ID) or query is a
// different request even with the same body.
KeyedRequest keyed_request(const http::Request& request, std::string key) {
  const Principal& who = *request.principal;
  const std::string team = request.team ? request.team->team_id : std::string{};
  return KeyedRequest{
      .scope = who.credential == CredentialKind::api_key ? who.credential_id : who.user_id,
      .key = std::move(key),
      .request = fmt::format("{} {}?{}\n{}\n{}", http::method_name(request.method), request.path,
                             request.query, team, request.body)};
}

bool is_set_cookie(std::string_view name) {
  constexpr std::string_view kSetCookie = "set-cookie";
  return name.size() == kSetCookie.size() &&
         std::equal(name.begin(), name.end(), kSetCookie.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

Result<http::ReplayDecision> IdempotencyGate::begin(const http::Route& /*route*/,
                                                    const http::Request& request) {
  auto key = idempotency_key_of(request);
  if (!key) {
    return fail(std::move(key.error()));
  }
  if (!*key || !request.principal) {
    return http::ReplayDecision{};
  }
  auto kept = service_.begin(keyed_request(request, std::move(**key)));
  if (!kept) {
    return fail(std::move(kept.error()));
  }
  if (!*kept) {
    return http::ReplayDecision{.replay = std::nullopt, .claimed = true};
  }
  RecordedAnswer& answer = **kept;
  http::Response replay;
  replay.status = answer.status;
  replay.content_type = std::move(answer.content_type);
  replay.body = std::move(answer.body);
  replay.headers = std::move(answer.headers);
  replay.headers.emplace_back(kReplayedHeader, "true");
  return http::ReplayDecision{.replay = std::move(replay), .claimed = false};
}

void IdempotencyGate::finish(const http::Route& route, const http::Request& request,
                             const http::Response& response) {
  auto key = idempotency_key_of(request);
  if (!key || !*key || !request.principal) {
    return;  // begin() claimed nothing for such a request
  }
  const KeyedRequest call = keyed_request(request, std::move(**key));
  // A 5xx is our failure, not the request's answer, and a stream or upgrade cannot be kept:
  // the key is freed so a retry runs the request again.
  const bool keep = response.status < 500 && !response.stream && !response.websocket;
  Result<void> done;
  if (keep) {
    RecordedAnswer answer{.status = response.status,
                          .content_type = response.content_type,
                          .headers = {},
                          .body = std::string(response.body_bytes())};
    for (const auto& [name, value] : response.headers) {
      if (!is_set_cookie(name)) {  // a cookie belongs to the session that got it, never a replay
        answer.headers.emplace_back(name, value);
      }
    }
    done = service_.finish(call, answer);
  } else {
    done = service_.abandon(call);
  }
  if (!done) {
    // The claim stays until its timeout; a retry meanwhile gets 409, never a second action.
    log::error("idempotency.keep_failed", {{"request_id", request.request_id},
                                           {"route", route.pattern},
                                           {"error", done.error().message},
                                           {"detail", done.error().internal_detail}});
  }
}

}  // namespace berth::api
