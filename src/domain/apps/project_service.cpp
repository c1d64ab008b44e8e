#include "domain/apps/project_service.hpp"

#include "domain/apps/app_spec.hpp"
#include "domain/apps/apps_tx.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/service_context.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

namespace {

constexpr std::size_t kMaxDescription = 1000;

Result<void> check_description(const std::string& description) {
  std::size_t chars = 0;
  for (const char c : description) {
    chars += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    if (c == '\0') {
      return fail(Error::validation("description", "description must not contain NUL"));
    }
  }
  if (chars > kMaxDescription) {
    return fail(Error::validation("description", "description must be at most 1000 characters"));
  }
  return {};
}

// A duplicate name is the only conflict the store reports for projects.
Result<void> project_name_checked(Result<void> written) {
  if (!written && written.error().kind == ErrorKind::conflict) {
    return fail(with_code(Error::conflict("a project with this name exists in the team"),
                          "project_name_taken"));
  }
  return written;
}

}  // namespace

Result<Page<ProjectRecord>> ProjectService::list(const Principal& who, std::string_view team_id,
                                                 const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<ProjectRecord>>(ctx_.store(), [&](Tx& tx) -> Result<Page<ProjectRecord>> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    return tx.list_projects(team_id, page.page, page.per_page);
  });
}

Result<ProjectRecord> ProjectService::get(const Principal& who, std::string_view team_id,
                                          std::string_view project_id) {
  return read_value<ProjectRecord>(ctx_.store(), [&](Tx& tx) -> Result<ProjectRecord> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    return apps_tx::project(tx, team_id, project_id);
  });
}

Result<ProjectRecord> ProjectService::create(const Principal& who, std::string_view team_id,
                                             const ProjectInput& input, const ClientInfo& client) {
  if (auto ok = check_app_name(input.name); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ok = check_description(input.description); !ok) {
    return fail(std::move(ok.error()));
  }
  const TimePoint now = ctx_.clock().now();
  ProjectRecord project{.id = ctx_.ids().next("prj"),
                        .team_id = std::string(team_id),
                        .name = input.name,
                        .description = input.description,
                        .created_at = now,
                        .updated_at = now};
  return apps_tx::write_value<ProjectRecord>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "project.create", project.id, std::string(team_id),
                 {{"name", project.name}}),
      [&](Tx& tx) -> Result<ProjectRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        if (auto created = project_name_checked(tx.create_project(project)); !created) {
          return fail(std::move(created.error()));
        }
        return project;
      });
}

Result<ProjectRecord> ProjectService::update(const Principal& who, std::string_view team_id,
                                             std::string_view project_id, const ProjectPatch& patch,
                                             const ClientInfo& client) {
  if (patch.name) {
    if (auto ok = check_app_name(*patch.name); !ok) {
      return fail(std::move(ok.error()));
    }
  }
  if (patch.description) {
    if (auto ok = check_description(*patch.description); !ok) {
      return fail(std::move(ok.error()));
    }
  }
  nlohmann::json details = nlohmann::json::object();
  if (patch.name) {
    details["name"] = *patch.name;
  }
  return apps_tx::write_value<ProjectRecord>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "project.update", std::string(project_id),
                 std::string(team_id), std::move(details)),
      [&](Tx& tx) -> Result<ProjectRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        auto project = apps_tx::project(tx, team_id, project_id);
        if (!project) {
          return project;
        }
        project->name = patch.name.value_or(project->name);
        project->description = patch.description.value_or(project->description);
        project->updated_at = ctx_.clock().now();
        if (auto updated = project_name_checked(tx.update_project(*project)); !updated) {
          return fail(std::move(updated.error()));
        }
        return project;
      });
}

Result<void> ProjectService::remove(const Principal& who, std::string_view team_id,
                                    std::string_view project_id, const ClientInfo& client) {
  return write_audited(ctx_.store(),
                       make_audit(ctx_, actor_of(who, client), "project.delete",
                                  std::string(project_id), std::string(team_id)),
                       [&](Tx& tx) -> Result<void> {
                         if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
                           return fail(std::move(role.error()));
                         }
                         if (auto project = apps_tx::project(tx, team_id, project_id); !project) {
                           return fail(std::move(project.error()));
                         }
                         auto apps = tx.count_project_apps(project_id);
                         if (!apps) {
                           return fail(std::move(apps.error()));
                         }
                         auto services = tx.count_project_services(project_id);
                         if (!services) {
                           return fail(std::move(services.error()));
                         }
                         if (*apps > 0 || *services > 0) {
                           Error error =
                               with_code(Error::conflict("the project still has apps or services; "
                                                         "move or delete them first"),
                                         "project_not_empty");
                           error.details = {{"apps", *apps}, {"services", *services}};
                           return fail(std::move(error));
                         }
                         return tx.delete_project(project_id);
                       });
}

}  // namespace berth
