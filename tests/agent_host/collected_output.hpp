#pragma once
// A JobOutput that keeps everything a job wrote, for the agent-host system tests.

#include <mutex>
#include <string>
#include <string_view>

#include "agent/job_types.hpp"

namespace berth::agent::host {

class CollectedOutput : public JobOutput {
 public:
  void write(std::string_view, std::string_view text) override {
    std::lock_guard lock(mutex_);
    all.append(text);
  }
  std::string all;

 private:
  std::mutex mutex_;
};

}  // namespace berth::agent::host
