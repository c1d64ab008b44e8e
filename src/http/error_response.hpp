#pragma once
/// The one place where a failure becomes an HTTP status and API.md's error envelope:
/// {"error": {"code": ..., "message": ..., "details": {...}}}.

#include "core/error.hpp"
#include "http/message.hpp"

namespace berth::http {

unsigned status_for(ErrorKind kind);

/// The envelope response for `error`. `internal_detail` is never included.
Response error_response(const Error& error);

}  // namespace berth::http
