// Reading and canceling deployments, app logs, proxy settings and the app lifecycle hooks.
#include "domain/apps/apps_tx.hpp"
#include "domain/deploy/deployment_service.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "store/job_state.hpp"

namespace berth {

using nlohmann::json;

namespace {

Result<DeploymentRecord> team_deployment(Tx& tx, std::string_view team_id,
                                         std::string_view deployment_id) {
  auto found = tx.get_deployment(team_id, deployment_id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found) {
    return fail(Error::not_found("no such deployment"));
  }
  return std::move(**found);
}

}  // namespace

Result<DeploymentRecord> DeploymentService::get(const Principal& who, std::string_view team_id,
                                                std::string_view deployment_id) {
  return read_value<DeploymentRecord>(ctx_.store(), [&](Tx& tx) -> Result<DeploymentRecord> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    return team_deployment(tx, team_id, deployment_id);
  });
}

Result<Page<DeploymentRecord>> DeploymentService::list(const Principal& who,
                                                       std::string_view team_id,
                                                       std::string_view app_id,
                                                       const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<DeploymentRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<Page<DeploymentRecord>> {
        if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
          return fail(std::move(role.error()));
        }
        if (auto app = apps_tx::app(tx, team_id, app_id); !app) {
          return fail(std::move(app.error()));
        }
        return tx.list_deployments(DeploymentQuery{.team_id = std::string(team_id),
                                                   .app_id = std::string(app_id),
                                                   .states = {},
                                                   .page = page.page,
                                                   .per_page = page.per_page});
      });
}

Result<DeploymentRecord> DeploymentService::cancel(const Principal& who, std::string_view team_id,
                                                   std::string_view deployment_id,
                                                   const ClientInfo& client) {
  std::optional<DeploymentRecord> out;
  auto done =
      write_audited(ctx_.store(),
                    make_audit(ctx_, actor_of(who, client), "deployment.cancel",
                               std::string(deployment_id), std::string(team_id)),
                    [&](Tx& tx) -> Result<void> {
                      if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
                        return fail(std::move(role.error()));
                      }
                      auto found = team_deployment(tx, team_id, deployment_id);
                      if (!found) {
                        return fail(std::move(found.error()));
                      }
                      DeploymentRecord deployment = std::move(*found);
                      if (is_terminal(deployment.state)) {
                        return fail(with_code(Error::conflict("the deployment has already ended"),
                                              "deployment_finished"));
                      }
                      deployment.cancel_requested = true;
                      if (deployment.state == DeploymentState::queued) {
                        deployment.state = DeploymentState::canceled;
                        deployment.error_code = "canceled";
                        deployment.error_message = "canceled before it started";
                        deployment.finished_at = ctx_.clock().now();
                      }
                      if (auto updated = tx.update_deployment(deployment); !updated) {
                        return updated;
                      }
                      out = std::move(deployment);
                      return {};
                    });
  if (!done) {
    return fail(std::move(done.error()));
  }
  // A running deployment's log is its pipeline's to write (its step job's output has a place
  // after the step's start): the pipeline says what the cancel stopped.
  if (out->state == DeploymentState::canceled) {
    log_.append(out->id, "done", {{"state", "canceled"}, {"error_code", "canceled"}});
  }
  return std::move(*out);
}

namespace {

// The job whose output follows a deployment event: a step's `started` event names it.
std::string step_job_of(const DeploymentEventRecord& event) {
  if (event.event != "step" || event.data.value("status", "") != "started") {
    return {};
  }
  return event.data.value("job_id", "");
}

// Appends the chunks of the job a `started` event names that come after `after_chunk`, placed
// after that event, until `out` holds `limit` entries.
Result<void> add_job_output(Tx& tx, const DeploymentEventRecord& started, std::int64_t after_chunk,
                            std::int64_t limit, std::vector<DeploymentEventRecord>& out) {
  const std::string job_id = step_job_of(started);
  const auto room = limit - static_cast<std::int64_t>(out.size());
  if (job_id.empty() || room <= 0) {
    return {};
  }
  auto chunks = tx.list_job_output(job_id, after_chunk, room);
  if (!chunks) {
    return fail(std::move(chunks.error()));
  }
  const std::string step = started.data.value("step", "");
  for (const auto& chunk : *chunks) {
    auto event = output_event(step, chunk);
    event.deployment_id = started.deployment_id;
    event.seq = stream_place(started.seq, chunk.seq);
    out.push_back(std::move(event));
  }
  return {};
}

}  // namespace

Result<std::vector<DeploymentEventRecord>> DeploymentService::events(std::string_view deployment_id,
                                                                     std::int64_t after,
                                                                     std::int64_t limit) {
  return read_value<std::vector<DeploymentEventRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<DeploymentEventRecord>> {
        std::vector<DeploymentEventRecord> out;
        const auto full = [&] { return static_cast<std::int64_t>(out.size()) >= limit; };
        std::int64_t seq = event_seq_of(after);
        if (seq > 0) {
          // The client stopped at or within a step job's output: the rest of it comes first.
          auto current = tx.list_deployment_events(deployment_id, seq - 1, 1);
          if (!current) {
            return fail(std::move(current.error()));
          }
          if (!current->empty() && current->front().seq == seq) {
            if (auto added = add_job_output(tx, current->front(), chunk_seq_of(after), limit, out);
                !added) {
              return fail(std::move(added.error()));
            }
          }
        }
        while (!full()) {
          auto events = tx.list_deployment_events(deployment_id, seq,
                                                  limit - static_cast<std::int64_t>(out.size()));
          if (!events) {
            return fail(std::move(events.error()));
          }
          if (events->empty()) {
            break;
          }
          for (const auto& event : *events) {
            if (full()) {
              break;
            }
            seq = event.seq;
            out.push_back(event);
            out.back().seq = stream_place(event.seq);
            if (auto added = add_job_output(tx, event, 0, limit, out); !added) {
              return fail(std::move(added.error()));
            }
          }
        }
        return out;
      });
}

