#include "http/error_response.hpp"

namespace berth::http {

unsigned status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid:
      return 400;
    case ErrorKind::unauthenticated:
      return 401;
    case ErrorKind::forbidden:
      return 403;
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::method_not_allowed:
      return 405;
    case ErrorKind::timeout:
      return 408;
    case ErrorKind::conflict:
      return 409;
    case ErrorKind::too_large:
      return 413;
    case ErrorKind::unsupported_media:
      return 415;
    case ErrorKind::unprocessable:
      return 422;
    case ErrorKind::rate_limited:
      return 429;
    case ErrorKind::headers_too_large:
      return 431;
    case ErrorKind::internal:
      return 500;
    case ErrorKind::unavailable:
      return 503;
  }
  return 500;
}

Response error_response(const Error& error) {
  const std::string code = error.code.empty() ? std::string(default_code(error.kind)) : error.code;
  nlohmann::json envelope = {
      {"error",
       {{"code", code},
        {"message", error.message},
        {"details", error.details.is_object() ? error.details : nlohmann::json::object()}}}};
  Response response = Response::json(status_for(error.kind), envelope);
  if (const auto retry = error.details.find("retry_after_seconds");
      error.kind == ErrorKind::rate_limited && retry != error.details.end() && retry->is_number()) {
    response.headers.emplace_back("Retry-After", std::to_string(retry->get<long long>()));
  }
  return response;
}

}  // namespace berth::http
