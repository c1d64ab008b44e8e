#pragma once
/// The closed set of failure kinds every layer returns. The HTTP layer maps each kind to a
/// status exactly once (http/error_response.cpp); nothing else chooses a status for a failure.

#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace berth {

enum class ErrorKind {
  invalid,             // 400: malformed input or a failed validation
  unauthenticated,     // 401
  forbidden,           // 403: authenticated, but the role is too low
  not_found,           // 404: also for resources of another team
  method_not_allowed,  // 405
  timeout,             // 408: the client did not send its request in time
  conflict,            // 409
  too_large,           // 413: request body over the limit
  unsupported_media,   // 415
  headers_too_large,   // 431
  unprocessable,       // 422: valid, but the current state does not allow it
  rate_limited,        // 429
  internal,            // 500: a bug; the detail goes to the log, never to the client
  unavailable,         // 503
};

/// A failure as a value. `message` is safe to show a client; `internal_detail` goes only to
/// the log (with the request id), never into a response.
struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string code;
  std::string message;
  nlohmann::json details = nlohmann::json::object();
  std::string internal_detail;

  static Error invalid(std::string message, nlohmann::json details = nlohmann::json::object());
  static Error validation(std::string field, std::string message);
  static Error not_found(std::string message = "not found");
  static Error conflict(std::string message);
  static Error unprocessable(std::string message);
  static Error unavailable(std::string message);
  static Error internal(std::string internal_detail);
};

template <class T>
using Result = std::expected<T, Error>;

/// `error` answered with a more specific machine-readable code than its kind's default
/// ("owner_protected" for a conflict, ...): the one way a layer names its own code.
inline Error with_code(Error error, std::string code) {
  error.code = std::move(code);
  return error;
}

/// Shorthand for returning a failure from a function that returns Result<T>.
inline std::unexpected<Error> fail(Error error) { return std::unexpected<Error>(std::move(error)); }

/// The default machine-readable code of a kind ("not_found", "payload_too_large", ...).
std::string_view default_code(ErrorKind kind);

}  // namespace berth
