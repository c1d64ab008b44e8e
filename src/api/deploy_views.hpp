#pragma once
/// The JSON views of deployments, their events, deploy hooks and proxy settings, with the
/// schemas the OpenAPI document shows.

#include <nlohmann/json.hpp>

#include "domain/kernel/event_hub.hpp"
#include "store/app_records.hpp"

namespace berth::api {

nlohmann::json deployment_json(const DeploymentRecord& deployment);
nlohmann::json deployment_schema();

/// A stored deployment event as an SSE message (id = seq).
HubMessage deployment_event_message(const DeploymentEventRecord& event);

nlohmann::json deploy_hook_json(const DeployHookRecord& hook);
nlohmann::json deploy_hook_schema();

nlohmann::json proxy_settings_json(const ProxySettingsRecord& settings);
nlohmann::json proxy_settings_schema();

}  // namespace berth::api
