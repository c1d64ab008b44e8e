#include "api/app_views.hpp"

#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/apps/app_spec.hpp"

namespace berth::api {

using nlohmann::json;

namespace {

json or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json optional_string() { return {{"type", {"string", "null"}}}; }

}  // namespace

json project_json(const ProjectRecord& project) {
  return {{"id", project.id},
          {"name", project.name},
          {"description", project.description},
          {"created_at", format_rfc3339(project.created_at)},
          {"updated_at", format_rfc3339(project.updated_at)}};
}

json project_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", schema::string()},
            {"name", schema::string()},
            {"description", schema::string()},
            {"created_at", schema::string()},
            {"updated_at", schema::string()}}}};
}

json app_json(const AppRecord& app, const ProxySettingsRecord& proxy) {
  return {{"id", app.id},
          {"name", app.name},
          {"project_id", or_null(app.project_id)},
          {"server_id", app.server_id},
          {"source", app.source},
          {"settings", app.settings},
          {"hostname", app.hostname},
          {"url", app_url(app, proxy)},
          {"status", app.status},
          {"config_version", app.config_version},
          {"deployed_config_version", app.deployed_config_version},
          {"out_of_date",
           app.deployed_config_version > 0 && app.config_version != app.deployed_config_version},
          {"current_deployment_id", or_null(app.current_deployment_id)},
          {"webhook_configured", !app.webhook_secret_sealed.empty()},
          {"created_at", format_rfc3339(app.created_at)},
          {"updated_at", format_rfc3339(app.updated_at)}};
}

json app_json(const AppView& view) { return app_json(view.app, view.proxy); }

json app_schema() {
  return {
      {"type", "object"},
      {"properties",
       {{"id", schema::string()},
        {"name", schema::string()},
        {"project_id", optional_string()},
        {"server_id", schema::string()},
        {"source", source_schema()},
        {"settings", settings_schema()},
        {"hostname", schema::string()},
        {"url", schema::string()},
        {"status", schema::one_of_strings({"new", "deploying", "running", "stopped", "failed"})},
        {"config_version", schema::integer()},
        {"deployed_config_version", schema::integer()},
        {"out_of_date", schema::boolean()},
        {"current_deployment_id", optional_string()},
        {"webhook_configured", schema::boolean()},
        {"created_at", schema::string()},
        {"updated_at", schema::string()}}}};
}

json env_entry_json(const EnvEntry& entry) {
  return {{"key", entry.key},
          {"value", entry.value},
          {"secret", entry.secret},
          {"inherited_from", or_null(entry.inherited_from)},
          {"updated_at", format_rfc3339(entry.updated_at)}};
}

json env_entry_schema() {
  return {{"type", "object"},
          {"properties",
           {{"key", schema::string()},
            {"value", schema::string()},
            {"secret", schema::boolean()},
            {"inherited_from", {{"type", {"string", "null"}}, {"enum", {"project", nullptr}}}},
            {"updated_at", schema::string()}}}};
}

}  // namespace berth::api
