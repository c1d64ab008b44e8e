#pragma once
/// The rows of the fleet: servers and their agents, install tokens, jobs and their output,
/// metrics time series and server events. Agent and install tokens are stored only as
/// hashes; SSH credentials, job arguments and deploy keys only sealed with the master key.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace berth {

struct ServerRecord {
  std::string id = {};  // "srv_…"
  std::string team_id = {};
  std::string name = {};     // unique within the team
  std::string address = {};  // what the user calls it by (host of an SSH adoption, or free text)
  nlohmann::json labels = nlohmann::json::object();  // string → string
  /// pending (no agent yet) | adopting | adoption_failed | online | degraded | offline
  std::string status = "pending";
  std::string status_reason = {};
  /// active | cordoned (no new work) | draining (no new work; its work is being moved)
  std::string scheduling = "active";
  std::string agent_token_hash = {};  // SHA-256 hex; "" when no agent is enrolled or revoked
  std::string agent_version = {};
  nlohmann::json facts = nlohmann::json::object();    // hostname, os, arch, cpus, ...
  nlohmann::json metrics = nlohmann::json::object();  // the latest heartbeat's snapshot
  nlohmann::json docker = nlohmann::json::object();   // the latest heartbeat's docker status
  std::optional<TimePoint> last_seen_at = {};
  std::optional<TimePoint> connected_at = {};
  // SSH adoption: the target and the host key trusted on first use.
  std::string ssh_host = {};
  std::int64_t ssh_port = 0;
  std::string ssh_username = {};
  std::string ssh_host_key = {};            // "SHA256:…"; "" before the first adoption
  std::string ssh_credentials_sealed = {};  // only when the user asked to keep them
  // The git deploy key: generated once, private part sealed.
  std::string deploy_public_key = {};  // "ssh-ed25519 AAAA… berth-<server id>"
  std::string deploy_private_sealed = {};
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct InstallTokenRecord {
  std::string id = {};  // "itk_…"
  std::string team_id = {};
  std::string token_hash = {};  // SHA-256 hex
  std::string created_by = {};  // user id, or "system" (adoption, the local agent)
  /// When set, registering with this token enrols into this existing server (adoption)
  /// instead of creating a new one.
  std::string server_id = {};
  TimePoint created_at{};
  TimePoint expires_at{};
  std::optional<TimePoint> used_at = {};
};

struct JobRecord {
  std::string id = {};  // "job_…"
  std::string team_id = {};
  std::string server_id = {};
  std::string kind = {};  // exec, docker.run, ssh.adopt, ...
  /// The arguments as shown to users: env values and other secrets replaced by "***".
  nlohmann::json args_summary = nlohmann::json::object();
  std::string args_sealed = {};  // the full arguments, sealed with the master key
  std::int64_t timeout_ms = 600'000;
  /// queued | dispatched | running | succeeded | failed | canceled | lost
  std::string state = "queued";
  std::string created_by = {};  // user id, API key id, or "system"
  TimePoint created_at{};
  TimePoint queue_deadline_at{};  // a queued job not dispatched by then fails
  std::optional<TimePoint> dispatched_at = {};
  std::optional<TimePoint> started_at = {};
  std::optional<TimePoint> finished_at = {};
  bool cancel_requested = false;
  std::optional<std::int64_t> exit_code = {};
  std::int64_t duration_ms = 0;
  nlohmann::json result = nlohmann::json::object();
  std::string error_code = {};
  std::string error_message = {};
  std::int64_t last_seq = 0;  // highest output seq stored
};

struct JobQuery {
  std::string team_id = {};              // "" = any team
  std::string server_id = {};            // "" = any server
  std::vector<std::string> states = {};  // empty = any state
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

struct JobOutputChunk {
  std::string job_id = {};
  std::int64_t seq = 0;     // 1, 2, … per job, across streams
  std::string stream = {};  // stdout | stderr | system
  std::string text = {};
  TimePoint at{};
};

/// One heartbeat's figures, as folded into the time series.
struct MetricSample {
  std::string server_id = {};
  TimePoint at{};
  double cpu_percent = 0;
  double load1 = 0;
  double memory_used_bytes = 0;
  double memory_total_bytes = 0;
  double swap_used_bytes = 0;
  double disk_used_bytes = 0;  // all real mounts together
  double disk_total_bytes = 0;
  double net_rx_bytes_per_second = 0;
  double net_tx_bytes_per_second = 0;
};

/// One bucket of a series: the mean of the samples that fell into it.
struct MetricPoint {
  TimePoint bucket_start{};
  std::int64_t samples = 0;
  double cpu_percent = 0;
  double load1 = 0;
  double memory_used_bytes = 0;
  double memory_total_bytes = 0;
  double swap_used_bytes = 0;
  double disk_used_bytes = 0;
  double disk_total_bytes = 0;
  double net_rx_bytes_per_second = 0;
  double net_tx_bytes_per_second = 0;
};

struct ServerEventRecord {
  std::int64_t seq = 0;  // assigned by the store; increasing per store
  std::string server_id = {};
  TimePoint at{};
  std::string kind = {};  // status_changed, agent_connected, agent_event, job_lost, ...
  nlohmann::json details = nlohmann::json::object();
};

}  // namespace berth
