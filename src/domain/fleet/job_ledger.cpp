#include "domain/fleet/job_ledger.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

nlohmann::json optional_time(const std::optional<TimePoint>& time) {
  return time ? nlohmann::json(format_rfc3339(*time)) : nlohmann::json(nullptr);
}

Error unknown_job() {
  return with_code(Error::not_found("no such job on this server"), "unknown_job");
}

}  // namespace

nlohmann::json job_view(const JobRecord& job) {
  nlohmann::json error = nullptr;
  if (!job.error_code.empty()) {
    error = {{"code", job.error_code}, {"message", job.error_message}};
  }
  return {{"id", job.id},
          {"server_id", job.server_id},
          {"kind", job.kind},
          {"args", job.args_summary},
          {"state", job.state},
          {"timeout_ms", job.timeout_ms},
          {"created_by", job.created_by},
          {"created_at", format_rfc3339(job.created_at)},
          {"queue_deadline_at", format_rfc3339(job.queue_deadline_at)},
          {"dispatched_at", optional_time(job.dispatched_at)},
          {"started_at", optional_time(job.started_at)},
          {"finished_at", optional_time(job.finished_at)},
          {"cancel_requested", job.cancel_requested},
          {"exit_code", job.exit_code ? nlohmann::json(*job.exit_code) : nlohmann::json(nullptr)},
          {"duration_ms", job.duration_ms},
          {"result", job.result},
          {"error", error},
          {"output_seq", job.last_seq}};
}

Result<std::optional<JobRecord>> JobLedger::change_job(
    std::string_view job_id, const std::function<bool(JobRecord&)>& change) {
  std::optional<JobRecord> moved;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.get_job("", job_id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(unknown_job());
    }
    JobRecord job = std::move(**found);
    if (!change(job)) {
      return {};
    }
    if (auto updated = tx.update_job(job); !updated) {
      return updated;
    }
    moved = std::move(job);
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  if (moved) {
    publish_state(*moved);
  }
  return moved;
}

Result<std::optional<JobRecord>> JobLedger::mark_dispatched(std::string_view job_id) {
  const TimePoint now = ctx_.clock().now();
  return change_job(job_id, [&](JobRecord& job) {
    if (job.state != job_state::queued) {
      return false;
    }
    job.state = job_state::dispatched;
    job.dispatched_at = now;
    return true;
  });
}

Result<void> JobLedger::mark_running(std::string_view server_id, std::string_view job_id) {
  const TimePoint now = ctx_.clock().now();
  bool foreign = false;
  auto moved = change_job(job_id, [&](JobRecord& job) {
    if (job.server_id != server_id) {
      foreign = true;
      return false;
    }
    if (!job_state::can_move(job.state, job_state::running)) {
      return false;
    }
    job.state = job_state::running;
    job.started_at = now;
    return true;
  });
  if (!moved) {
    return fail(std::move(moved.error()));
  }
  if (foreign) {
    return fail(unknown_job());
  }
  return {};
}

Result<std::optional<JobOutputChunk>> JobLedger::capped(Tx& tx, const JobOutputChunk& chunk,
                                                        std::int64_t& bytes_after) {
  std::int64_t used = 0;
  {
    std::lock_guard lock(output_mutex_);
    const auto known = output_bytes_.find(chunk.job_id);
    used = known == output_bytes_.end() ? -1 : known->second;
  }
  if (used < 0) {
    auto counted = tx.job_output_bytes(chunk.job_id);
    if (!counted) {
      return fail(std::move(counted.error()));
    }
    used = *counted;
  }
  const std::int64_t cap = ctx_.policy.max_job_output_bytes;
  const auto size = static_cast<std::int64_t>(chunk.text.size());
  if (used >= cap) {
    bytes_after = used;
    return std::optional<JobOutputChunk>();
  }
  if (used + size <= cap) {
    bytes_after = used + size;
    return std::optional<JobOutputChunk>(chunk);
  }
  JobOutputChunk marker = chunk;
  marker.stream = "system";
  marker.text = fmt::format(
      "[berth: output truncated: this job's stored output reached {} bytes; the rest was "
      "not kept]\n",
      cap);
  bytes_after = cap;  // full from here on
  return std::optional<JobOutputChunk>(std::move(marker));
}

