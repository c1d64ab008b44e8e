#pragma once
/// A team's projects: groupings of apps that share env vars. Viewers read; members create,
/// change and delete. Every method re-checks the role inside its transaction; changes are
/// audited. Blocking (store): call from a worker thread. Thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/paging.hpp"
#include "domain/kernel/service_context.hpp"

namespace berth {

struct ProjectInput {
  std::string name = {};
  std::string description = {};
};

struct ProjectPatch {
  std::optional<std::string> name = {};
  std::optional<std::string> description = {};
};

class ProjectService {
 public:
  explicit ProjectService(AreaContext ctx) : ctx_(ctx) {}

  /// Ordered by name.
  Result<Page<ProjectRecord>> list(const Principal& who, std::string_view team_id,
                                   const PageRequest& page);
  /// Error::not_found for an unknown project or another team's.
  Result<ProjectRecord> get(const Principal& who, std::string_view team_id,
                            std::string_view project_id);
  /// Member. Error::validation for a bad name (^[a-z0-9][a-z0-9-]{0,62}$) or a description
  /// over 1000 characters; conflict `project_name_taken`.
  Result<ProjectRecord> create(const Principal& who, std::string_view team_id,
                               const ProjectInput& input, const ClientInfo& client);
  /// Member. The same checks as create.
  Result<ProjectRecord> update(const Principal& who, std::string_view team_id,
                               std::string_view project_id, const ProjectPatch& patch,
                               const ClientInfo& client);
  /// Member. Deletes the project with its env vars; conflict `project_not_empty` while it
  /// has apps.
  Result<void> remove(const Principal& who, std::string_view team_id, std::string_view project_id,
                      const ClientInfo& client);

 private:
  AreaContext ctx_;
};

}  // namespace berth
