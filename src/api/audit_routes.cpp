#include "api/audit_routes.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/identity/audit_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::string_view kFilters =
    "Newest first. Filters: ?action= (exact), ?actor= (a user id), ?q= (part of the action or "
    "target). Paging: ?page= (from 1), ?per_page= (1-100, default 20).";

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

std::vector<http::QueryParam> audit_query() {
  return paging_query({{.name = "action", .description = "Only this action (exact)"},
                       {.name = "actor", .description = "Only entries of this user id"},
                       search_param("action or target")});
}

std::vector<http::QueryParam> admin_audit_query() {
  auto params = audit_query();
  params.push_back(filter_param("team_id", "team"));
  return params;
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

Result<Response> audit_page(Result<Page<AuditEntry>> page, const AuditQuery& query) {
  if (!page) {
    return fail(std::move(page.error()));
  }
  return page_response(*page, {.page = query.page, .per_page = query.per_page}, audit_entry_json);
}

}  // namespace

void add_audit_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/audit-log",
             {.summary = "The team's audit log",
              .role = Role::admin,
              .response_schema = [] { return page_schema(audit_entry_schema()); },
              .query = audit_query(),
              .description = std::string(kFilters)},
             [&ctx](Request& request) -> Result<Response> {
               auto query = audit_query_of(request);
               if (!query) {
                 return fail(std::move(query.error()));
               }
               return audit_page(
                   ctx.audit->list_team(caller(request), request_team(request).team_id, *query),
                   *query);
             });

  router.get("/api/v1/admin/audit-log",
             {.summary = "The whole instance's audit log",
              .role = Role::instance_admin,
              .response_schema = [] { return page_schema(audit_entry_schema()); },
              .query = admin_audit_query(),
              .description = std::string(kFilters) + " ?team_id= narrows it to one team."},
             [&ctx](Request& request) -> Result<Response> {
               auto query = audit_query_of(request);
               if (!query) {
                 return fail(std::move(query.error()));
               }
               query->team_id = request.query_param("team_id").value_or("");
               return audit_page(ctx.audit->list_all(caller(request), *query), *query);
             });
}

}  // namespace berth::api
