#pragma once
// The pipeline's seam for its unit tests: a StepRunner that answers every step's job at once
// from a script (by step name, else a success shaped like the agent's), records each call, and
// a Sleeper that records the waits it is asked for instead of sleeping.

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "domain/deploy/step_runner.hpp"

namespace berth::testing {

class ScriptedSteps final : public StepRunner {
 public:
  struct Call {
    std::string deployment_id;
    std::string step;
    std::string kind;
    nlohmann::json args;
  };
  /// How a step's job ends.
  struct Answer {
    std::string state = "succeeded";
    nlohmann::json result = nlohmann::json::object();
    std::string error_code = {};
    std::string error_message = {};
  };

  Result<JobRecord> run(std::string_view deployment_id, std::string_view team_id,
                        std::string_view server_id, std::string_view step, const NewJob& job,
                        const std::function<bool()>& cancel_wanted) override;

  /// The answer for every job of `step` ("pull", "start", "health", "switch", "step 1: x", …).
  void answer(const std::string& step, Answer answer);
  /// Called with each job before it is answered (e.g. to cancel the deployment there).
  void on_call(std::function<void(const Call&)> hook);
  std::vector<Call> calls() const;
  /// The calls of one kind ("docker.run", …), in order.
  std::vector<Call> calls_of(const std::string& kind) const;
  void clear();

 private:
  Answer default_answer(const std::string& kind, const nlohmann::json& args);

  mutable std::mutex mutex_;
  std::map<std::string, Answer> answers_;
  std::function<void(const Call&)> hook_;
  std::vector<Call> calls_;
  int counter_ = 0;
};

class RecordingSleeper final : public Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds duration, const std::atomic<bool>&) override {
    std::lock_guard lock(mutex_);
    waits_.push_back(duration);
  }
  std::vector<std::chrono::milliseconds> waits() const {
    std::lock_guard lock(mutex_);
    return waits_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::chrono::milliseconds> waits_;
};

}  // namespace berth::testing
