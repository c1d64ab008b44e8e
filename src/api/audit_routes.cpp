#include "api/audit_routes.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <stdexcept>

#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::string_view kFilters =
    "Newest first. Filters: ?action= (exact), ?actor= (a user id), ?q= (part of the action or "
    "target). Paging: ?page= (from 1), ?per_page= (1-100, default 20).";

Result<std::int64_t> query_integer(const Request& request, std::string_view name,
                                   std::int64_t fallback, std::int64_t min, std::int64_t max,
                                   std::string_view rule) {
  const auto text = request.query_param(name);
  if (!text) {
    return fallback;
  }
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc{} || ptr != end || value < min || value > max) {
    return fail(Error::validation(std::string(name), fmt::format("{} must be {}", name, rule)));
  }
  return value;
}

json audit_entry_json(const AuditEntry& entry) {
  return {{"id", entry.id},
          {"at", format_rfc3339(entry.at)},
          {"actor", entry.actor},
          {"action", entry.action},
          {"target", entry.target},
          {"team_id", entry.team_id},
          {"request_id", entry.request_id},
          {"source_address", entry.source_address},
          {"outcome", entry.outcome},
          {"details", entry.details}};
}

json audit_entry_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", schema::string()},
            {"at", schema::string()},
            {"actor", schema::string()},
            {"action", schema::string()},
            {"target", schema::string()},
            {"team_id", schema::string()},
            {"request_id", schema::string()},
            {"source_address", schema::string()},
            {"outcome", schema::one_of_strings({"success", "failure", "denied"})},
            {"details", {{"type", "object"}}}}}};
}

Result<AuditQuery> audit_query_of(const Request& request) {
  auto page = page_request_of(request);
  if (!page) {
    return fail(std::move(page.error()));
  }
  return AuditQuery{.team_id = {},
                    .actor = request.query_param("actor").value_or(""),
                    .action = request.query_param("action").value_or(""),
                    .q = request.query_param("q").value_or(""),
                    .page = page->page,
                    .per_page = page->per_page};
}

Response audit_page(const Page<AuditEntry>& page, const AuditQuery& query) {
  json data = json::array();
  for (const auto& entry : page.items) {
    data.push_back(audit_entry_json(entry));
  }
  return Response::json(
      200,
      page_json(std::move(data), {.page = query.page, .per_page = query.per_page}, page.total));
}

}  // namespace

Result<PageRequest> page_request_of(const Request& request) {
  auto page = query_integer(request, "page", 1, 1, std::numeric_limits<std::int64_t>::max(),
                            "a whole number of at least 1");
  if (!page) {
    return fail(std::move(page.error()));
  }
  auto per_page = query_integer(request, "per_page", kDefaultPerPage, 1, kMaxPerPage,
                                fmt::format("a whole number from 1 to {}", kMaxPerPage));
  if (!per_page) {
    return fail(std::move(per_page.error()));
  }
  return PageRequest{.page = *page, .per_page = *per_page};
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

const TeamContext& request_team(const Request& request) {
  if (!request.team) {
    throw std::logic_error("request_team() on a route without a team role");
  }
  return *request.team;
}

void add_audit_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/audit-log",
             {.summary = "The team's audit log",
              .role = Role::admin,
              .response_schema = page_schema(audit_entry_schema()),
              .description = std::string(kFilters)},
             [&ctx](Request& request) -> Result<Response> {
               auto query = audit_query_of(request);
               if (!query) {
                 return fail(std::move(query.error()));
               }
               auto page =
                   ctx.audit->list_team(caller(request), request_team(request).team_id, *query);
               if (!page) {
                 return fail(std::move(page.error()));
               }
               return audit_page(*page, *query);
             });

  router.get("/api/v1/admin/audit-log",
             {.summary = "The whole instance's audit log",
              .role = Role::instance_admin,
              .response_schema = page_schema(audit_entry_schema()),
              .description = std::string(kFilters) + " ?team_id= narrows it to one team."},
             [&ctx](Request& request) -> Result<Response> {
               auto query = audit_query_of(request);
               if (!query) {
                 return fail(std::move(query.error()));
               }
               query->team_id = request.query_param("team_id").value_or("");
               auto page = ctx.audit->list_all(caller(request), *query);
               if (!page) {
                 return fail(std::move(page.error()));
               }
               return audit_page(*page, *query);
             });
}

}  // namespace berth::api
