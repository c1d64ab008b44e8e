#pragma once
/// Turns a parsed request into a response through the route table: 404/405, the access gate,
/// the body checks (415, 400 bad_request, 400 validation_failed), the Idempotency-Key of an
/// authenticated POST (the router's ReplayGuard: a kept answer instead of the handler), the
/// handler, and a catch-all that turns an escaped exception into 500 `internal`. Knows nothing of
/// sockets, so unit tests and the fuzzer drive it directly.

#include "http/message.hpp"
#include "http/router.hpp"

namespace berth::http {

/// Runs the matched route's handler. `match` is router.match(request.method, request.path).
/// Never throws; an escaped exception is logged with the request id and answered 500.
Response dispatch(const Match& match, Request& request);

/// Checks the body against the route's declared schema and stores it in request.json.
Result<void> read_json_body(const RouteSpec& spec, Request& request);

}  // namespace berth::http
