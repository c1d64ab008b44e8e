#pragma once
/// The JSON views of projects, apps and env vars, with the schemas the OpenAPI document
/// shows. Env values of secrets never appear (the services mask them); no sealed columns.

#include <nlohmann/json.hpp>
#include <vector>

#include "domain/apps/app_service.hpp"
#include "domain/apps/env_service.hpp"
#include "store/app_records.hpp"

namespace berth::api {

nlohmann::json project_json(const ProjectRecord& project);
nlohmann::json project_schema();

/// The app with its `url` through the server's proxy (`proxy`: the stored settings or the
/// defaults) and `out_of_date` (deployed at least once, and changed since).
nlohmann::json app_json(const AppRecord& app, const ProxySettingsRecord& proxy);
nlohmann::json app_json(const AppView& view);
nlohmann::json app_schema();

nlohmann::json env_entry_json(const EnvEntry& entry);
nlohmann::json env_entry_schema();

}  // namespace berth::api
