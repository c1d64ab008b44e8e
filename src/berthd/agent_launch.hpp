#pragma once
/// Starts the embedded local agent as a child that holds nothing of berthd's: its own user
/// (when berthd is root), only the environment it is given, no inherited descriptor besides
/// stdin (/dev/null) and stdout/stderr (its log file), and it dies with berthd.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace berth {

/// The user the child switches to before it runs the agent.
struct AgentCredentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, replacing berthd's
};

struct AgentLaunch {
  /// Opened by berthd before the switch, then run by descriptor: it may sit where the agent
  /// user cannot look (a build tree under /root).
  std::string binary;
  std::vector<std::string> args;  // after argv[0]
  std::vector<std::string> env;   // NAME=value: the child's whole environment
  std::string work_dir;           // the child's working directory (absolute)
  /// Appended to; opened inside work_dir after the switch, never through a symlink, so the
  /// agent cannot point berthd at a file of berthd's.
  std::string log_file;
  std::optional<AgentCredentials> run_as;  // nullopt: berthd's own user
};

/// Forks and execs the agent. Returns the child's pid once the exec has happened, or an
/// unavailable error naming the step that failed (chdir, the switch of user, the exec, ...);
/// the child has then been reaped. Blocks only until the exec. Any thread may call it; the
/// child gets SIGTERM when the calling thread ends (PR_SET_PDEATHSIG), so call it from a
/// thread that lives as long as the agent should.
Result<pid_t> launch_agent(const AgentLaunch& launch);

}  // namespace berth
