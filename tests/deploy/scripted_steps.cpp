#include "deploy/scripted_steps.hpp"

#include <fmt/format.h>

namespace berth::testing {

using nlohmann::json;

ScriptedSteps::Answer ScriptedSteps::default_answer(const std::string& kind, const json& args) {
  const int n = ++counter_;
  if (kind == "docker.pull") {
    return {.result = {{"image", args.value("image", "")},
                       {"image_id", fmt::format("sha256:{:064x}", n)}}};
  }
  if (kind == "docker.build") {
    return {.result = {{"image_id", fmt::format("sha256:{:064x}", 1000 + n)}}};
  }
  if (kind == "git.fetch") {
    return {.result = {{"commit", fmt::format("{:040x}", n)}, {"dir", "/work/checkout"}}};
  }
  if (kind == "docker.run") {
    json ports = json::array();
    for (const auto& port : args.value("ports", json::array())) {
      ports.push_back({{"container_port", port.value("container", 0)},
                       {"host_ip", "127.0.0.1"},
                       {"host_port", 40000 + n}});
    }
    return {.result = {{"id", fmt::format("c{}", n)}, {"ports", std::move(ports)}}};
  }
  return {};
}

Result<JobRecord> ScriptedSteps::run(std::string_view deployment_id, std::string_view team_id,
                                     std::string_view server_id, std::string_view step,
                                     const NewJob& job,
                                     const std::function<bool()>& cancel_wanted) {
  const Call call{.deployment_id = std::string(deployment_id),
                  .step = std::string(step),
                  .kind = job.kind,
                  .args = job.args};
  std::function<void(const Call&)> hook;
  {
    std::lock_guard lock(mutex_);
    calls_.push_back(call);
    hook = hook_;
  }
  if (hook) {
    hook(call);
  }
  Answer answer;
  {
    std::lock_guard lock(mutex_);
    const auto scripted = answers_.find(call.step);
    answer = scripted != answers_.end() ? scripted->second : default_answer(job.kind, job.args);
  }
  if (cancel_wanted && cancel_wanted()) {
    answer = {.state = "canceled", .error_code = "canceled", .error_message = "canceled"};
  }
  JobRecord record{.id = fmt::format("job_{}_{}", call.step, calls().size()),
                   .team_id = std::string(team_id),
                   .server_id = std::string(server_id),
                   .kind = job.kind,
                   .state = answer.state};
  record.result = answer.result;
  record.error_code = answer.error_code;
  record.error_message = answer.error_message;
  return record;
}

void ScriptedSteps::answer(const std::string& step, Answer answer) {
  std::lock_guard lock(mutex_);
  answers_[step] = std::move(answer);
}

void ScriptedSteps::on_call(std::function<void(const Call&)> hook) {
  std::lock_guard lock(mutex_);
  hook_ = std::move(hook);
}

std::vector<ScriptedSteps::Call> ScriptedSteps::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<ScriptedSteps::Call> ScriptedSteps::calls_of(const std::string& kind) const {
  std::vector<Call> out;
  for (auto& call : calls()) {
    if (call.kind == kind) {
      out.push_back(std::move(call));
    }
  }
  return out;
}

void ScriptedSteps::clear() {
  std::lock_guard lock(mutex_);
  calls_.clear();
  answers_.clear();
  hook_ = nullptr;
}

}  // namespace berth::testing
