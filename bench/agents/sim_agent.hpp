#pragma once
/// One simulated berth-agent: the real protocol of docs/protocol.md over plain ws:// — hello,
/// heartbeats with a realistic metrics payload, pong, and exec jobs that succeed at once — and
/// the real agent's reconnect policy (1 s doubling, full jitter, cap 30 s; reset after a
/// session of 60 s). Runs on the swarm's single io_context thread; nothing here is locked.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "net.hpp"
#include "protocol/envelope.hpp"

namespace swarm {

namespace protocol = berth::protocol;

class Swarm;

struct AgentIdentity {
  std::size_t index = 0;
  std::string server_id = {};
  std::string agent_token = {};
};

class SimAgent {
 public:
  SimAgent(Swarm& swarm, AgentIdentity identity);

  /// Stays connected until the swarm stops or berthd closes with 4001/4003.
  asio::awaitable<void> run();

  const AgentIdentity& identity() const { return identity_; }
  /// Welcomed and the connection still open.
  bool online() const { return online_; }
  /// The swarm's outage generation this agent was last welcomed in (see Swarm::mark_outage).
  std::uint64_t welcomed_generation = 0;

 private:
  struct Connection;
  enum class Ending { retry, refused_token, final_close };

  asio::awaitable<Ending> session();
  asio::awaitable<void> heartbeat_loop(std::shared_ptr<Connection> connection);
  static asio::awaitable<void> drain(std::shared_ptr<Connection> connection);
  void send(const std::shared_ptr<Connection>& connection, protocol::MessageType type,
            nlohmann::json payload, std::string ref = {});
  void on_frame(const std::shared_ptr<Connection>& connection, std::string_view frame);
  void on_welcome(const std::shared_ptr<Connection>& connection, const protocol::Envelope& m);
  void on_cmd(const std::shared_ptr<Connection>& connection, const protocol::Envelope& m);
  void send_job_done(const std::shared_ptr<Connection>& connection, const std::string& job_id);
  nlohmann::json facts() const;
  nlohmann::json heartbeat_payload();
  std::chrono::milliseconds next_backoff();

  Swarm& swarm_;
  const AgentIdentity identity_;
  bool online_ = false;
  bool tried_once_ = false;  // the first handshake goes through the swarm's gate
  std::uint64_t message_counter_ = 0;
  std::uint32_t attempt_ = 0;
  std::uint64_t heartbeats_sent_ = 0;
  std::chrono::milliseconds heartbeat_interval_{30'000};
  // Finished jobs whose job_done berthd has not acknowledged: job id -> the job_done's id.
  std::map<std::string, std::string> unacked_done_;
};

}  // namespace swarm
