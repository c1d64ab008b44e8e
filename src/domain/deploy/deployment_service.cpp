#include "domain/deploy/deployment_service.hpp"

#include "domain/apps/app_spec.hpp"
#include "domain/apps/deploy_policy.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

using nlohmann::json;

namespace {

Error conflict(std::string code, std::string message) {
  return with_code(Error::conflict(std::move(message)), std::move(code));
}

// A deployment by a user below admin must not change what runs on a guarded app (an image or
// ref override, a rollback to another spec); see deploy_policy.hpp. Restarts, stops and starts
// keep what runs.
Result<void> check_policy(const AppRecord& app, const DeployRequest& request,
                          const std::optional<DeploymentRecord>& base, const std::string& action) {
  const RunSpec current{app.source, app.settings, app.server_id};
  if (guard_of(current) && !request.image.empty()) {
    return fail(admin_required_error("image"));
  }
  if (guard_of(current) && !request.ref.empty()) {
    return fail(admin_required_error("ref"));
  }
  if (action == "rollback" && base) {
    const json source = base->spec.value("source", json::object());
    const json settings = base->spec.value("settings", json::object());
    if (auto field = admin_only_change(current, RunSpec{source, settings, base->server_id})) {
      return fail(admin_required_error(*field));
    }
  }
  return {};
}

// A hook carries no user, so it gets the least: its image may only be another tag or digest of
// the app's own image, and on a guarded app a deploy hook overrides nothing (a git webhook still
// deploys the pushed commit of the branch an admin configured).
Result<void> check_triggered(const AppRecord& app, const DeployRequest& request,
                             const std::string& trigger) {
  if (trigger == "deploy_hook" && guard_of(RunSpec{app.source, app.settings, app.server_id}) &&
      (!request.image.empty() || !request.ref.empty())) {
    return fail(admin_required_error(request.image.empty() ? "ref" : "image"));
  }
  if (!request.image.empty() &&
      image_repository(request.image) != image_repository(app.source.value("image", ""))) {
    return fail(Error::validation(
        "image", "a hook may only deploy another tag or digest of the app's own image (" +
                     std::string(image_repository(app.source.value("image", ""))) + ")"));
  }
  return {};
}

Result<void> check_request(const AppRecord& app, const DeployRequest& request) {
  const std::string type = app.source.value("type", "");
  if (!request.image.empty() && (type != "image" || !is_valid_image_ref(request.image))) {
    return fail(Error::validation(
        "image", type == "image" ? "image must be an image reference such as nginx:1.25"
                                 : "only an image app takes an image"));
  }
  if (!request.ref.empty() && (type != "git" || !is_valid_branch(request.ref))) {
    return fail(Error::validation(
        "ref", type == "git" ? "ref must be a branch, tag or commit ([A-Za-z0-9._/-], no '..')"
                             : "only a git app takes a ref"));
  }
  return {};
}

}  // namespace

struct DeploymentService::Draft {
  const Principal* who = nullptr;  // null: a verified trigger
  std::string team_id = {};
  std::string app_id = {};
  std::string action = "deploy";  // deploy | rollback | restart | stop | start
  std::string trigger = "api";
  std::string created_by = {};
  DeployRequest request = {};
  std::string rollback_to = {};   // rollback: a deployment id, "" = the previous success
  bool current_settings = false;  // restart: with the app's settings now, not the base's
  Actor actor = {};
  json details = json::object();
};

DeploymentService::DeploymentService(AreaContext ctx, JobService& jobs, EventHub& events,
                                     std::size_t workers, PipelineParts parts)
    : ctx_(ctx),
      jobs_(jobs),
      events_(events),
      log_(ctx, events),
      agent_steps_(ctx, jobs, log_, stopping_),
      steps_(parts.steps != nullptr ? *parts.steps : agent_steps_),
      router_(ctx.store(), ctx.services.master_key),
      pipeline_(ctx, steps_, parts.sleeper != nullptr ? *parts.sleeper : system_sleeper_, log_,
                router_, stopping_),
      scheduler_(std::make_unique<DeployScheduler>(
          [this](const std::string& app_id) { return run_next(app_id); }, workers)) {}

DeploymentService::~DeploymentService() { stop(); }

void DeploymentService::stop() {
  stopping_ = true;
  scheduler_->stop();
}

