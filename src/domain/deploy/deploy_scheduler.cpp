#include "domain/deploy/deploy_scheduler.hpp"

namespace berth {

DeployScheduler::DeployScheduler(RunNext run_next, std::size_t workers)
    : run_next_(std::move(run_next)) {
  for (std::size_t i = 0; i < workers; ++i) {
    workers_.emplace_back([this] { work(); });
  }
}

DeployScheduler::~DeployScheduler() { stop(); }

void DeployScheduler::kick(const std::string& app_id) {
  {
    std::lock_guard lock(mutex_);
    if (busy_.contains(app_id)) {
      again_.insert(app_id);
      return;
    }
    busy_.insert(app_id);
  }
  post([this, app_id] { drain_app(app_id); });
}

void DeployScheduler::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void DeployScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) {
      worker.join();
    }
  }
  workers_.clear();
}

void DeployScheduler::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (stopping_) {
        return;
      }
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void DeployScheduler::drain_app(const std::string& app_id) {
  for (;;) {
    while (run_next_(app_id)) {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        break;
      }
    }
    std::lock_guard lock(mutex_);
    if (!stopping_ && again_.erase(app_id) > 0) {
      continue;
    }
    again_.erase(app_id);
    busy_.erase(app_id);
    return;
  }
}

}  // namespace berth
