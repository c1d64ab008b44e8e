#include "domain/fleet/job_service.hpp"

#include <algorithm>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "domain/fleet/server_book.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

Error no_such_job() { return Error::not_found("no such job"); }

}  // namespace

Result<JobRecord> JobService::submit(const Principal& who, std::string_view team_id,
                                     std::string_view server_id, const NewJob& job,
                                     const ClientInfo& client) {
  const auto& kinds = submittable_job_kinds();
  if (std::find(kinds.begin(), kinds.end(), job.kind) == kinds.end()) {
    return fail(Error::validation("kind", "kind must be exec or one of the docker.* kinds"));
  }
  if (auto ok = check_job_args(job.kind, job.args); !ok) {
    return fail(std::move(ok.error()));
  }
  const std::int64_t timeout = job.timeout_ms.value_or(ctx_.policy.default_job_timeout.count());
  if (timeout < 1000 || timeout > ctx_.policy.max_job_timeout.count()) {
    return fail(Error::validation("timeout_ms", "timeout_ms must be 1000 to 86400000"));
  }
  const TimePoint now = ctx_.clock().now();
  JobRecord record{
      .id = ctx_.ids().next("job"),
      .team_id = std::string(team_id),
      .server_id = std::string(server_id),
      .kind = job.kind,
      .args_summary = job_args_summary(job.args),
      .args_sealed = crypto::seal(ctx_.services.master_key, ctx_.services.random, job.args.dump()),
      .timeout_ms = timeout,
      .state = std::string(job_state::queued),
      .created_by = principal_id(who),
      .created_at = now,
      .queue_deadline_at = now + ctx_.policy.queue_deadline};
  // "Run a command on my server": always in the audit log, with what was run (not secrets).
  auto done = write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "job.create", record.id, std::string(team_id),
                 {{"server_id", std::string(server_id)},
                  {"kind", job.kind},
                  {"args", record.args_summary}}),
      [&](Tx& tx) -> Result<void> {
        auto server = admin_server(tx, who, team_id, server_id);
        if (!server) {
          return fail(std::move(server.error()));
        }
        if (server->scheduling == "draining") {
          Error error = Error::conflict("the server is being drained; uncordon it first");
          error.code = "server_draining";
          return fail(std::move(error));
        }
        return tx.create_job(record);
      });
  if (!done) {
    return fail(std::move(done.error()));
  }
  hub_.dispatch_queued(server_id);
  return get(who, team_id, record.id);
}

Result<JobRecord> JobService::create_internal(std::string_view team_id, std::string_view server_id,
                                              std::string kind, const nlohmann::json& args_summary,
                                              std::string created_by) {
  const TimePoint now = ctx_.clock().now();
  JobRecord record{
      .id = ctx_.ids().next("job"),
      .team_id = std::string(team_id),
      .server_id = std::string(server_id),
      .kind = std::move(kind),
      .args_summary = args_summary,
      .args_sealed = crypto::seal(ctx_.services.master_key, ctx_.services.random, "{}"),
      .timeout_ms = ctx_.policy.default_job_timeout.count(),
      .state = std::string(job_state::running),
      .created_by = std::move(created_by),
      .created_at = now,
      .queue_deadline_at = now};
  record.dispatched_at = now;
  record.started_at = now;
  auto done = ctx_.store().write([&](Tx& tx) { return tx.create_job(record); });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return record;
}

Result<JobRecord> JobService::submit_system(std::string job_id, std::string_view team_id,
                                            std::string_view server_id, const NewJob& job,
                                            std::string created_by) {
  const TimePoint now = ctx_.clock().now();
  JobRecord record{
      .id = std::move(job_id),
      .team_id = std::string(team_id),
      .server_id = std::string(server_id),
      .kind = job.kind,
      .args_summary = job_args_summary(job.args),
      .args_sealed = crypto::seal(ctx_.services.master_key, ctx_.services.random, job.args.dump()),
      .timeout_ms =
          std::clamp<std::int64_t>(job.timeout_ms.value_or(ctx_.policy.default_job_timeout.count()),
                                   1000, ctx_.policy.max_job_timeout.count()),
      .state = std::string(job_state::queued),
      .created_by = std::move(created_by),
      .created_at = now,
      .queue_deadline_at = now + ctx_.policy.queue_deadline};
  if (auto done = ctx_.store().write([&](Tx& tx) { return tx.create_job(record); }); !done) {
    return fail(std::move(done.error()));
  }
  hub_.dispatch_queued(server_id);
  return record;
}

bool may_read_job_details(const JobRecord& job, const Principal& who, Role role) {
  return role_includes(role, Role::admin) || job.created_by == kDeploymentJobCreator ||
         job.created_by == principal_id(who);
}

namespace {

void hide_details(JobRecord& job) {
  job.args_summary = nlohmann::json::object();
  job.result = nlohmann::json::object();
  job.error_message.clear();
}

}  // namespace

Result<JobRecord> JobService::get(const Principal& who, std::string_view team_id,
                                  std::string_view job_id) {
  return read_value<JobRecord>(ctx_.store(), [&](Tx& tx) -> Result<JobRecord> {
    auto role = require_team_role(tx, who, team_id, Role::viewer);
    if (!role) {
      return fail(std::move(role.error()));
    }
    auto found = tx.get_job(team_id, job_id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(no_such_job());
    }
    if (!may_read_job_details(**found, who, *role)) {
      hide_details(**found);
    }
    return std::move(**found);
  });
}

