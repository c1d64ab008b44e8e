// ManagedServices: what a request changes (the records, the audit log) and what it queues.
// The work on the server is service_operations.cpp; links are service_links.cpp.
#include "domain/services/managed_services.hpp"

#include "core/ids.hpp"
#include "domain/apps/apps_tx.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "domain/services/service_records_tx.hpp"
#include "domain/services/service_spec.hpp"

namespace berth {

namespace {

using nlohmann::json;

Error service_busy() {
  return with_code(Error::conflict("an operation on this service is still running; wait for it "
                                   "to end"),
                   "service_busy");
}

Error publish_needs_admin() {
  return Error{.kind = ErrorKind::forbidden,
               .code = "admin_required",
               .message =
                   "only team admins may publish a service's port on its server: what "
                   "can be reached from outside the server is an admin's call",
               .details = {{"field", "publish"}, {"required_role", "admin"}},
               .internal_detail = {}};
}

Result<void> check_reference(std::string_view prefix, const std::string& id, const char* field,
                             const char* what) {
  if (!is_valid_id(prefix, id)) {
    return fail(Error::validation(field, std::string(field) + " is not a " + what + " id"));
  }
  return {};
}

// What every change of a service begins with inside its transaction: the caller is a member of
// the team (their role is kept for the admin-only fields) and the service is the team's.
struct Changing {
  Role role = Role::viewer;
  ServiceRecord service = {};
};

Result<Changing> changing(Tx& tx, const Principal& who, std::string_view team_id,
                          std::string_view id) {
  auto role = require_team_role(tx, who, team_id, Role::member);
  if (!role) {
    return fail(std::move(role.error()));
  }
  auto service = services_tx::service(tx, team_id, id);
  if (!service) {
    return fail(std::move(service.error()));
  }
  return Changing{.role = *role, .service = std::move(*service)};
}

// Stores the service with an operation under way (`status`: deploying, stopping, deleting);
// the caller queues it once the transaction has committed.
Result<void> begin_operation(Tx& tx, ServiceRecord& service, std::string status, TimePoint now) {
  service.status = std::move(status);
  service.status_message.clear();
  service.updated_at = now;
  return tx.update_service(service);
}

// The container and the volume are named after the id: service names repeat across teams.
std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

}  // namespace

Result<Page<ServiceView>> ManagedServices::list(const Principal& who, std::string_view team_id,
                                                const ServiceFilter& filter,
                                                const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ok = check_filter(filter.q, "q"); !ok) {
    return fail(std::move(ok.error()));
  }
  if (!filter.project_id.empty()) {
    if (auto ok = check_reference("prj", filter.project_id, "project_id", "project"); !ok) {
      return fail(std::move(ok.error()));
    }
  }
  if (!filter.server_id.empty()) {
    if (auto ok = check_reference("srv", filter.server_id, "server_id", "server"); !ok) {
      return fail(std::move(ok.error()));
    }
  }
  if (!filter.engine.empty() && find_service_engine(filter.engine) == nullptr) {
    return fail(
        Error::validation("engine", "engine must be postgres, mysql, mariadb, redis or valkey"));
  }
  return read_value<Page<ServiceView>>(ctx_.store(), [&](Tx& tx) -> Result<Page<ServiceView>> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto services = tx.list_services(ServiceQuery{.team_id = std::string(team_id),
                                                  .project_id = filter.project_id,
                                                  .server_id = filter.server_id,
                                                  .engine = filter.engine,
                                                  .status = {},
                                                  .q = filter.q,
                                                  .page = page.page,
                                                  .per_page = page.per_page});
    if (!services) {
      return fail(std::move(services.error()));
    }
    Page<ServiceView> out{.items = {}, .total = services->total};
    for (auto& service : services->items) {
      auto view = services_tx::view_of(tx, std::move(service));
      if (!view) {
        return fail(std::move(view.error()));
      }
      out.items.push_back(std::move(*view));
    }
    return out;
  });
}

Result<ServiceView> ManagedServices::get(const Principal& who, std::string_view team_id,
                                         std::string_view id) {
  return read_value<ServiceView>(ctx_.store(), [&](Tx& tx) -> Result<ServiceView> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto service = services_tx::service(tx, team_id, id);
    if (!service) {
      return fail(std::move(service.error()));
    }
    return services_tx::view_of(tx, std::move(*service));
  });
}

