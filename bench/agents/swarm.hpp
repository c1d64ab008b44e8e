#pragma once
/// N simulated agents in one process, and what the driver measures about them: how many are
/// online, when all of them were welcomed again after an outage, when berthd acknowledged a
/// job's job_done. One io_context thread; nothing here is locked.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "net.hpp"
#include "sim_agent.hpp"

namespace swarm {

using Clock = std::chrono::steady_clock;

struct SwarmOptions {
  tcp::endpoint server;
  std::chrono::milliseconds heartbeat_override{0};  // 0: the interval berthd's welcome says
  std::size_t first_handshakes_in_flight = 256;     // only the first connection of each agent
  bool tcp_no_delay = true;  // as berth-agent (false shows what Nagle's algorithm costs)
};

struct SwarmCounters {
  std::uint64_t welcomes = 0;
  std::uint64_t connect_failures = 0;  // TCP connect or upgrade failed
  std::uint64_t token_refusals = 0;    // upgrade answered 401
  std::uint64_t closes = 0;            // welcomed connections that ended
  std::uint64_t heartbeats = 0;
  std::uint64_t pings = 0;
  std::uint64_t cmds = 0;
  std::uint64_t acks = 0;
  std::uint64_t errors = 0;  // `error` frames from berthd
  std::uint64_t bytes_sent = 0;
};

class Swarm {
 public:
  Swarm(asio::io_context& io, SwarmOptions options, std::vector<AgentIdentity> identities);

  /// Spawns every agent's connection loop.
  void start();
  /// Stops reconnecting (agents end at their next close).
  void stop() { stopping_ = true; }
  bool stopping() const { return stopping_; }

  asio::io_context& io() { return io_; }
  const SwarmOptions& options() const { return options_; }
  std::size_t size() const { return agents_.size(); }
  std::size_t online() const { return online_; }
  SwarmCounters& counters() { return counters_; }

  /// Gate for an agent's very first handshake, so the initial connect does not flood berthd's
  /// listen backlog; reconnections are spread by the backoff's jitter instead, as in a fleet.
  asio::awaitable<void> acquire_first_handshake();
  void release_first_handshake() { --first_in_flight_; }

  /// Agent `index`'s next heartbeat time after `now`: agents are spread evenly over the
  /// interval, on a grid anchored at the swarm's start.
  Clock::time_point heartbeat_slot(std::size_t index, std::chrono::milliseconds interval,
                                   Clock::time_point now) const;

  void on_welcome(SimAgent& agent);
  void on_offline(SimAgent& agent);
  void on_cmd(const std::string& job_id);
  void on_job_settled(const std::string& job_id);

  /// Starts an outage clock (berthd was just killed): all_back_at() is set when every agent has
  /// been welcomed again since. The clock starts at the first close of the burst the kill
  /// caused when the swarm saw it before the signal (it handles 10,000 closes first).
  void mark_outage(Clock::time_point signalled_at);
  Clock::time_point outage_started() const { return outage_started_; }
  /// How long before the signal the first close of the kill's burst was seen (0 if none was).
  Clock::duration close_lead() const { return close_lead_; }
  std::optional<Clock::time_point> all_back_at() const { return all_back_at_; }
  std::size_t back_since_outage() const { return back_count_; }

  /// When berthd acknowledged the job's job_done, if it has; forgets it.
  std::optional<Clock::time_point> take_settled(const std::string& job_id);
  /// When the job's cmd reached its agent, if it has; forgets it.
  std::optional<Clock::time_point> take_dispatched(const std::string& job_id);
  /// A uniformly random online agent, nullptr when none is.
  SimAgent* random_online_agent();

 private:
  asio::io_context& io_;
  SwarmOptions options_;
  std::vector<std::unique_ptr<SimAgent>> agents_;
  SwarmCounters counters_;
  bool stopping_ = false;
  std::size_t online_ = 0;
  std::size_t first_in_flight_ = 0;
  Clock::time_point started_ = Clock::now();
  std::uint64_t generation_ = 0;
  Clock::time_point outage_started_ = {};
  Clock::duration close_lead_ = {};
  std::optional<Clock::time_point> last_close_;
  Clock::time_point close_burst_started_ = {};
  std::optional<Clock::time_point> all_back_at_;
  std::size_t back_count_ = 0;
  std::unordered_map<std::string, Clock::time_point> settled_;
  std::unordered_map<std::string, Clock::time_point> dispatched_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace swarm
