// SqliteTx: jobs and their output.
#include <fmt/format.h>

#include "store/sqlite/sqlite_app_columns.hpp"
#include "store/sqlite/sqlite_fleet_columns.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

constexpr std::string_view kJobColumns =
    "id, team_id, server_id, kind, args_summary, args_sealed, timeout_ms, state, created_by, "
    "created_at, queue_deadline_at, dispatched_at, started_at, finished_at, cancel_requested, "
    "exit_code, duration_ms, result, error_code, error_message, last_seq";

Result<JobRecord> read_job(const SqliteStatement& row) {
  RowReader read(row, "jobs");
  JobRecord job;
  job.id = read.text(0);
  job.team_id = read.text(1);
  job.server_id = read.text(2);
  job.kind = read.text(3);
  job.args_summary = json_column(read, 4);
  job.args_sealed = read.text(5);
  job.timeout_ms = read.integer(6);
  job.state = read.text(7);
  job.created_by = read.text(8);
  job.created_at = read.time(9);
  job.queue_deadline_at = read.time(10);
  job.dispatched_at = read.optional_time(11);
  job.started_at = read.optional_time(12);
  job.finished_at = read.optional_time(13);
  job.cancel_requested = read.flag(14);
  if (!row.column_is_null(15)) {
    job.exit_code = read.integer(15);
  }
  job.duration_ms = read.integer(16);
  job.result = json_column(read, 17);
  job.error_code = read.text(18);
  job.error_message = read.text(19);
  job.last_seq = read.integer(20);
  return read.finish(std::move(job));
}

Result<JobOutputChunk> read_chunk(const SqliteStatement& row) {
  RowReader read(row, "job_output");
  JobOutputChunk chunk;
  chunk.job_id = read.text(0);
  chunk.seq = read.integer(1);
  chunk.stream = read.text(2);
  chunk.text = read.text(3);
  chunk.at = read.time(4);
  return read.finish(std::move(chunk));
}

}  // namespace

Result<void> SqliteTx::create_job(const JobRecord& job) {
  if (auto known = check_one_of("state", job.state, job_state::kAll); !known) {
    return known;
  }
  static const std::string sql = fmt::format(
      "INSERT INTO jobs ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
      kJobColumns);
  return run_sql(connection_, sql, job.id, job.team_id, job.server_id, job.kind,
                 json_text(job.args_summary), job.args_sealed, job.timeout_ms, job.state,
                 job.created_by, job.created_at, job.queue_deadline_at, job.dispatched_at,
                 job.started_at, job.finished_at, job.cancel_requested, job.exit_code,
                 job.duration_ms, json_text(job.result), job.error_code, job.error_message,
                 job.last_seq);
}

Result<std::optional<JobRecord>> SqliteTx::get_job(std::string_view team_id, std::string_view id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM jobs WHERE id = ?2 AND (?1 = '' OR team_id = ?1)", kJobColumns);
  return query_row(connection_, sql, read_job, team_id, id);
}

Result<void> SqliteTx::update_job(const JobRecord& job) {
  if (auto known = check_one_of("state", job.state, job_state::kAll); !known) {
    return known;
  }
  // last_seq never drops below the output actually stored: a caller that read the job before
  // appending output must not undo what append_job_output raised.
  return execute_one(
      connection_,
      "UPDATE jobs SET team_id = ?2, server_id = ?3, kind = ?4, args_summary = ?5, "
      "args_sealed = ?6, timeout_ms = ?7, state = ?8, created_by = ?9, created_at = ?10, "
      "queue_deadline_at = ?11, dispatched_at = ?12, started_at = ?13, finished_at = ?14, "
      "cancel_requested = ?15, exit_code = ?16, duration_ms = ?17, result = ?18, "
      "error_code = ?19, error_message = ?20, "
      "last_seq = max(?21, coalesce((SELECT max(seq) FROM job_output WHERE job_id = ?1), 0)) "
      "WHERE id = ?1",
      job.id, job.team_id, job.server_id, job.kind, json_text(job.args_summary), job.args_sealed,
      job.timeout_ms, job.state, job.created_by, job.created_at, job.queue_deadline_at,
      job.dispatched_at, job.started_at, job.finished_at, job.cancel_requested, job.exit_code,
      job.duration_ms, json_text(job.result), job.error_code, job.error_message, job.last_seq);
}

