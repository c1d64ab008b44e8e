#pragma once
// berthd started with --local-agent: its own machine becomes the first server once the
// administrator is set up. Helpers to find that server and run commands on it.

#include <string>
#include <vector>

#include "integration/fleet_fixture.hpp"

namespace berth::testing {

class LocalAgentTest : public FleetTest {
 protected:
  struct Ran {
    std::string state;   // succeeded, failed, ...
    std::string output;  // every stream, in order
  };

  /// The local agent's server once it is online (fails the test on timeout).
  std::string local_server();
  /// Runs `argv` as an exec job on `server_id` and waits for it to end.
  Ran run(const std::string& server_id, const std::vector<std::string>& argv);
  /// The local agent's pid: berthd's child running berth-agent; -1 when there is none.
  pid_t agent_pid() const;
  /// Where berthd logged that the agent keeps its state ("" when it has not within 10 s).
  std::string agent_state_dir() const;
};

}  // namespace berth::testing
