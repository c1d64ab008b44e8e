#pragma once
/// Upgrading agents from berthd (issue 17): an admin asks for one server or for every server of
/// the team whose agent is older than the release berthd serves; each gets an `agent.upgrade`
/// job {path, sha256, version} (docs/protocol.md). The agent downloads the binary from berthd,
/// checks the SHA-256, replaces itself and starts again; its next hello records the new
/// version. Audited. Blocking (store). Thread-safe.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/fleet/job_service.hpp"
#include "domain/kernel/actor.hpp"

namespace berth {

/// The agent binary berthd serves: its version (berthd's own: they are built together), its
/// SHA-256 and the API path it is downloaded from.
struct AgentRelease {
  std::string version = {};
  std::string sha256 = {};
  std::string download_path = {};
};

/// Looks the release up when asked (the binary may appear after berthd started); an error
/// (unavailable `no_agent_binary`) when berthd has none to serve.
using AgentReleaseSource = std::function<Result<AgentRelease>()>;

/// Compares dotted versions numerically ("0.9.0" < "0.10.0"); a pre-release suffix sorts
/// before its release ("1.0.0-rc1" < "1.0.0"). Negative, zero or positive.
int compare_versions(std::string_view a, std::string_view b);

/// Whether an agent reporting `agent_version` runs something older than `latest`. An agent
/// that never said its version (never connected) is not "outdated": it has nothing to upgrade.
bool agent_outdated(std::string_view agent_version, std::string_view latest);

struct AgentUpgradeStarted {
  std::string server_id = {};
  std::string server_name = {};
  std::string from_version = {};
  JobRecord job = {};
};

class AgentUpgrades {
 public:
  AgentUpgrades(FleetContext& ctx, JobService& jobs, AgentReleaseSource release)
      : ctx_(ctx), jobs_(jobs), release_(std::move(release)) {}

  /// Admin. Sends agent.upgrade to the server's agent (queued while it is offline, like any
  /// job). Errors: not_found; unprocessable `agent_not_enrolled`; conflict `agent_current`
  /// when the agent already runs the release's version or a newer one (no downgrades);
  /// unavailable `no_agent_binary`.
  Result<AgentUpgradeStarted> upgrade(const Principal& who, std::string_view team_id,
                                      std::string_view server_id, const ClientInfo& client);

  /// Admin. agent.upgrade to every enrolled server of the team whose agent is older than the
  /// release; the others are left alone. An empty list when every agent is current.
  Result<std::vector<AgentUpgradeStarted>> upgrade_outdated(const Principal& who,
                                                            std::string_view team_id,
                                                            const ClientInfo& client);

  /// The version agents are upgraded to, or "" when berthd has no agent binary.
  std::string latest_version() const;

 private:
  Result<AgentUpgradeStarted> start(const Principal& who, const ServerRecord& server,
                                    const AgentRelease& release, const ClientInfo& client);

  FleetContext& ctx_;
  JobService& jobs_;
  AgentReleaseSource release_;
};

}  // namespace berth
