#pragma once
/// The deployment workers: a small pool of threads that runs, per app, one deployment at a
/// time (the next queued one, until none is left), plus background tasks (removing a deleted
/// app's containers, re-applying a route table). Deployments of different apps run side by
/// side. Thread-safe.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace berth {

class DeployScheduler {
 public:
  /// Runs the app's next queued deployment; false when it had none.
  using RunNext = std::function<bool(const std::string& app_id)>;

  DeployScheduler(RunNext run_next, std::size_t workers);
  ~DeployScheduler();
  DeployScheduler(const DeployScheduler&) = delete;
  DeployScheduler& operator=(const DeployScheduler&) = delete;

  /// The app has queued work: a worker takes it unless one already runs the app's queue (that
  /// one then looks again before it lets go).
  void kick(const std::string& app_id);
  /// Runs `task` on a worker.
  void post(std::function<void()> task);
  /// Stops taking work and joins the workers (the running deployments see `stopping` first).
  void stop();

 private:
  void work();
  void drain_app(const std::string& app_id);

  RunNext run_next_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::set<std::string> busy_;   // apps a worker is running
  std::set<std::string> again_;  // apps kicked while busy
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace berth
