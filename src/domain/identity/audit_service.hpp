#pragma once
/// Reading the audit log: one team's entries for its admins, every entry for instance
/// administrators. Blocking (store): call
/// from a worker thread. Thread-safe.

#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/identity/identity_context.hpp"
#include "domain/kernel/paging.hpp"

namespace berth {

class AuditService {
 public:
  explicit AuditService(IdentityContext& ctx) : ctx_(ctx) {}

  /// One team's entries, newest first; `query.team_id` is replaced by `team_id`. Needs the
  /// admin role there (checked in the transaction): Error::not_found when not a member,
  /// Error::forbidden when the role is lower. Error::validation for bad paging or filters.
  Result<Page<AuditEntry>> list_team(const Principal& who, std::string_view team_id,
                                     AuditQuery query);

  /// Every entry (optionally filtered by `query.team_id`), newest first. Instance
  /// administrators only (Error::forbidden otherwise).
  Result<Page<AuditEntry>> list_all(const Principal& who, const AuditQuery& query);

 private:
  IdentityContext& ctx_;
};

}  // namespace berth
