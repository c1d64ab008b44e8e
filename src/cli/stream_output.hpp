#pragma once
/// Following a job's or an app's output stream on the terminal: stdout chunks to stdout,
/// stderr chunks to stderr, until the stream's `done` or Ctrl-C.

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/api.hpp"

namespace berth::cli {

/// Set by SIGINT/SIGTERM once install_interrupt_handler() ran; streams end cleanly on it.
const std::atomic<bool>& interrupted();
void install_interrupt_handler();

/// Writes an `output` event's text to stdout or stderr by its `stream`.
void write_output(const nlohmann::json& data);

/// `berth logs` and `berth services logs`: prints GET /api/v1/<collection>/<id>/logs (the
/// last `tail` lines when >= 0; `follow` keeps reading) until it ends or Ctrl-C; the exit code.
int print_container_logs(Api& api, const std::string& collection, const std::string& name_or_id,
                         bool follow, int tail);

/// Follows GET /jobs/{id}/output until `done`; the job as that event carries it, or the
/// stream's failure. Resumes after a dropped connection.
Result<nlohmann::json> follow_job(Api& api, const std::string& job_id);

}  // namespace berth::cli