// Which earlier deployment a rollback, restart or start reuses; nullopt for a fresh deploy.
static Result<std::optional<DeploymentRecord>> base_of(Tx& tx, const AppRecord& app,
                                                       const std::string& action,
                                                       const std::string& rollback_to) {
  if (action == "deploy") {
    return std::optional<DeploymentRecord>{};
  }
  if (action == "rollback") {
    if (!rollback_to.empty()) {
      auto target = tx.get_deployment(app.team_id, rollback_to);
      if (!target) {
        return fail(std::move(target.error()));
      }
      if (!*target || (*target)->app_id != app.id) {
        return fail(Error::not_found("no such deployment of this app"));
      }
      if ((*target)->state != DeploymentState::succeeded || (*target)->trigger == "stop") {
        return fail(conflict("deployment_not_successful",
                             "only a deployment that succeeded can be rolled back to"));
      }
      return std::move(*target);
    }
    auto done = tx.list_deployments(DeploymentQuery{.team_id = app.team_id,
                                                    .app_id = app.id,
                                                    .states = {DeploymentState::succeeded},
                                                    .page = 1,
                                                    .per_page = 100});
    if (!done) {
      return fail(std::move(done.error()));
    }
    // The newest success that is not what serves now (nor a stop, which has no artifact).
    std::string serving_artifact;
    for (const auto& deployment : done->items) {
      if (deployment.id == app.current_deployment_id) {
        serving_artifact = deployment.artifact.dump();
      }
    }
    for (const auto& deployment : done->items) {
      if (deployment.id != app.current_deployment_id && deployment.trigger != "stop" &&
          deployment.artifact.dump() != serving_artifact) {
        return std::optional<DeploymentRecord>{deployment};
      }
    }
    return fail(conflict("no_previous_deployment",
                         "the app has no earlier successful deployment to roll back to"));
  }
  if (app.current_deployment_id.empty()) {
    return fail(conflict("not_deployed", "the app has not been deployed yet"));
  }
  if (action == "stop" && app.status == "stopped") {
    return fail(conflict("app_stopped", "the app is already stopped"));
  }
  if (action == "start" && app.status != "stopped") {
    return fail(conflict("app_not_stopped", "the app is not stopped"));
  }
  auto current = tx.get_deployment(app.team_id, app.current_deployment_id);
  if (!current) {
    return fail(std::move(current.error()));
  }
  if (!*current) {
    return fail(conflict("not_deployed", "the app's deployment is gone"));
  }
  return std::move(*current);
}

Result<DeploymentRecord> DeploymentService::enqueue(const Draft& draft) {
  const TimePoint now = ctx_.clock().now();
  DeploymentRecord record{.id = ctx_.ids().next("dep"),
                          .team_id = draft.team_id,
                          .app_id = draft.app_id,
                          .trigger = draft.trigger,
                          .created_by = draft.created_by,
                          .ref = draft.request.ref,
                          .image = draft.request.image,
                          .created_at = now};
  std::vector<std::string> superseded;
  json details = draft.details;
  details["app_id"] = draft.app_id;
  details["trigger"] = draft.trigger;
  auto done = write_audited(
      ctx_.store(),
      make_audit(ctx_, draft.actor, "deployment." + draft.action, record.id, draft.team_id,
                 details),
      [&](Tx& tx) -> Result<void> {
        std::optional<Role> role;
        if (draft.who) {
          auto held = require_team_role(tx, *draft.who, draft.team_id, Role::member);
          if (!held) {
            return fail(std::move(held.error()));
          }
          role = *held;
        }
        auto app = tx.get_app(draft.team_id, draft.app_id);
        if (!app) {
          return fail(std::move(app.error()));
        }
        if (!*app) {
          return fail(Error::not_found("no such app"));
        }
        auto server = tx.get_server(draft.team_id, (*app)->server_id);
        if (!server) {
          return fail(std::move(server.error()));
        }
        if (*server && (*server)->scheduling != "active") {
          return fail(
              conflict("server_" + (*server)->scheduling,
                       "the app's server is " + (*server)->scheduling + ": uncordon it to deploy"));
        }
        if (auto ok = check_request(**app, draft.request); !ok) {
          return ok;
        }
        auto base = base_of(tx, **app, draft.action, draft.rollback_to);
        if (!base) {
          return fail(std::move(base.error()));
        }
        auto allowed = !draft.who ? check_triggered(**app, draft.request, draft.trigger)
                       : role_includes(*role, Role::admin)
                           ? Result<void>{}
                           : check_policy(**app, draft.request, *base, draft.action);
        if (!allowed) {
          return allowed;
        }
        record.server_id = (*app)->server_id;
        if (*base) {
          record.rollback_of = (*base)->id;
          record.artifact = (*base)->artifact;
          record.spec = (*base)->spec;
          record.config_version = (*base)->config_version;
          if (draft.current_settings) {
            record.spec["settings"] = (*app)->settings;
            record.config_version = (*app)->config_version;
          }
        } else {
          record.spec = {{"source", (*app)->source}, {"settings", (*app)->settings}};
          record.config_version = (*app)->config_version;
        }
        auto queued = tx.list_deployments(DeploymentQuery{.team_id = {},
                                                          .app_id = draft.app_id,
                                                          .states = {DeploymentState::queued},
                                                          .page = 1,
                                                          .per_page = 100});
        if (!queued) {
          return fail(std::move(queued.error()));
        }
        for (auto older : queued->items) {
          older.state = DeploymentState::superseded;
          older.finished_at = now;
          older.error_code = "superseded";
          older.error_message = "a newer deployment (" + record.id + ") replaced it";
          if (auto updated = tx.update_deployment(older); !updated) {
            return updated;
          }
          superseded.push_back(older.id);
        }
        return tx.create_deployment(record);
      });
  if (!done) {
    return fail(std::move(done.error()));
  }
  for (const auto& id : superseded) {
    log_.append(id, "done", {{"state", "superseded"}, {"superseded_by", record.id}});
  }
  log_.append(record.id, "state", {{"state", "queued"}, {"trigger", record.trigger}});
  scheduler_->kick(record.app_id);
  return record;
}

