#pragma once
/// Reading the audit log: one team's entries for its admins, every entry for instance
/// administrators. Also the paging rules every identity list shares. Blocking (store): call
/// from a worker thread. Thread-safe.

#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/identity/identity_context.hpp"

namespace berth {

constexpr std::int64_t kDefaultPerPage = 20;
constexpr std::int64_t kMaxPerPage = 100;

/// Which page of a list: page ≥ 1, per_page 1-100 (API.md).
struct PageRequest {
  std::int64_t page = 1;
  std::int64_t per_page = kDefaultPerPage;
};

/// Error::validation on "page" or "per_page" when out of range.
Result<void> check_page_request(const PageRequest& request);

/// Error::validation on `field` when a free-text filter is longer than 200 bytes.
Result<void> check_filter(std::string_view value, std::string_view field);

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