Result<bool> JobLedger::server_room(Tx& tx, std::string_view server_id, std::int64_t size,
                                    std::int64_t& bytes_after) {
  std::int64_t used = -1;
  {
    std::lock_guard lock(output_mutex_);
    const auto known = server_output_bytes_.find(std::string(server_id));
    if (known != server_output_bytes_.end()) {
      used = known->second;
    }
  }
  if (used < 0) {
    auto counted = tx.server_job_output_bytes(server_id);
    if (!counted) {
      return fail(std::move(counted.error()));
    }
    used = *counted;
  }
  const std::int64_t cap = ctx_.policy.max_server_output_bytes;
  if (used + size > cap) {
    // Down to 90% of the cap, so the pruning does not run again at the next chunk.
    auto freed = tx.prune_job_output(
        server_id, used + size - cap / 10 * 9,
        fmt::format("[berth: output pruned: this server's stored job output reached {} bytes, "
                    "so the output of its oldest finished jobs was removed]\n",
                    cap));
    if (!freed) {
      return fail(std::move(freed.error()));
    }
    used -= *freed;
    if (*freed > 0) {
      log::info("jobs.output_pruned", {{"server_id", server_id}, {"bytes", *freed}});
    }
  }
  if (used + size > cap) {
    bytes_after = used;
    return false;
  }
  bytes_after = used + size;
  return true;
}

Result<bool> JobLedger::append_output(std::string_view server_id, const JobOutputChunk& chunk) {
  std::optional<JobOutputChunk> stored;
  std::int64_t bytes_after = 0;
  std::int64_t server_bytes_after = -1;
  bool server_full = false;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.get_job("", chunk.job_id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found || (*found)->server_id != server_id) {
      return fail(unknown_job());
    }
    const JobRecord& job = **found;
    // Output belongs to a job the agent was given. Once it has ended, only the chunks its
    // job_done counted may still arrive (re-sent after a reconnect): an agent cannot keep
    // writing into a finished job.
    if (job.state == job_state::queued ||
        (job_state::is_terminal(job.state) && chunk.seq > job.last_seq)) {
      return fail(with_code(Error::conflict("the job takes no more output"), "output_refused"));
    }
    auto kept = capped(tx, chunk, bytes_after);
    if (!kept) {
      return fail(std::move(kept.error()));
    }
    if (!*kept) {
      return {};  // over the cap: acknowledged, not stored
    }
    const auto size = static_cast<std::int64_t>((*kept)->text.size());
    auto room = server_room(tx, server_id, size, server_bytes_after);
    if (!room) {
      return fail(std::move(room.error()));
    }
    if (!*room) {
      server_full = true;
      return {};  // only running jobs hold the server's output: acknowledged, not stored
    }
    auto appended = tx.append_job_output(**kept);
    if (!appended) {
      return fail(std::move(appended.error()));
    }
    if (*appended) {
      stored = std::move(*kept);
    } else {
      server_bytes_after -= size;
    }
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  if (server_bytes_after >= 0) {
    std::lock_guard lock(output_mutex_);
    server_output_bytes_[std::string(server_id)] = server_bytes_after;
  }
  if (server_full) {
    log::warn("jobs.server_output_full", {{"server_id", server_id}, {"job_id", chunk.job_id}});
  }
  if (stored) {
    {
      std::lock_guard lock(output_mutex_);
      output_bytes_[chunk.job_id] = bytes_after;
    }
    events_.publish(EventHub::job_topic(stored->job_id),
                    HubMessage{.event = "output",
                               .id = stored->seq,
                               .data = {{"seq", stored->seq},
                                        {"stream", stored->stream},
                                        {"text", stored->text},
                                        {"at", format_rfc3339(stored->at)}}});
  }
  return stored.has_value();
}

