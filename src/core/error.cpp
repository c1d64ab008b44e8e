#include "core/error.hpp"

namespace berth {

namespace {
Error make(ErrorKind kind, std::string message, nlohmann::json details = nlohmann::json::object()) {
  return Error{.kind = kind,
               .code = std::string(default_code(kind)),
               .message = std::move(message),
               .details = std::move(details),
               .internal_detail = {}};
}
}  // namespace

Error Error::invalid(std::string message, nlohmann::json details) {
  return make(ErrorKind::invalid, std::move(message), std::move(details));
}

Error Error::validation(std::string field, std::string message) {
  Error error = make(ErrorKind::invalid, std::move(message), {{"field", std::move(field)}});
  error.code = "validation_failed";
  return error;
}

Error Error::not_found(std::string message) {
  return make(ErrorKind::not_found, std::move(message));
}

Error Error::conflict(std::string message) { return make(ErrorKind::conflict, std::move(message)); }

Error Error::unprocessable(std::string message) {
  return make(ErrorKind::unprocessable, std::move(message));
}

Error Error::unavailable(std::string message) {
  return make(ErrorKind::unavailable, std::move(message));
}

Error Error::internal(std::string internal_detail) {
  Error error = make(ErrorKind::internal, "internal error");
  error.internal_detail = std::move(internal_detail);
  return error;
}

std::string_view default_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid:
      return "bad_request";
    case ErrorKind::unauthenticated:
      return "unauthenticated";
    case ErrorKind::forbidden:
      return "insufficient_role";
    case ErrorKind::not_found:
      return "not_found";
    case ErrorKind::method_not_allowed:
      return "method_not_allowed";
    case ErrorKind::timeout:
      return "request_timeout";
    case ErrorKind::conflict:
      return "conflict";
    case ErrorKind::too_large:
      return "payload_too_large";
    case ErrorKind::unsupported_media:
      return "unsupported_media_type";
    case ErrorKind::headers_too_large:
      return "headers_too_large";
    case ErrorKind::unprocessable:
      return "unprocessable";
    case ErrorKind::rate_limited:
      return "rate_limited";
    case ErrorKind::internal:
      return "internal";
    case ErrorKind::unavailable:
      return "unavailable";
  }
  return "internal";
}

}  // namespace berth
