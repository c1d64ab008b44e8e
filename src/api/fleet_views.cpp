#include "api/fleet_views.hpp"

#include "api/identity_views.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/fleet/agent_upgrades.hpp"
#include "domain/fleet/job_ledger.hpp"
#include "domain/fleet/job_service.hpp"

namespace berth::api {

using nlohmann::json;

json server_json(const ServerRecord& server, std::string_view latest_agent_version) {
  json ssh = nullptr;
  if (!server.ssh_host.empty()) {
    ssh = {{"host", server.ssh_host},
           {"port", server.ssh_port},
           {"username", server.ssh_username},
           {"host_key", server.ssh_host_key.empty() ? json(nullptr) : json(server.ssh_host_key)},
           {"credentials_kept", !server.ssh_credentials_sealed.empty()}};
  }
  return {{"id", server.id},
          {"name", server.name},
          {"address", server.address},
          {"labels", server.labels},
          {"status", server.status},
          {"status_reason", server.status_reason},
          {"scheduling", server.scheduling},
          {"agent_enrolled", !server.agent_token_hash.empty()},
          {"agent_version", server.agent_version},
          {"agent_update_available", agent_outdated(server.agent_version, latest_agent_version)},
          {"facts", server.facts},
          {"metrics", server.metrics},
          {"docker", server.docker},
          {"last_seen_at", optional_time(server.last_seen_at)},
          {"connected_at", optional_time(server.connected_at)},
          {"ssh", ssh},
          {"created_at", format_rfc3339(server.created_at)},
          {"updated_at", format_rfc3339(server.updated_at)}};
}

json server_schema() {
  const json any_object = {{"type", "object"}};
  const json optional_string = {{"type", {"string", "null"}}};
  return {{"type", "object"},
          {"properties",
           {{"id", schema::string()},
            {"name", schema::string()},
            {"address", schema::string()},
            {"labels", any_object},
            {"status", schema::one_of_strings({"pending", "adopting", "adoption_failed", "online",
                                               "degraded", "offline"})},
            {"status_reason", schema::string()},
            {"scheduling", schema::one_of_strings({"active", "cordoned", "draining"})},
            {"agent_enrolled", schema::boolean()},
            {"agent_version", schema::string()},
            {"agent_update_available", schema::boolean()},
            {"facts", any_object},
            {"metrics", any_object},
            {"docker", any_object},
            {"last_seen_at", optional_string},
            {"connected_at", optional_string},
            {"ssh", {{"type", {"object", "null"}}}},
            {"created_at", schema::string()},
            {"updated_at", schema::string()}}}};
}

json job_json(const JobRecord& job) {
  json out = job_view(job);
  out["details_hidden"] = false;
  return out;
}

json job_json_for(const JobRecord& job, const Principal& who, Role role) {
  json out = job_view(job);
  out["details_hidden"] = !may_read_job_details(job, who, role);
  return out;
}

json job_schema() {
  const json optional_string = {{"type", {"string", "null"}}};
  return {{"type", "object"},
          {"properties",
           {{"id", schema::string()},
            {"server_id", schema::string()},
            {"kind", schema::string()},
            {"args", {{"type", "object"}}},
            {"state", schema::one_of_strings({"queued", "dispatched", "running", "succeeded",
                                              "failed", "canceled", "lost"})},
            {"timeout_ms", schema::integer()},
            {"created_by", schema::string()},
            {"created_at", schema::string()},
            {"queue_deadline_at", schema::string()},
            {"dispatched_at", optional_string},
            {"started_at", optional_string},
            {"finished_at", optional_string},
            {"cancel_requested", schema::boolean()},
            {"exit_code", {{"type", {"integer", "null"}}}},
            {"duration_ms", schema::integer()},
            {"result", {{"type", "object"}}},
            {"error", {{"type", {"object", "null"}}}},
            {"output_seq", schema::integer()},
            {"details_hidden",
             {{"type", "boolean"},
              {"description",
               "true when args, result, the error message and the output are for admins only "
               "(another user's exec or Docker job)"}}}}}};
}

json metric_series_json(const MetricSeries& series) {
  json points = json::array();
  for (const auto& point : series.points) {
    points.push_back({{"at", format_rfc3339(point.bucket_start)},
                      {"samples", point.samples},
                      {"cpu_percent", point.cpu_percent},
                      {"load1", point.load1},
                      {"memory_used_bytes", point.memory_used_bytes},
                      {"memory_total_bytes", point.memory_total_bytes},
                      {"swap_used_bytes", point.swap_used_bytes},
                      {"disk_used_bytes", point.disk_used_bytes},
                      {"disk_total_bytes", point.disk_total_bytes},
                      {"net_rx_bytes_per_second", point.net_rx_bytes_per_second},
                      {"net_tx_bytes_per_second", point.net_tx_bytes_per_second}});
  }
  return {{"range", series.range},
          {"resolution_seconds", series.resolution_seconds},
          {"points", points}};
}

json metric_series_schema() {
  return {{"type", "object"},
          {"properties",
           {{"range", schema::string()},
            {"resolution_seconds", schema::integer()},
            {"points", schema::array_of({{"type", "object"}})}}}};
}

}  // namespace berth::api
