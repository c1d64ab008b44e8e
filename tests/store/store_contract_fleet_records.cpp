#include "store/store_contract_fleet_records.hpp"

#include <fmt/format.h>

#include "core/time_format.hpp"

namespace berth {

std::string server_id(int n) { return fmt::format("srv_{:04}", n); }
std::string job_id(int n) { return fmt::format("job_{:04}", n); }

ServerRecord test_server(int n, int team) {
  ServerRecord server{.id = server_id(n),
                      .team_id = team_id(team),
                      .name = fmt::format("server-{}", n),
                      .address = fmt::format("10.0.0.{}", n % 250)};
  server.created_at = test_time(n);
  server.updated_at = test_time(n);
  return server;
}

ServerRecord full_server(int n, int team) {
  ServerRecord server = test_server(n, team);
  server.labels = {{"env", "prod"}, {"zone", fmt::format("z{}", n)}};
  server.status = "degraded";
  server.status_reason = "disk 95% full";
  server.scheduling = "draining";
  server.agent_token_hash = fmt::format("agent-hash-{}", n);
  server.agent_version = "0.4.1";
  server.facts = {{"hostname", fmt::format("host{}", n)}, {"cpus", 8}, {"arch", "x86_64"}};
  server.metrics = {{"cpu_percent", 12.5}, {"disks", {{{"mount", "/"}, {"used", 1}}}}};
  server.docker = {{"available", true}, {"version", "24.0.5"}};
  server.last_seen_at = test_time(n + 100, 250);
  server.connected_at = test_time(n + 50, 1);
  server.ssh_host = fmt::format("host{}.example.net", n);
  server.ssh_port = 2222;
  server.ssh_username = "deploy";
  server.ssh_host_key = "SHA256:abcdefghijklmnop";
  server.ssh_credentials_sealed = "sealed:v1:credentials";
  server.deploy_public_key = fmt::format("ssh-ed25519 AAAAC3Nza berth-{}", server.id);
  server.deploy_private_sealed = "sealed:v1:private";
  server.updated_at = test_time(n + 200, 9);
  return server;
}

InstallTokenRecord test_install_token(int n, int team, int server) {
  InstallTokenRecord token{.id = fmt::format("itk_{:04}", n),
                           .team_id = team_id(team),
                           .token_hash = fmt::format("install-hash-{}", n),
                           .created_by = user_id(1)};
  if (server != 0) {
    token.server_id = server_id(server);
  }
  token.created_at = test_time(n);
  token.expires_at = test_time(n + 3600);
  return token;
}

JobRecord test_job(int n, int team, int server) {
  JobRecord job{.id = job_id(n),
                .team_id = team_id(team),
                .server_id = server_id(server),
                .kind = "exec",
                .args_summary = {{"command", {"echo", fmt::format("{}", n)}}},
                .args_sealed = fmt::format("sealed:v1:args{}", n),
                .created_by = user_id(1)};
  job.created_at = test_time(n);
  job.queue_deadline_at = test_time(n + 60);
  return job;
}

JobRecord full_job(int n, int team, int server) {
  JobRecord job = test_job(n, team, server);
  job.kind = "docker.run";
  job.args_summary = {{"image", "nginx:1.25"}, {"env", {{"TOKEN", "***"}}}, {"ports", {80, 443}}};
  job.timeout_ms = 30'000;
  job.state = "failed";
  job.dispatched_at = test_time(n + 1, 100);
  job.started_at = test_time(n + 2, 200);
  job.finished_at = test_time(n + 9, 300);
  job.cancel_requested = true;
  job.exit_code = -9;
  job.duration_ms = 7'100;
  job.result = {{"container_id", "abc123"}, {"oom", false}};
  job.error_code = "exit_nonzero";
  job.error_message = "the process exited with 137";
  job.last_seq = 0;  // raised only by output
  return job;
}

JobOutputChunk test_chunk(int job, std::int64_t seq, std::string text) {
  JobOutputChunk chunk{.job_id = job_id(job), .seq = seq, .stream = "stdout", .text = text};
  chunk.at = test_time(static_cast<int>(seq));
  return chunk;
}

ServerEventRecord test_event(int n, int server, std::string kind) {
  ServerEventRecord event{.server_id = server_id(server), .kind = std::move(kind)};
  event.at = test_time(n);
  event.details = {{"n", n}, {"from", "online"}, {"to", "offline"}};
  return event;
}

Result<void> seed_fleet(Store& store, const FleetSeed& records) {
  return store.write([&](Tx& tx) {
    auto done = create_each(records.teams, &Tx::create_team, tx);
    if (done) {
      done = create_each(records.servers, &Tx::create_server, tx);
    }
    if (done) {
      done = create_each(records.install_tokens, &Tx::create_install_token, tx);
    }
    if (done) {
      done = create_each(records.jobs, &Tx::create_job, tx);
    }
    return done;
  });
}

std::string to_text(const ServerRecord& server) {
  return fmt::format(
      "server {} team={} name={} address={} labels={} status={} reason={} scheduling={} "
      "agent_hash={} agent_version={} facts={} metrics={} docker={} seen={} connected={} "
      "ssh={}@{}:{} host_key={} credentials={} deploy_public={} deploy_private={} created={} "
      "updated={}",
      server.id, server.team_id, server.name, server.address, server.labels.dump(), server.status,
      server.status_reason, server.scheduling, server.agent_token_hash, server.agent_version,
      server.facts.dump(), server.metrics.dump(), server.docker.dump(),
      time_text(server.last_seen_at), time_text(server.connected_at), server.ssh_username,
      server.ssh_host, server.ssh_port, server.ssh_host_key, server.ssh_credentials_sealed,
      server.deploy_public_key, server.deploy_private_sealed, time_text(server.created_at),
      time_text(server.updated_at));
}

std::string to_text(const InstallTokenRecord& token) {
  return fmt::format(
      "install_token {} team={} hash={} by={} server={} created={} expires={} "
      "used={}",
      token.id, token.team_id, token.token_hash, token.created_by, token.server_id,
      time_text(token.created_at), time_text(token.expires_at), time_text(token.used_at));
}

std::string to_text(const JobRecord& job) {
  return fmt::format(
      "job {} team={} server={} kind={} args={} sealed={} timeout={} state={} by={} created={} "
      "deadline={} dispatched={} started={} finished={} cancel={} exit={} duration={} "
      "result={} error={}:{} last_seq={}",
      job.id, job.team_id, job.server_id, job.kind, job.args_summary.dump(), job.args_sealed,
      job.timeout_ms, job.state, job.created_by, time_text(job.created_at),
      time_text(job.queue_deadline_at), time_text(job.dispatched_at), time_text(job.started_at),
      time_text(job.finished_at), job.cancel_requested,
      job.exit_code ? fmt::format("{}", *job.exit_code) : "null", job.duration_ms,
      job.result.dump(), job.error_code, job.error_message, job.last_seq);
}

std::string to_text(const JobOutputChunk& chunk) {
  return fmt::format("chunk {}#{} {} at={} '{}'", chunk.job_id, chunk.seq, chunk.stream,
                     time_text(chunk.at), chunk.text);
}

std::string to_text(const MetricPoint& point) {
  return fmt::format("point {} samples={} cpu={} load1={} mem={}/{} swap={} disk={}/{} rx={} tx={}",
                     time_text(point.bucket_start), point.samples, point.cpu_percent, point.load1,
                     point.memory_used_bytes, point.memory_total_bytes, point.swap_used_bytes,
                     point.disk_used_bytes, point.disk_total_bytes, point.net_rx_bytes_per_second,
                     point.net_tx_bytes_per_second);
}

std::string to_text(const ServerEventRecord& event) {
  return fmt::format("event #{} server={} at={} kind={} details={}", event.seq, event.server_id,
                     time_text(event.at), event.kind, event.details.dump());
}

}  // namespace berth
