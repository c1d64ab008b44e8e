#pragma once
/// What the identity side tells the fleet side when a team is deleted: its servers' rows went
/// with it, so their agents' connections must close now (their tokens no longer authenticate,
/// so they cannot come back). Implemented by the fleet side (ServerService) and wired in
/// berthd's main, so identity does not depend on fleet; may be null in tests without agents.

#include <string>
#include <vector>

namespace berth {

class TeamTeardown {
 public:
  virtual ~TeamTeardown() = default;
  /// After the team's rows were deleted (committed): disconnect these servers' agents and
  /// forget what berthd keeps about them in memory. Does not block on the network.
  virtual void servers_removed(const std::vector<std::string>& server_ids) = 0;
};

}  // namespace berth
