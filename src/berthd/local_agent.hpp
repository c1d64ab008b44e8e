#pragma once
/// The embedded default: berthd enrols and runs a berth-agent on its own machine, so a new
/// user sees that machine as their first server, online, the moment the panel is up. The
/// agent is enrolled into the first user's personal team once the instance is set up (its
/// state lives under <data-dir>/local-agent), then supervised: restarted when it exits,
/// stopped with berthd.
///
/// Any job on that server runs as the agent's user, so when berthd is root the agent runs as
/// a system user of its own (default berth-agent), with a minimal environment and none of
/// berthd's descriptors: a job cannot read the data dir (keys, database) or berthd's
/// environment, and cannot keep berthd's listening port after a crash.

#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "berthd/agent_launch.hpp"
#include "domain/fleet/enrolment_service.hpp"

namespace berth {

struct LocalAgentOptions {
  std::string agent_binary;
  std::string state_dir;                   // absolute, prepared by prepare_local_agent
  std::string server_url;                  // berthd's own URL
  std::optional<AgentCredentials> run_as;  // nullopt: berthd's own user
};

struct LocalAgentSettings {
  std::string agent_binary;
  std::string data_dir;
  std::string instance_id;
  std::string user;         // --local-agent-user
  bool user_given = false;  // named by the operator, not the default
};

/// Decides who the local agent runs as and prepares its state dir. As root: finds or creates
/// the user and hands it the state dir (moving an older install's). Not root: berthd cannot
/// switch users, so the agent runs as berthd's user (logged as a warning), unless the
/// operator named another user, which is refused. Fails, with a message for the operator,
/// when berthd should not start with --local-agent. server_url is left for the caller.
Result<LocalAgentOptions> prepare_local_agent(const LocalAgentSettings& settings);

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
  /// The server it enrolled as (its agent.json); "" before it has. Any thread.
  std::string server_id() const;

 private:
  void supervise();
  bool enrolled() const;
  bool enrol();
  /// Starts the binary with `args` (see launch_agent), output appended to agent.log in the
  /// state dir; -1 when it cannot start.
  pid_t spawn(const std::vector<std::string>& args);
  /// Waits for `pid` to exit (or for stop()); its exit status, -1 when stopped.
  int wait_for(pid_t pid);
  /// Sleeps unless stop() or setup_completed() comes first; false when stopping.
  bool pause(std::chrono::milliseconds duration);

  LocalAgentOptions options_;
  std::vector<std::string> environment_;
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