Result<DeploymentService::OpenedLogs> DeploymentService::open_logs(const Principal& who,
                                                                   std::string_view team_id,
                                                                   std::string_view app_id,
                                                                   bool follow, std::int64_t tail) {
  auto container =
      read_value<DeploymentRecord>(ctx_.store(), [&](Tx& tx) -> Result<DeploymentRecord> {
        if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
          return fail(std::move(role.error()));
        }
        auto app = apps_tx::app(tx, team_id, app_id);
        if (!app) {
          return fail(std::move(app.error()));
        }
        auto current = app->current_deployment_id.empty()
                           ? Result<std::optional<DeploymentRecord>>(std::nullopt)
                           : tx.get_deployment(team_id, app->current_deployment_id);
        if (!current) {
          return fail(std::move(current.error()));
        }
        if (!*current || (*current)->container_name.empty() || app->status == "stopped") {
          return fail(
              with_code(Error::conflict("the app has no running container"), "not_running"));
        }
        return std::move(**current);
      });
  if (!container) {
    return fail(std::move(container.error()));
  }
  OpenedLogs opened;
  if (follow) {
    auto slot = follows_.reserve(principal_id(who), std::string(app_id));
    if (!slot) {
      return fail(std::move(slot.error()));
    }
    opened.follow_slot = std::move(*slot);
  }
  json args = {{"container", container->container_name}, {"follow", follow}};
  if (tail >= 0) {
    args["tail"] = tail;
  }
  auto job = jobs_.submit_system(
      ctx_.ids().next("job"), team_id, container->server_id,
      NewJob{.kind = "docker.logs", .args = args, .timeout_ms = follow ? 60 * 60'000 : 60'000},
      principal_id(who));
  if (!job) {
    return fail(std::move(job.error()));
  }
  opened.job = std::move(*job);
  return opened;
}

void DeploymentService::close_logs(std::string_view job_id) { (void)jobs_.cancel_system(job_id); }

Result<void> DeploymentService::apply_routes(std::string_view server_id) {
  auto server = read_value<std::optional<ServerRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.get_server("", server_id); });
  if (!server || !*server) {
    return server ? Result<void>{} : fail(std::move(server.error()));
  }
  const std::string team_id = (**server).team_id;
  return router_.apply(
      server_id, std::nullopt,
      [&](const json& args) -> Result<JobRecord> {
        auto done =
            steps_.run("", team_id, server_id, "routes",
                       NewJob{.kind = "proxy.apply", .args = args, .timeout_ms = 60'000}, nullptr);
        if (done && done->state != job_state::succeeded) {
          return fail(Error::unavailable("proxy.apply: " + done->error_message));
        }
        return done;
      },
      nullptr);
}

Result<json> DeploymentService::read_certificates(std::string_view server_id,
                                                  const std::vector<std::string>& hosts) {
  auto found = read_value<std::pair<std::optional<ServerRecord>, ProxySettingsRecord>>(
      ctx_.store(),
      [&](Tx& tx) -> Result<std::pair<std::optional<ServerRecord>, ProxySettingsRecord>> {
        auto server = tx.get_server("", server_id);
        if (!server) {
          return fail(std::move(server.error()));
        }
        auto settings = proxy_settings_of(tx, server_id);
        if (!settings) {
          return fail(std::move(settings.error()));
        }
        return std::pair{std::move(*server), std::move(*settings)};
      });
  if (!found || !found->first) {
    return found ? fail(Error::not_found("no such server")) : fail(std::move(found.error()));
  }
  auto done =
      steps_.run("", found->first->team_id, server_id, "certificates",
                 NewJob{.kind = "proxy.certificates",
                        .args = {{"hosts", hosts}, {"https_port", found->second.https_port}},
                        .timeout_ms = 60'000},
                 nullptr);
  if (!done) {
    return fail(std::move(done.error()));
  }
  if (done->state != job_state::succeeded) {
    return fail(Error::unavailable("proxy.certificates: " + done->error_message));
  }
  return done->result.value("certificates", json::array());
}

void DeploymentService::routes_changed(std::string_view server_id) {
  scheduler_->post([this, server = std::string(server_id)] { (void)apply_routes(server); });
}

void DeploymentService::place_panel_route(const PanelRoute& route) {
  const auto before = router_.panel_route();
  router_.set_panel_route(route);
  routes_changed(route.server_id);
  if (before && !before->server_id.empty() && before->server_id != route.server_id) {
    routes_changed(before->server_id);
  }
}

void DeploymentService::app_removed(const AppRecord& app) {
  scheduler_->post([this, app] {
    (void)apply_routes(app.server_id);
    // The containers are found by their label: the app's deployments went with its row.
    auto listed = steps_.run(
        "", app.team_id, app.server_id, "cleanup",
        NewJob{.kind = "docker.list", .args = {{"all", true}}, .timeout_ms = 60'000}, nullptr);
    if (!listed || listed->state != job_state::succeeded) {
      return;
    }
    for (const auto& container : listed->result.value("containers", json::array())) {
      const json labels = container.value("Labels", json::object());
      if (!labels.is_object() || labels.value("berth.app", "") != app.id) {
        continue;
      }
      (void)steps_.run("", app.team_id, app.server_id, "cleanup",
                       NewJob{.kind = "docker.remove",
                              .args = {{"container", container.value("Id", "")}, {"force", true}},
                              .timeout_ms = 60'000},
                       nullptr);
    }
  });
}

}  // namespace berth
