#include "domain/kernel/paging.hpp"

#include <fmt/format.h>

#include <string>

namespace berth {

namespace {

constexpr std::size_t kMaxFilterLength = 200;

}  // namespace

Result<void> check_page_request(const PageRequest& request) {
  if (request.page < 1) {
    return fail(Error::validation("page", "page must be a whole number of at least 1"));
  }
  if (request.per_page < 1 || request.per_page > kMaxPerPage) {
    return fail(Error::validation(
        "per_page", fmt::format("per_page must be a whole number from 1 to {}", kMaxPerPage)));
  }
  return {};
}

Result<void> check_filter(std::string_view value, std::string_view field) {
  if (value.size() > kMaxFilterLength) {
    return fail(Error::validation(
        std::string(field), fmt::format("{} must be at most {} bytes", field, kMaxFilterLength)));
  }
  return {};
}

}  // namespace berth
