#include "agent/host/http_probe.hpp"

#include <algorithm>
#include <thread>

#include "agent/host/job_args.hpp"
#include "agent/host/loopback_http.hpp"

namespace berth::agent::host {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

enum class Waited { elapsed, cancelled, deadline };

// Sleeps in short slices so a cancel is not held up by a long interval.
Waited wait_for(milliseconds duration, const JobContext& job, steady_clock::time_point deadline) {
  const auto until = steady_clock::now() + duration;
  while (true) {
    if (job.cancelled.load()) {
      return Waited::cancelled;
    }
    const auto now = steady_clock::now();
    if (now >= deadline) {
      return Waited::deadline;
    }
    if (now >= until) {
      return Waited::elapsed;
    }
    std::this_thread::sleep_for(
        std::min({milliseconds(50), std::chrono::duration_cast<milliseconds>(until - now),
                  std::chrono::duration_cast<milliseconds>(deadline - now)}) +
        milliseconds(1));
  }
}

JobOutcome stopped(Waited why, const std::string& last_error) {
  if (why == Waited::cancelled) {
    JobOutcome out;
    out.status = "canceled";
    out.error_code = "canceled";
    out.error_message = "the job was cancelled";
    return out;
  }
  return JobOutcome::failed("timeout", "the job's timeout passed before the health check ended" +
                                           (last_error.empty() ? "" : ": " + last_error));
}

}  // namespace

Result<ProbeArgs> parse_probe_args(const nlohmann::json& args) {
  auto fields = known_fields(
      args, {"port", "path", "interval_ms", "timeout_ms", "retries", "start_period_ms"});
  if (!fields) {
    return fail(fields.error());
  }
  ProbeArgs probe;
  auto port = int_field(*fields, "port", 1, 65535);
  if (!port || !port->has_value()) {
    return fail(invalid_arg("port", "required, 1-65535"));
  }
  probe.port = **port;
  if (fields->contains("path")) {
    auto path = string_field(*fields, "path", 1024);
    if (!path || path->front() != '/' || has_space_or_control(*path) ||
        std::any_of(path->begin(), path->end(),
                    [](char c) { return static_cast<unsigned char>(c) > 0x7E; })) {
      return fail(invalid_arg("path", "must start with '/' and be printable ASCII, at most 1024"));
    }
    probe.path = *path;
  }
  struct Bound {
    const char* key;
    int min;
    int max;
  };
  for (const Bound bound : {Bound{"interval_ms", 1, 3'600'000}, Bound{"timeout_ms", 1, 600'000},
                            Bound{"retries", 1, 10'000}, Bound{"start_period_ms", 0, 3'600'000}}) {
    auto value = int_field(*fields, bound.key, bound.min, bound.max);
    if (!value) {
      return fail(value.error());
    }
    if (!value->has_value()) {
      continue;
    }
    const std::string_view key = bound.key;
    if (key == "interval_ms") {
      probe.interval = milliseconds(**value);
    } else if (key == "timeout_ms") {
      probe.timeout = milliseconds(**value);
    } else if (key == "retries") {
      probe.retries = **value;
    } else {
      probe.start_period = milliseconds(**value);
    }
  }
  return probe;
}

JobOutcome run_http_probe(JobContext& job) {
  auto probe = parse_probe_args(job.args);
  if (!probe) {
    return JobOutcome::failed("invalid_args", probe.error().message);
  }
  const auto deadline = steady_clock::now() + job.timeout;
  std::string last_error;
  if (const auto why = wait_for(probe->start_period, job, deadline); why != Waited::elapsed) {
    return stopped(why, last_error);
  }
  const std::string prefix = "health: attempt ";
  for (int attempt = 1; attempt <= probe->retries; ++attempt) {
    if (attempt > 1) {
      if (const auto why = wait_for(probe->interval, job, deadline); why != Waited::elapsed) {
        return stopped(why, last_error);
      }
    }
    const auto started = steady_clock::now();
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - started);
    auto answer =
        loopback_http("127.0.0.1", probe->port, {.target = probe->path},
                      std::max(milliseconds(1), std::min(probe->timeout, left)), &job.cancelled);
    const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
    const std::string head =
        prefix + std::to_string(attempt) + "/" + std::to_string(probe->retries) + ": ";
    if (!answer && answer.error().code == "canceled") {
      return stopped(Waited::cancelled, last_error);
    }
    if (answer) {
      const std::string line = std::to_string(answer->status) +
                               (answer->reason.empty() ? "" : " " + answer->reason) + " in " +
                               std::to_string(took.count()) + " ms";
      job.output.write("stdout", head + line + "\n");
      if (answer->status >= 200 && answer->status < 400) {
        JobOutcome out;
        out.result = {{"attempts", attempt}, {"status", answer->status}};
        return out;
      }
      last_error = "HTTP " + line;
    } else {
      last_error = answer.error().code == "timeout"
                       ? "no answer within " + std::to_string(probe->timeout.count()) + " ms"
                       : answer.error().message;
      job.output.write("stdout", head + last_error + "\n");
    }
  }
  return JobOutcome::failed("health_check_failed", "no healthy answer after " +
                                                       std::to_string(probe->retries) +
                                                       " attempts; last: " + last_error);
}

}  // namespace berth::agent::host