Result<Page<JobRecord>> SqliteTx::list_jobs(const JobQuery& query) {
  auto states = distinct_words("states", query.states, job_state::kAll);
  if (!states) {
    return fail(std::move(states.error()));
  }
  // Fixed fragments per filter present (as list_audit does): each combination is its own
  // cached statement and uses its own index. The IN list is at most job_state::kAll long.
  Filters filters;
  filters.add(!query.team_id.empty(), "team_id = ?", {query.team_id});
  filters.add(!query.server_id.empty(), "server_id = ?", {query.server_id});
  filters.add(!states->empty(), fmt::format("state IN ({})", placeholders(states->size())),
              *states);
  return filtered_page(connection_, "jobs", kJobColumns, filters, "created_at DESC, id DESC",
                       read_job, query.page, query.per_page);
}

Result<bool> SqliteTx::append_job_output(const JobOutputChunk& chunk) {
  if (auto known = check_one_of("stream", chunk.stream, kOutputStreams); !known) {
    return fail(std::move(known.error()));
  }
  // A repeated seq is an agent resending after a reconnect: the first copy wins.
  auto inserted = execute(connection_,
                          "INSERT INTO job_output (job_id, seq, stream, text, at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (job_id, seq) DO NOTHING",
                          chunk.job_id, chunk.seq, chunk.stream, chunk.text, chunk.at);
  if (!inserted) {
    return fail(std::move(inserted.error()));
  }
  if (*inserted == 0) {
    return false;
  }
  auto raised = run_sql(connection_, "UPDATE jobs SET last_seq = max(last_seq, ?2) WHERE id = ?1",
                        chunk.job_id, chunk.seq);
  if (!raised) {
    return fail(std::move(raised.error()));
  }
  return true;
}

Result<std::int64_t> SqliteTx::job_output_bytes(std::string_view job_id) {
  // length() of a BLOB counts bytes (of TEXT, characters).
  return query_integer(connection_,
                       "SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) FROM job_output "
                       "WHERE job_id = ?1",
                       job_id);
}

Result<std::int64_t> SqliteTx::server_job_output_bytes(std::string_view server_id) {
  return query_integer(connection_,
                       "SELECT coalesce(sum(length(CAST(o.text AS BLOB))), 0) FROM job_output o "
                       "JOIN jobs j ON j.id = o.job_id WHERE j.server_id = ?1",
                       server_id);
}

Result<std::int64_t> SqliteTx::prune_job_output(std::string_view server_id, std::int64_t bytes,
                                                std::string_view marker) {
  struct Candidate {
    std::string job_id;
    std::int64_t bytes = 0;
    std::int64_t last_seq = 0;
    TimePoint last_at{};
  };
  const auto marker_bytes = static_cast<std::int64_t>(marker.size());
  // Finished jobs only (job_state's terminal states): a running job's output is still coming.
  auto candidates = query_rows(
      connection_,
      "SELECT j.id, sum(length(CAST(o.text AS BLOB))) AS bytes, max(o.seq), max(o.at) "
      "FROM jobs j JOIN job_output o ON o.job_id = j.id "
      "WHERE j.server_id = ?1 AND j.state IN ('succeeded', 'failed', 'canceled', 'lost') "
      "GROUP BY j.id HAVING bytes > ?2 ORDER BY j.finished_at, j.id LIMIT 1000",
      [](const SqliteStatement& row) -> Result<Candidate> {
        RowReader read(row, "job_output");
        Candidate candidate{.job_id = read.text(0),
                            .bytes = read.integer(1),
                            .last_seq = read.integer(2),
                            .last_at = read.time(3)};
        return read.finish(std::move(candidate));
      },
      server_id, marker_bytes);
  if (!candidates) {
    return fail(std::move(candidates.error()));
  }
  std::int64_t freed = 0;
  for (const auto& job : *candidates) {
    if (freed >= bytes) {
      break;
    }
    if (auto deleted = run_sql(connection_, "DELETE FROM job_output WHERE job_id = ?1", job.job_id);
        !deleted) {
      return fail(std::move(deleted.error()));
    }
    if (auto kept = run_sql(connection_,
                            "INSERT INTO job_output (job_id, seq, stream, text, at) "
                            "VALUES (?1, ?2, 'system', ?3, ?4)",
                            job.job_id, job.last_seq, marker, job.last_at);
        !kept) {
      return fail(std::move(kept.error()));
    }
    freed += job.bytes - marker_bytes;
  }
  return freed;
}

Result<std::vector<JobOutputChunk>> SqliteTx::list_job_output(std::string_view job_id,
                                                              std::int64_t after_seq,
                                                              std::int64_t limit) {
  if (auto checked = check_limit(limit); !checked) {
    return fail(std::move(checked.error()));
  }
  return query_rows(connection_,
                    "SELECT job_id, seq, stream, text, at FROM job_output "
                    "WHERE job_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                    read_chunk, job_id, after_seq, limit);
}

}  // namespace berth
