#include "domain/identity/audit_service.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "domain/identity/api_key_service.hpp"
#include "domain/identity/user_admin_service.hpp"

namespace berth {

namespace {

constexpr std::size_t kMaxFilterLength = 200;

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

Result<Page<AuditEntry>> AuditService::list_team(const Principal& who, std::string_view team_id,
                                                 AuditQuery query) {
  query.team_id = std::string(team_id);
  if (auto ok = check_query(query); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<AuditEntry>>(ctx_.store, [&](Tx& tx) -> Result<Page<AuditEntry>> {
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
  return read_value<Page<AuditEntry>>(ctx_.store, [&](Tx& tx) -> Result<Page<AuditEntry>> {
    if (auto admin = require_instance_admin(tx, who); !admin) {
      return fail(std::move(admin.error()));
    }
    return tx.list_audit(query);
  });
}

}  // namespace berth
