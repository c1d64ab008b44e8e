#pragma once
/// The embedded default: berthd enrols and runs a berth-agent on its own machine, so a new
/// user sees that machine as their first server, online, the moment the panel is up. The
/// agent is enrolled into the first user's personal team once the instance is set up (its
/// state lives under <data-dir>/local-agent), then supervised: restarted when it exits,
/// stopped with berthd.

#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "domain/fleet/enrolment_service.hpp"

namespace berth {

struct LocalAgentOptions {
  std::string agent_binary;
  std::string state_dir;   // <data-dir>/local-agent
  std::string server_url;  // berthd's own URL
};

class LocalAgent {
 public:
  LocalAgent(LocalAgentOptions options, EnrolmentService& enrolment, Store& store);
  ~LocalAgent();
  LocalAgent(const LocalAgent&) = delete;
  LocalAgent& operator=(const LocalAgent&) = delete;

  void start();
  /// The instance was just set up: enrol now instead of at the next poll.
  void setup_completed();
  void stop();

 private:
  void supervise();
  bool enrolled() const;
  bool enrol();
  /// Starts the binary with `args`, output appended to agent.log; -1 when it cannot start.
  pid_t spawn(const std::vector<std::string>& args);
  /// Waits for `pid` to exit (or for stop()); its exit status, -1 when stopped.
  int wait_for(pid_t pid);
  /// Sleeps unless stop() or setup_completed() comes first; false when stopping.
  bool pause(std::chrono::milliseconds duration);

  LocalAgentOptions options_;
  EnrolmentService& enrolment_;
  Store& store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool nudged_ = false;  // setup_completed() since the last pause
  pid_t child_ = -1;
  std::thread thread_;
};

}  // namespace berth
