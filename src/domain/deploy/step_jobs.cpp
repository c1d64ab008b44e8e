#include "domain/deploy/step_jobs.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

#include "core/time_format.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

using namespace std::chrono_literals;

// What the hub listener hands to the waiting thread: output to pass on, and whether it ended.
// The listener runs on the agent link's thread, so it only queues.
struct Mailbox {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<HubMessage> output;
  bool done = false;
};

JobOutputChunk chunk_of(const nlohmann::json& data) {
  return {.job_id = {},
          .seq = data.value("seq", std::int64_t{0}),
          .stream = data.value("stream", "stdout"),
          .text = data.value("text", ""),
          .at = parse_rfc3339(data.value("at", "")).value_or(TimePoint{})};
}

constexpr std::int64_t kReplayBatch = 500;

}  // namespace

Result<JobRecord> StepJobs::run(std::string_view deployment_id, std::string_view team_id,
                                std::string_view server_id, std::string_view step,
                                const NewJob& job, const std::function<bool()>& cancel_wanted) {
  const std::string job_id = ctx_.ids().next("job");
  auto box = std::make_shared<Mailbox>();
  auto subscription =
      log_.events().subscribe(EventHub::job_topic(job_id), [box](const HubMessage& message) {
        std::lock_guard lock(box->mutex);
        if (message.event == "output") {
          box->output.push_back(message);
        } else if (message.event == "done") {
          box->done = true;
        }
        box->wake.notify_all();
      });
  auto submitted =
      jobs_.submit_system(job_id, team_id, server_id, job, std::string(kDeploymentJobCreator));
  if (!submitted) {
    return fail(std::move(submitted.error()));
  }
  const std::int64_t started_seq =
      log_.step(deployment_id, step, "started", {{"job_id", job_id}, {"kind", job.kind}});

  // The output is stored once, as the job's; the deployment's followers get it published in
  // order, each chunk once.
  std::int64_t passed_on = 0;
  auto pass_on = [&](const JobOutputChunk& chunk) {
    if (chunk.seq <= passed_on) {
      return;
    }
    passed_on = chunk.seq;
    log_.publish_output(deployment_id, started_seq, step, chunk);
  };
  bool cancel_sent = false;
  auto last_check = std::chrono::steady_clock::now();
  for (;;) {
    std::deque<HubMessage> pending;
    bool done = false;
    {
      std::unique_lock lock(box->mutex);
      box->wake.wait_for(lock, 250ms, [&] { return box->done || !box->output.empty(); });
      pending.swap(box->output);
      done = box->done;
    }
    for (const auto& message : pending) {
      pass_on(chunk_of(message.data));
    }
    if (stopping_.load()) {
      return fail(with_code(Error::unavailable("berthd is stopping"), "stopping"));
    }
    if (!cancel_sent && cancel_wanted && cancel_wanted()) {
      cancel_sent = true;
      (void)jobs_.cancel_system(job_id);
    }
    // A missed "done" (published before a reconnecting link resent it, say) must not hang the
    // deployment: look at the stored state now and then.
    if (!done && std::chrono::steady_clock::now() - last_check > 2s) {
      last_check = std::chrono::steady_clock::now();
      auto stored = read_value<std::optional<JobRecord>>(
          ctx_.store(), [&](Tx& tx) { return tx.get_job(team_id, job_id); });
      done = stored && *stored && job_state::is_terminal((**stored).state);
    }
    if (done) {
      break;
    }
  }
  // Whatever output the listener did not see is in the store: followers get it before the
  // step's end.
  for (;;) {
    auto rest = jobs_.output(job_id, passed_on, kReplayBatch);
    if (!rest || rest->empty()) {
      break;
    }
    for (const auto& chunk : *rest) {
      pass_on(chunk);
    }
  }
  if (cancel_sent) {
    log_.say(deployment_id, step, "canceled on request: the step's job was stopped");
  }
  auto final_record = read_value<std::optional<JobRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.get_job(team_id, job_id); });
  if (!final_record) {
    return fail(std::move(final_record.error()));
  }
  if (!*final_record) {
    return fail(Error::internal("a deployment job vanished"));
  }
  return std::move(**final_record);
}

}  // namespace berth
