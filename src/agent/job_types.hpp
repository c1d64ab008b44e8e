#pragma once
/// What every job executor of berth-agent shares: where output goes, how cancellation is
/// seen and what a finished job reports. The executors (exec, docker.*) run on their own
/// thread each; the session turns their output into `log` frames and the outcome into
/// `job_done` (docs/protocol.md).

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace berth::agent {

/// Receives a job's output while it runs. Thread-safe; chunks keep the order of the calls.
class JobOutput {
 public:
  virtual ~JobOutput() = default;
  /// `stream` is "stdout", "stderr" or "system". Long text is split by the receiver.
  virtual void write(std::string_view stream, std::string_view text) = 0;
};

/// How a job ended, as reported in `job_done`.
struct JobOutcome {
  std::string status = "succeeded";   // succeeded | failed | canceled | lost
  std::optional<int> exit_code = {};  // null when the process did not exit by itself
  nlohmann::json result = nlohmann::json::object();
  std::string error_code = {};  // "" on success
  std::string error_message = {};

  static JobOutcome failed(std::string code, std::string message) {
    JobOutcome out;
    out.status = "failed";
    out.error_code = std::move(code);
    out.error_message = std::move(message);
    return out;
  }
};

/// What an executor gets for one job.
struct JobContext {
  std::string job_id;
  std::string kind;
  nlohmann::json args = nlohmann::json::object();
  std::chrono::milliseconds timeout{600'000};
  JobOutput& output;
  const std::atomic<bool>& cancelled;  // set by `cancel`; executors poll it or are woken
};

}  // namespace berth::agent
