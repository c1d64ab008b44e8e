#pragma once
/// Steps the apps area's services share inside their transactions: reading a team's project
/// or app (another team's is not_found), bumping config versions, and an audited write that
/// hands back a value. Blocking (store).

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/kernel/service_context.hpp"
#include "domain/kernel/team_access.hpp"
#include "domain/routing/route_table.hpp"
#include "store/store.hpp"

namespace berth::apps_tx {

inline Result<ProjectRecord> project(Tx& tx, std::string_view team_id, std::string_view id) {
  auto found = tx.get_project(team_id, id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found) {
    return fail(Error::not_found("no such project"));
  }
  return std::move(**found);
}

inline Result<AppRecord> app(Tx& tx, std::string_view team_id, std::string_view id) {
  auto found = tx.get_app(team_id, id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found) {
    return fail(Error::not_found("no such app"));
  }
  return std::move(**found);
}

/// The server's proxy settings, defaults (http 80, https 443, tls off) when none are stored.
inline Result<ProxySettingsRecord> proxy_or_default(Tx& tx, std::string_view server_id) {
  return proxy_settings_of(tx, server_id);
}

/// Calls `visit` with every app of the project (in batches), stopping at its first failure.
inline Result<void> for_each_project_app(Tx& tx, std::string_view team_id,
                                         std::string_view project_id,
                                         const std::function<Result<void>(AppRecord&)>& visit) {
  constexpr std::int64_t kBatch = 100;
  for (std::int64_t page = 1;; ++page) {
    auto apps = tx.list_apps(AppQuery{.team_id = std::string(team_id),
                                      .project_id = std::string(project_id),
                                      .server_id = {},
                                      .q = {},
                                      .page = page,
                                      .per_page = kBatch});
    if (!apps) {
      return fail(std::move(apps.error()));
    }
    for (auto& record : apps->items) {
      if (auto visited = visit(record); !visited) {
        return visited;
      }
    }
    if (static_cast<std::int64_t>(apps->items.size()) < kBatch) {
      return {};
    }
  }
}

/// Marks every app of the project out of date (its inherited env changed).
inline Result<void> bump_project_apps(Tx& tx, std::string_view team_id, std::string_view project_id,
                                      TimePoint now) {
  return for_each_project_app(tx, team_id, project_id, [&](AppRecord& record) {
    record.config_version += 1;
    record.updated_at = now;
    return tx.update_app(record);
  });
}

/// write_audited whose function produces a value.
template <class T>
Result<T> write_value(Store& store, const AuditEntry& entry,
                      const std::function<Result<T>(Tx&)>& fn) {
  return write_audited_value<T>(store, entry, fn);
}

}  // namespace berth::apps_tx
