#pragma once
/// Test records for the fleet parts of the Store contract (servers, install tokens, jobs,
/// output, metrics, events), in the manner of store_contract_records.hpp: builders with
/// distinct values derived from a number, one-transaction seeding, and a text form of each
/// record so that a test compares whole records and a failure prints every field.

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "store/store_contract_records.hpp"

namespace berth {

std::string server_id(int n);  // "srv_0001"
std::string job_id(int n);     // "job_0001"

/// srv_000n of team_id(team), named "server-n" at "10.0.0.n", pending and active, created and
/// updated at test_time(n); no agent, no SSH target, no deploy key.
ServerRecord test_server(int n, int team);
/// test_server with every column away from its default (agent token "agent-hash-n").
ServerRecord full_server(int n, int team);
/// itk_000n of team_id(team) with hash "install-hash-n", created at test_time(n), expiring an
/// hour later; bound to server_id(server) unless server is 0.
InstallTokenRecord test_install_token(int n, int team, int server = 0);
/// job_000n of team_id(team) on server_id(server): a queued "exec", created at test_time(n).
JobRecord test_job(int n, int team, int server);
/// test_job with every column away from its default: finished, with an exit code and result.
JobRecord full_job(int n, int team, int server);
/// Chunk `seq` of job_id(job) on stdout, at test_time(seq).
JobOutputChunk test_chunk(int job, std::int64_t seq, std::string text);
/// An event of server_id(server) at test_time(n).
ServerEventRecord test_event(int n, int server, std::string kind = "status_changed");

/// Records created in one write transaction, in this member order.
struct FleetSeed {
  std::vector<TeamRecord> teams = {};
  std::vector<ServerRecord> servers = {};
  std::vector<InstallTokenRecord> install_tokens = {};
  std::vector<JobRecord> jobs = {};
};
Result<void> seed_fleet(Store& store, const FleetSeed& records);

/// Runs `fn` in a write transaction and returns its Result (the value type is fn's).
template <class F>
auto write_tx(Store& store, F fn) {
  using Value = typename std::invoke_result_t<F, Tx&>::value_type;
  std::optional<Value> out;
  auto done = store.write([&](Tx& tx) -> Result<void> {
    auto value = fn(tx);
    if (!value) {
      return fail(std::move(value.error()));
    }
    out = std::move(*value);
    return {};
  });
  return done ? Result<Value>(std::move(*out)) : Result<Value>(fail(std::move(done.error())));
}

std::string to_text(const ServerRecord& server);
std::string to_text(const InstallTokenRecord& token);
std::string to_text(const JobRecord& job);
std::string to_text(const JobOutputChunk& chunk);
std::string to_text(const MetricPoint& point);
std::string to_text(const ServerEventRecord& event);

}  // namespace berth
