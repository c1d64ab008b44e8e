#pragma once
// A base fixture for the deployment domain tests: the identity fixture's store and clock, the
// fleet services over them (no agent connects: jobs stay queued), a DeploymentService with one
// worker, a TriggerService, and a team with a server and an app written straight to the store.

#include <memory>
#include <ostream>

#include "domain/deploy/deployment_service.hpp"
#include "domain/deploy/trigger_service.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/job_ledger.hpp"
#include "domain/fleet/metrics_recorder.hpp"
#include "domain/fleet/server_book.hpp"
#include "domain/kernel/in_process_event_hub.hpp"
#include "support/identity_fixture.hpp"

namespace berth {
/// Test failures name a deployment state instead of its number.
inline void PrintTo(DeploymentState state, std::ostream* out) { *out << state_name(state); }
}  // namespace berth

namespace berth::testing {

class DeployTest : public IdentityTest {
 protected:
  /// `parts`: the pipeline's step runner and sleeper (default: the agent round trip, which no
  /// agent answers here, and real sleeping).
  explicit DeployTest(PipelineParts parts = {});
  ~DeployTest() override;

  /// An app of the owner's team on the server; `source` as AppRecord.source.
  AppRecord add_app(const std::string& name, nlohmann::json source);
  /// A finished deployment of `app` serving on `host_port`, made current.
  DeploymentRecord serve(AppRecord& app, std::int64_t host_port);
  std::vector<DeploymentRecord> deployments_of(const std::string& app_id);

  UserRecord owner_ = user("owner@example.com", "Owner");
  std::string team_ = owner_.personal_team_id;
  FleetContext fleet_{{services_}, {}};
  InProcessEventHub events_;
  MetricsRecorder metrics_{fleet_};
  JobLedger ledger_{fleet_, events_};
  ServerBook book_{fleet_, events_};
  AgentHub hub_{fleet_, ledger_, book_, metrics_};
  JobService jobs_{fleet_, hub_};
  std::unique_ptr<DeploymentService> deployments_;
  TriggerService triggers_{services_, *deployments_};
  ServerRecord server_;
};

}  // namespace berth::testing
