#pragma once
/// Which page of a list a caller asks for, and the bounds every list shares (API.md).

#include <cstdint>
#include <string_view>

#include "core/error.hpp"

namespace berth {

constexpr std::int64_t kDefaultPerPage = 20;
constexpr std::int64_t kMaxPerPage = 100;

/// Which page of a list: page ≥ 1, per_page 1-100.
struct PageRequest {
  std::int64_t page = 1;
  std::int64_t per_page = kDefaultPerPage;
};

/// Error::validation on "page" or "per_page" when out of range.
Result<void> check_page_request(const PageRequest& request);

/// Error::validation on `field` when a free-text filter is longer than 200 bytes.
Result<void> check_filter(std::string_view value, std::string_view field);

}  // namespace berth
