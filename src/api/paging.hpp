#pragma once
/// Paging for the list routes: reading ?page= and ?per_page=, and the list envelope of API.md
/// ({"data", "page", "per_page", "total"}) with its schema for the OpenAPI document.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "domain/kernel/paging.hpp"
#include "http/message.hpp"
#include "store/store.hpp"

namespace berth::api {

/// `?page=` and `?per_page=` (defaults 1 and 20); Error::validation on the parameter when it
/// is not a whole number in range (page ≥ 1, per_page 1-100).
Result<PageRequest> page_request_of(const http::Request& request);

/// The query parameters of a list route: page and per_page, then `filters`.
std::vector<http::QueryParam> paging_query(std::vector<http::QueryParam> filters = {});
/// `?q=`: a case-insensitive substring of `what`.
http::QueryParam search_param(std::string_view what);
/// `?NAME=`: only items whose `what` is that id.
http::QueryParam filter_param(std::string name, std::string_view what);

/// The list envelope around `data`, one page of `total` items.
nlohmann::json page_json(nlohmann::json data, const PageRequest& page, std::int64_t total);

/// The schema of that envelope around items of `item`, for the OpenAPI document.
nlohmann::json page_schema(nlohmann::json item);

/// 200 with a page the store already cut, each item through `view`.
template <class T, class View>
http::Response page_response(const Page<T>& page, const PageRequest& paging, View view) {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& item : page.items) {
    data.push_back(view(item));
  }
  return http::Response::json(200, page_json(std::move(data), paging, page.total));
}

/// 200 with the requested page of a whole list held in memory, each item through `view`.
/// A page past the end is empty, however large its number.
template <class T, class View>
http::Response page_response(const std::vector<T>& items, const PageRequest& paging, View view) {
  const auto total = static_cast<std::int64_t>(items.size());
  // Written so a huge page number cannot overflow.
  const std::int64_t skip =
      paging.page - 1 > total / paging.per_page ? total : (paging.page - 1) * paging.per_page;
  const std::int64_t last = std::min(total, skip + paging.per_page);
  nlohmann::json data = nlohmann::json::array();
  for (std::int64_t i = skip; i < last; ++i) {
    data.push_back(view(items[static_cast<std::size_t>(i)]));
  }
  return http::Response::json(200, page_json(std::move(data), paging, total));
}

/// The shape of a list handler: reads the paging, calls `fetch(paging)` for a Result of a
/// Page<T> (cut by the store) or of a std::vector<T> (cut here), and answers one page of it
/// through `view`. Paging errors come before `fetch` runs; `fetch`'s errors are passed on.
template <class Fetch, class View>
Result<http::Response> list_response(const http::Request& request, Fetch fetch, View view) {
  auto paging = page_request_of(request);
  if (!paging) {
    return fail(std::move(paging.error()));
  }
  auto items = fetch(*paging);
  if (!items) {
    return fail(std::move(items.error()));
  }
  return page_response(*items, *paging, view);
}

}  // namespace berth::api