Result<JobRecord> JobService::readable(const Principal& who, std::string_view team_id,
                                       std::string_view job_id) {
  return read_value<JobRecord>(ctx_.store(), [&](Tx& tx) -> Result<JobRecord> {
    auto role = require_team_role(tx, who, team_id, Role::viewer);
    if (!role) {
      return fail(std::move(role.error()));
    }
    auto found = tx.get_job(team_id, job_id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(no_such_job());
    }
    if (!may_read_job_details(**found, who, *role)) {
      return fail(insufficient_role_error(Role::admin));
    }
    return std::move(**found);
  });
}

Result<Page<JobRecord>> JobService::list(const Principal& who, std::string_view team_id,
                                         std::string_view server_id, const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<JobRecord>>(ctx_.store(), [&](Tx& tx) -> Result<Page<JobRecord>> {
    auto role = require_team_role(tx, who, team_id, Role::viewer);
    if (!role) {
      return fail(std::move(role.error()));
    }
    if (auto server = team_server(tx, who, team_id, server_id, Role::viewer); !server) {
      return fail(std::move(server.error()));
    }
    auto jobs = tx.list_jobs(JobQuery{.team_id = std::string(team_id),
                                      .server_id = std::string(server_id),
                                      .states = {},
                                      .page = page.page,
                                      .per_page = page.per_page});
    if (jobs) {
      for (auto& job : jobs->items) {
        if (!may_read_job_details(job, who, *role)) {
          hide_details(job);
        }
      }
    }
    return jobs;
  });
}

Result<JobRecord> JobService::request_cancel(Tx& tx, std::string_view team_id,
                                             std::string_view job_id) {
  auto found = tx.get_job(team_id, job_id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found) {
    return fail(no_such_job());
  }
  JobRecord job = std::move(**found);
  if (job_state::is_terminal(job.state)) {
    return fail(with_code(Error::conflict("the job has already finished"), "job_finished"));
  }
  job.cancel_requested = true;
  if (job.state == job_state::queued) {
    job.state = job_state::canceled;
    job.finished_at = ctx_.clock().now();
    job.error_code = "canceled";
    job.error_message = "canceled before it was sent to the server";
  }
  if (auto updated = tx.update_job(job); !updated) {
    return fail(std::move(updated.error()));
  }
  return job;
}

void JobService::announce_cancel(const JobRecord& job) {
  if (job.state == job_state::canceled) {
    hub_.jobs().publish_state(job);
  } else {
    // The agent kills the process group and answers job_done canceled. An agent that is away
    // hears it after its hello, when the cmd is re-sent (and then canceled again).
    hub_.send_cancel(job.server_id, job.id);
  }
}

Result<JobRecord> JobService::cancel(const Principal& who, std::string_view team_id,
                                     std::string_view job_id, const ClientInfo& client) {
  std::optional<JobRecord> out;
  auto done =
      write_audited(ctx_.store(),
                    make_audit(ctx_, actor_of(who, client), "job.cancel", std::string(job_id),
                               std::string(team_id)),
                    [&](Tx& tx) -> Result<void> {
                      if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
                        return fail(std::move(role.error()));
                      }
                      auto changed = request_cancel(tx, team_id, job_id);
                      if (!changed) {
                        return fail(std::move(changed.error()));
                      }
                      out = std::move(*changed);
                      return {};
                    });
  if (!done) {
    return fail(std::move(done.error()));
  }
  announce_cancel(*out);
  return std::move(*out);
}

Result<bool> JobService::cancel_system(std::string_view job_id) {
  std::optional<JobRecord> out;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto changed = request_cancel(tx, "", job_id);
    if (!changed) {
      return fail(std::move(changed.error()));
    }
    out = std::move(*changed);
    return {};
  });
  if (!done) {
    // Already finished (or gone): nothing to cancel.
    const bool ended =
        done.error().kind == ErrorKind::not_found || done.error().code == "job_finished";
    return ended ? Result<bool>(false) : fail(std::move(done.error()));
  }
  announce_cancel(*out);
  return true;
}

Result<std::vector<JobOutputChunk>> JobService::output(std::string_view job_id,
                                                       std::int64_t after_seq, std::int64_t limit) {
  return read_value<std::vector<JobOutputChunk>>(
      ctx_.store(), [&](Tx& tx) { return tx.list_job_output(job_id, after_seq, limit); });
}

Result<void> JobService::expire() {
  const TimePoint now = ctx_.clock().now();
  auto open = read_value<Page<JobRecord>>(ctx_.store(), [&](Tx& tx) {
    return tx.list_jobs(
        JobQuery{.team_id = {},
                 .server_id = {},
                 .states = {std::string(job_state::queued), std::string(job_state::dispatched),
                            std::string(job_state::running)},
                 .page = 1,
                 .per_page = 1000});
  });
  if (!open) {
    return fail(std::move(open.error()));
  }
  for (const auto& job : open->items) {
    if (job.state == job_state::queued) {
      if (now > job.queue_deadline_at) {
        (void)hub_.jobs().settle(job.id, job_state::failed, "server_unavailable",
                                 "the server did not come online before the queue deadline");
      }
      continue;
    }
    if (runs_in_berthd(job.kind) || hub_.connected(job.server_id)) {
      continue;  // berthd runs adoptions itself; a connected agent settles its own jobs
    }
    const TimePoint since = job.started_at.value_or(job.dispatched_at.value_or(job.created_at));
    const auto limit = since + std::chrono::milliseconds(job.timeout_ms) + ctx_.policy.lost_grace;
    if (now > limit) {
      (void)hub_.jobs().settle(job.id, job_state::lost, "agent_unreachable",
                               "the server's agent did not come back before the job's timeout");
    }
  }
  return {};
}

}  // namespace berth