Result<void> JobLedger::finish(std::string_view server_id, std::string_view job_id,
                               const JobEnd& end) {
  const TimePoint now = ctx_.clock().now();
  bool foreign = false;
  auto moved = change_job(job_id, [&](JobRecord& job) {
    if (job.server_id != server_id) {
      foreign = true;
      return false;
    }
    if (!job_state::can_move(job.state, end.status)) {
      return false;  // already settled: a re-sent job_done changes nothing
    }
    if (!job.started_at && (end.duration_ms > 0 || end.status == job_state::succeeded)) {
      // Its `ack running` never reached the store (berthd restarted, or refused the frame):
      // the job ran for duration_ms up to now, and not before it was dispatched.
      const TimePoint began = now - std::chrono::milliseconds(end.duration_ms);
      job.started_at = job.dispatched_at ? std::max(*job.dispatched_at, began) : began;
    }
    job.state = end.status;
    job.finished_at = now;
    job.exit_code = end.exit_code;
    job.duration_ms = end.duration_ms;
    job.last_seq = std::max(job.last_seq, end.last_seq);
    job.result = end.result;
    job.error_code = end.error_code;
    job.error_message = end.error_message;
    return true;
  });
  if (!moved) {
    return fail(std::move(moved.error()));
  }
  if (foreign) {
    return fail(unknown_job());
  }
  std::lock_guard lock(output_mutex_);
  output_bytes_.erase(std::string(job_id));  // a late chunk counts again from the store
  return {};
}

Result<bool> JobLedger::settle(std::string_view job_id, std::string_view state, std::string code,
                               std::string message) {
  const TimePoint now = ctx_.clock().now();
  auto moved = change_job(job_id, [&](JobRecord& job) {
    if (!job_state::can_move(job.state, state)) {
      return false;
    }
    job.state = std::string(state);
    job.finished_at = now;
    job.error_code = std::move(code);
    job.error_message = std::move(message);
    return true;
  });
  if (!moved) {
    return fail(std::move(moved.error()));
  }
  return moved->has_value();
}

Result<std::vector<JobRecord>> JobLedger::in_flight(std::string_view server_id) {
  return agent_jobs(server_id,
                    {std::string(job_state::dispatched), std::string(job_state::running)});
}

Result<std::vector<JobRecord>> JobLedger::queued(std::string_view server_id) {
  return agent_jobs(server_id, {std::string(job_state::queued)});
}

Result<std::vector<JobRecord>> JobLedger::agent_jobs(std::string_view server_id,
                                                     std::vector<std::string> states) {
  return read_value<std::vector<JobRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<JobRecord>> {
        auto page = tx.list_jobs(JobQuery{.team_id = {},
                                          .server_id = std::string(server_id),
                                          .states = states,
                                          .page = 1,
                                          .per_page = 1000});
        if (!page) {
          return fail(std::move(page.error()));
        }
        std::vector<JobRecord> jobs;
        for (auto job = page->items.rbegin(); job != page->items.rend(); ++job) {  // oldest first
          if (!runs_in_berthd(job->kind)) {
            jobs.push_back(*job);
          }
        }
        return jobs;
      });
}

Result<nlohmann::json> JobLedger::open_args(const JobRecord& job) const {
  auto text = crypto::open_sealed(ctx_.services.master_key, job.args_sealed);
  if (!text) {
    return fail(std::move(text.error()));
  }
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (parsed.is_discarded()) {
    return fail(Error::internal("a job's sealed arguments are not JSON"));
  }
  return parsed;
}

void JobLedger::publish_state(const JobRecord& job) {
  const bool done = job_state::is_terminal(job.state);
  events_.publish(EventHub::job_topic(job.id),
                  HubMessage{.event = done ? "done" : "state", .id = 0, .data = job_view(job)});
}

}  // namespace berth
