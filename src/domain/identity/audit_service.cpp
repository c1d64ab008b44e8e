#include "domain/identity/audit_service.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "domain/identity/api_key_service.hpp"
#include "domain/identity/user_admin_service.hpp"

namespace berth {

namespace {

Result<void> check_query(const AuditQuery& query) {
  if (auto ok = check_page_request({.page = query.page, .per_page = query.per_page}); !ok) {
    return ok;
  }
  const std::array<std::pair<std::string_view, std::string_view>, 4> filters = {
      {{query.actor, "actor"},
       {query.action, "action"},
       {query.q, "q"},
       {query.team_id, "team_id"}}};
  for (const auto& [value, field] : filters) {
    if (auto ok = check_filter(value, field); !ok) {
      return ok;
    }
  }
  return {};
}

}  // namespace

Result<Page<AuditEntry>> AuditService::list_team(const Principal& who, std::string_view team_id,
                                                 AuditQuery query) {
  query.team_id = std::string(team_id);
  if (auto ok = check_query(query); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<AuditEntry>>(ctx_.store(), [&](Tx& tx) -> Result<Page<AuditEntry>> {
    if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
      return fail(std::move(role.error()));
    }
    return tx.list_audit(query);
  });
}

Result<Page<AuditEntry>> AuditService::list_all(const Principal& who, const AuditQuery& query) {
  if (auto ok = check_query(query); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<AuditEntry>>(ctx_.store(), [&](Tx& tx) -> Result<Page<AuditEntry>> {
    if (auto admin = require_instance_admin(tx, who); !admin) {
      return fail(std::move(admin.error()));
    }
    return tx.list_audit(query);
  });
}

}  // namespace berth