Result<ServiceView> ManagedServices::create(const Principal& who, std::string_view team_id,
                                            const ServiceInput& input, const ClientInfo& client) {
  for (auto checked : {check_reference("prj", input.project_id, "project_id", "project"),
                       check_reference("srv", input.server_id, "server_id", "server")}) {
    if (!checked) {
      return fail(std::move(checked.error()));
    }
  }
  auto spec = normalize_service(input.spec);
  if (!spec) {
    return fail(std::move(spec.error()));
  }
  const ServiceEngine& engine = *find_service_engine((*spec)["engine"].get<std::string>());
  const TimePoint now = ctx_.clock().now();
  ServiceRecord service{.id = ctx_.ids().next("svc"),
                        .team_id = std::string(team_id),
                        .project_id = input.project_id,
                        .server_id = input.server_id,
                        .name = (*spec)["name"].get<std::string>(),
                        .engine = std::string(engine.name),
                        .spec = *spec,
                        .status = "deploying",
                        .created_at = now,
                        .updated_at = now};
  service.container_name = "berth-" + lower(service.id);
  service.volume_name = service.container_name + "-data";
  service.credentials_sealed = services_tx::seal_credentials(
      ctx_, generate_service_credentials(engine, service.name, ctx_.random()));
  auto created = write_audited_value<ServiceView>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "service.create", service.id, std::string(team_id),
                 {{"name", service.name},
                  {"engine", service.engine},
                  {"image", service.spec.value("image", "")},
                  {"project_id", service.project_id},
                  {"server_id", service.server_id},
                  {"published", service.spec.value("publish", json()).is_object()}}),
      [&](Tx& tx) -> Result<ServiceView> {
        auto role = require_team_role(tx, who, team_id, Role::member);
        if (!role) {
          return fail(std::move(role.error()));
        }
        if (service.spec.value("publish", json()).is_object() &&
            !role_includes(*role, Role::admin)) {
          return fail(publish_needs_admin());
        }
        auto project = tx.get_project(team_id, service.project_id);
        auto server = tx.get_server(team_id, service.server_id);
        if (!project || !server) {
          return fail(!project ? std::move(project.error()) : std::move(server.error()));
        }
        if (!*project) {
          return fail(Error::validation("project_id", "no such project in the team"));
        }
        if (!*server) {
          return fail(Error::validation("server_id", "no such server in the team"));
        }
        if (auto stored = tx.create_service(service); !stored) {
          return fail(std::move(stored.error()));
        }
        return ServiceView{.service = service, .links = {}};
      });
  if (created) {
    enqueue(service.id);
  }
  return created;
}

Result<ServiceView> ManagedServices::update(const Principal& who, std::string_view team_id,
                                            std::string_view id, const json& patch,
                                            const ClientInfo& client) {
  json changed = json::array();
  if (patch.is_object()) {
    for (const auto& [key, value] : patch.items()) {
      changed.push_back(key);
    }
  }
  bool redeploy = false;
  auto updated = write_audited_value<ServiceView>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "service.update", std::string(id),
                 std::string(team_id), {{"changed", changed}}),
      [&](Tx& tx) -> Result<ServiceView> {
        auto found = changing(tx, who, team_id, id);
        if (!found) {
          return fail(std::move(found.error()));
        }
        ServiceRecord& service = found->service;
        if (services_tx::busy(service)) {
          return fail(service_busy());
        }
        auto spec = apply_service_patch(service.spec, patch);
        if (!spec) {
          return fail(std::move(spec.error()));
        }
        if ((*spec).value("publish", json()) != service.spec.value("publish", json()) &&
            !role_includes(found->role, Role::admin)) {
          return fail(publish_needs_admin());
        }
        service.spec = std::move(*spec);
        service.updated_at = ctx_.clock().now();
        // A stopped service takes the change at its next start.
        redeploy = service.status != "stopped";
        auto stored = redeploy ? begin_operation(tx, service, "deploying", service.updated_at)
                               : tx.update_service(service);
        if (!stored) {
          return fail(std::move(stored.error()));
        }
        return services_tx::view_of(tx, std::move(service));
      });
  if (updated && redeploy) {
    enqueue(std::string(id));
  }
  return updated;
}

Result<ServiceView> ManagedServices::act(const Principal& who, std::string_view team_id,
                                         std::string_view id, std::string_view action,
                                         const ClientInfo& client) {
  bool queued = false;
  auto acted = write_audited_value<ServiceView>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "service." + std::string(action), std::string(id),
                 std::string(team_id)),
      [&](Tx& tx) -> Result<ServiceView> {
        auto found = changing(tx, who, team_id, id);
        if (!found) {
          return fail(std::move(found.error()));
        }
        ServiceRecord& service = found->service;
        if (services_tx::busy(service)) {
          return fail(service_busy());
        }
        // start of a running service and stop of a stopped one have nothing to do.
        const bool nothing = (action == "start" && service.status == "running") ||
                             (action == "stop" && service.status == "stopped");
        if (!nothing) {
          if (auto stored = begin_operation(
                  tx, service, action == "stop" ? "stopping" : "deploying", ctx_.clock().now());
              !stored) {
            return fail(std::move(stored.error()));
          }
          queued = true;
        }
        return services_tx::view_of(tx, std::move(service));
      });
  if (acted && queued) {
    enqueue(std::string(id));
  }
  return acted;
}

Result<ServiceView> ManagedServices::remove(const Principal& who, std::string_view team_id,
                                            std::string_view id, std::string_view confirm,
                                            const ClientInfo& client) {
  auto removed = write_audited_value<ServiceView>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "service.delete", std::string(id),
                 std::string(team_id)),
      [&](Tx& tx) -> Result<ServiceView> {
        auto found = changing(tx, who, team_id, id);
        if (!found) {
          return fail(std::move(found.error()));
        }
        ServiceRecord& service = found->service;
        if (confirm != service.name) {
          return fail(with_code(
              Error::unprocessable("deleting a service removes its data: repeat its name as "
                                   "?confirm=" +
                                   service.name),
              "confirm_required"));
        }
        if (services_tx::busy(service)) {
          return fail(service_busy());
        }
        auto links = tx.list_service_links(service.id);
        if (!links) {
          return fail(std::move(links.error()));
        }
        if (!links->empty()) {
          return fail(with_code(Error::conflict("apps are linked to this service; unlink them "
                                                "first (DELETE /api/v1/apps/{id}/links/" +
                                                service.id + ")"),
                                "service_linked"));
        }
        if (auto stored = begin_operation(tx, service, "deleting", ctx_.clock().now()); !stored) {
          return fail(std::move(stored.error()));
        }
        return ServiceView{.service = std::move(service), .links = {}};
      });
  if (removed) {
    enqueue(std::string(id));
  }
  return removed;
}

}  // namespace berth