Result<DeploymentRecord> DeploymentService::deploy(const Principal& who, std::string_view team_id,
                                                   std::string_view app_id,
                                                   const DeployRequest& request,
                                                   const ClientInfo& client) {
  return enqueue(Draft{.who = &who,
                       .team_id = std::string(team_id),
                       .app_id = std::string(app_id),
                       .created_by = principal_id(who),
                       .request = request,
                       .actor = actor_of(who, client),
                       .details = {{"ref", request.ref}, {"image", request.image}}});
}

Result<DeploymentRecord> DeploymentService::deploy_triggered(const AppRecord& app,
                                                             const DeployRequest& request,
                                                             const TriggerInfo& trigger) {
  return enqueue(Draft{.team_id = app.team_id,
                       .app_id = app.id,
                       .trigger = trigger.trigger,
                       .created_by = trigger.created_by,
                       .request = request,
                       .actor = trigger.actor,
                       .details = trigger.details});
}

Result<DeploymentRecord> DeploymentService::rollback(const Principal& who, std::string_view team_id,
                                                     std::string_view app_id,
                                                     std::string_view deployment_id,
                                                     const ClientInfo& client) {
  return enqueue(Draft{.who = &who,
                       .team_id = std::string(team_id),
                       .app_id = std::string(app_id),
                       .action = "rollback",
                       .trigger = "rollback",
                       .created_by = principal_id(who),
                       .rollback_to = std::string(deployment_id),
                       .actor = actor_of(who, client)});
}

Result<DeploymentRecord> DeploymentService::app_action(const Principal& who,
                                                       std::string_view team_id,
                                                       std::string_view app_id,
                                                       std::string_view action,
                                                       const ClientInfo& client) {
  return enqueue(Draft{.who = &who,
                       .team_id = std::string(team_id),
                       .app_id = std::string(app_id),
                       .action = std::string(action),
                       .trigger = std::string(action),
                       .created_by = principal_id(who),
                       .actor = actor_of(who, client)});
}

Result<DeploymentRecord> DeploymentService::restart_with_settings(const Principal& who,
                                                                  std::string_view team_id,
                                                                  std::string_view app_id,
                                                                  const ClientInfo& client,
                                                                  json details) {
  return enqueue(Draft{.who = &who,
                       .team_id = std::string(team_id),
                       .app_id = std::string(app_id),
                       .action = "restart",
                       .trigger = "restart",
                       .created_by = principal_id(who),
                       .current_settings = true,
                       .actor = actor_of(who, client),
                       .details = std::move(details)});
}

bool DeploymentService::run_next(const std::string& app_id) {
  if (stopping_) {
    return false;
  }
  std::optional<DeploymentRecord> claimed;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto queued = tx.list_deployments(DeploymentQuery{.team_id = {},
                                                      .app_id = app_id,
                                                      .states = {DeploymentState::queued},
                                                      .page = 1,
                                                      .per_page = 100});
    if (!queued) {
      return fail(std::move(queued.error()));
    }
    if (queued->items.empty()) {
      return {};
    }
    DeploymentRecord next = queued->items.back();  // the oldest
    next.state = DeploymentState::running;
    next.started_at = ctx_.clock().now();
    if (auto updated = tx.update_deployment(next); !updated) {
      return updated;
    }
    claimed = std::move(next);
    return {};
  });
  if (!done || !claimed) {
    return false;
  }
  pipeline_.run(*claimed);
  return true;
}

Result<void> DeploymentService::recover() {
  std::vector<std::string> queued_apps;
  std::vector<DeploymentRecord> interrupted;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto open = tx.list_deployments(
        DeploymentQuery{.team_id = {},
                        .app_id = {},
                        .states = {DeploymentState::queued, DeploymentState::running},
                        .page = 1,
                        .per_page = 1000});
    if (!open) {
      return fail(std::move(open.error()));
    }
    for (auto deployment : open->items) {
      if (deployment.state == DeploymentState::queued) {
        queued_apps.push_back(deployment.app_id);
        continue;
      }
      deployment.state = DeploymentState::failed;
      deployment.error_code = "interrupted";
      deployment.error_message =
          "berthd stopped during step '" + deployment.step + "'; deploy again to finish";
      deployment.finished_at = ctx_.clock().now();
      if (auto updated = tx.update_deployment(deployment); !updated) {
        return updated;
      }
      interrupted.push_back(deployment);
    }
    return {};
  });
  if (!done) {
    return done;
  }
  for (const auto& deployment : interrupted) {
    log_.append(deployment.id, "done",
                {{"state", state_name(deployment.state)},
                 {"step", deployment.step},
                 {"error_code", deployment.error_code},
                 {"error_message", deployment.error_message}});
  }
  for (const auto& app_id : queued_apps) {
    scheduler_->kick(app_id);
  }
  return {};
}

}  // namespace berth
