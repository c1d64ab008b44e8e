#include "api/paging.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <string>
#include <string_view>

#include "core/json_schema.hpp"

namespace berth::api {

using nlohmann::json;

namespace {

Result<std::int64_t> query_integer(const http::Request& request, std::string_view name,
                                   std::int64_t fallback, std::int64_t max, std::string_view rule) {
  const auto text = request.query_param(name);
  if (!text) {
    return fallback;
  }
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc{} || ptr != end || value < 1 || value > max) {
    return fail(Error::validation(std::string(name), fmt::format("{} must be {}", name, rule)));
  }
  return value;
}

}  // namespace

Result<PageRequest> page_request_of(const http::Request& request) {
  auto page = query_integer(request, "page", 1, std::numeric_limits<std::int64_t>::max(),
                            "a whole number of at least 1");
  if (!page) {
    return fail(std::move(page.error()));
  }
  auto per_page = query_integer(request, "per_page", kDefaultPerPage, kMaxPerPage,
                                fmt::format("a whole number from 1 to {}", kMaxPerPage));
  if (!per_page) {
    return fail(std::move(per_page.error()));
  }
  return PageRequest{.page = *page, .per_page = *per_page};
}

std::vector<http::QueryParam> paging_query(std::vector<http::QueryParam> filters) {
  std::vector<http::QueryParam> params = {
      {.name = "page",
       .description = "The page, from 1",
       .schema = {{"type", "integer"}, {"minimum", 1}, {"default", 1}}},
      {.name = "per_page",
       .description = "Items per page",
       .schema = {{"type", "integer"},
                  {"minimum", 1},
                  {"maximum", kMaxPerPage},
                  {"default", kDefaultPerPage}}}};
  params.insert(params.end(), std::make_move_iterator(filters.begin()),
                std::make_move_iterator(filters.end()));
  return params;
}

http::QueryParam search_param(std::string_view what) {
  return {.name = "q",
          .description = fmt::format("Only items whose {} contains this text (any case)", what),
          .schema = {{"type", "string"}, {"maxLength", 200}}};
}

http::QueryParam filter_param(std::string name, std::string_view what) {
  return {.name = std::move(name),
          .description = fmt::format("Only items of this {}", what),
          .schema = {{"type", "string"}}};
}

json page_json(json data, const PageRequest& page, std::int64_t total) {
  return {{"data", std::move(data)},
          {"page", page.page},
          {"per_page", page.per_page},
          {"total", total}};
}

json page_schema(json item) {
  return {{"type", "object"},
          {"properties",
           {{"data", schema::array_of(std::move(item))},
            {"page", schema::integer()},
            {"per_page", schema::integer()},
            {"total", schema::integer()}}}};
}

}  // namespace berth::api
