#include "api/deploy_views.hpp"

#include "api/identity_views.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"

namespace berth::api {

namespace {

nlohmann::json deployment_state_schema() {
  std::vector<std::string> names;
  for (const auto& [state, name] : kDeploymentStates) {
    names.emplace_back(name);
  }
  return schema::one_of_strings(std::move(names));
}

}  // namespace

using nlohmann::json;

namespace {

json text_or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

}  // namespace

json deployment_json(const DeploymentRecord& deployment) {
  return {{"id", deployment.id},
          {"app_id", deployment.app_id},
          {"server_id", deployment.server_id},
          {"state", state_name(deployment.state)},
          {"trigger", deployment.trigger},
          {"created_by", deployment.created_by},
          {"ref", text_or_null(deployment.ref)},
          {"image", text_or_null(deployment.image)},
          {"rollback_of", text_or_null(deployment.rollback_of)},
          {"artifact", deployment.artifact},
          {"spec", deployment.spec},
          {"config_version", deployment.config_version},
          {"container_name", text_or_null(deployment.container_name)},
          {"host_port", deployment.host_port > 0 ? json(deployment.host_port) : json(nullptr)},
          {"step", text_or_null(deployment.step)},
          {"cancel_requested", deployment.cancel_requested},
          {"error_code", text_or_null(deployment.error_code)},
          {"error_message", text_or_null(deployment.error_message)},
          {"created_at", format_rfc3339(deployment.created_at)},
          {"started_at", optional_time(deployment.started_at)},
          {"finished_at", optional_time(deployment.finished_at)}};
}

json deployment_schema() {
  const json text = schema::string();
  const json object = {{"type", "object"}, {"additionalProperties", true}};
  return schema::object(
      {{"id", text},
       {"app_id", text},
       {"server_id", text},
       {"state", deployment_state_schema()},
       {"trigger", schema::one_of_strings(
                       {"api", "webhook", "deploy_hook", "rollback", "restart", "stop", "start"})},
       {"created_by", text},
       {"ref", text},
       {"image", text},
       {"rollback_of", text},
       {"artifact", object},
       {"spec", object},
       {"config_version", schema::integer()},
       {"container_name", text},
       {"host_port", schema::integer()},
       {"step", text},
       {"cancel_requested", schema::boolean()},
       {"error_code", text},
       {"error_message", text},
       {"created_at", text},
       {"started_at", text},
       {"finished_at", text}});
}

HubMessage deployment_event_message(const DeploymentEventRecord& event) {
  json data = event.data;
  data["at"] = format_rfc3339(event.at);
  return HubMessage{.event = event.event, .id = event.seq, .data = std::move(data)};
}

json deploy_hook_json(const DeployHookRecord& hook) {
  return {{"id", hook.id},
          {"app_id", hook.app_id},
          {"created_by", hook.created_by},
          {"created_at", format_rfc3339(hook.created_at)},
          {"last_used_at", optional_time(hook.last_used_at)}};
}

json deploy_hook_schema() {
  const json text = schema::string();
  return schema::object({{"id", text},
                         {"app_id", text},
                         {"created_by", text},
                         {"created_at", text},
                         {"last_used_at", text},
                         {"url", text}});
}

json proxy_settings_json(const ProxySettingsRecord& settings) {
  return {{"server_id", settings.server_id},
          {"base_domain", text_or_null(settings.base_domain)},
          {"http_port", settings.http_port},
          {"https_port", settings.https_port},
          {"tls", settings.tls},
          {"public_addresses", settings.public_addresses},
          {"acme_ca", settings.acme_ca},
          {"acme_ca_root", settings.acme_ca_root},
          {"acme_email", settings.acme_email}};
}

json proxy_settings_schema() {
  return schema::object({{"server_id", schema::string()},
                         {"base_domain", schema::string(0, 200)},
                         {"http_port", schema::integer(1, 65535)},
                         {"https_port", schema::integer(1, 65535)},
                         {"tls", schema::one_of_strings({"off", "internal", "acme"})},
                         {"public_addresses", schema::array_of(schema::string(2, 45))},
                         {"acme_ca", schema::string(0, 512)},
                         {"acme_ca_root", schema::string(0, 65536)},
                         {"acme_email", schema::string(0, 254)}});
}

}  // namespace berth::api
