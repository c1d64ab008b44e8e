#pragma once
/// The JSON shapes of the fleet's resources (servers, install tokens, jobs, metrics, events)
/// and their schemas for the OpenAPI document. Secrets never appear: no token hashes, no
/// sealed credentials, no private keys.

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/principal.hpp"
#include "domain/fleet/metrics_recorder.hpp"
#include "store/fleet_records.hpp"

namespace berth::api {

/// `latest_agent_version`: berthd's, which the agent binary it serves is built with; it decides
/// `agent_update_available`.
nlohmann::json server_json(const ServerRecord& server, std::string_view latest_agent_version);
nlohmann::json server_schema();

nlohmann::json job_json(const JobRecord& job);
/// The job as `who` (with `role` in its team) sees it: `details_hidden` is true when its
/// arguments, result and output are not theirs to read (JobService blanked them).
nlohmann::json job_json_for(const JobRecord& job, const Principal& who, Role role);
nlohmann::json job_schema();

nlohmann::json metric_series_json(const MetricSeries& series);
nlohmann::json metric_series_schema();

}  // namespace berth::api
