#pragma once
/// The agent gateway's core, without HTTP: the registry of live agent links (one per server)
/// and what berthd does with each protocol message (docs/protocol.md). The transport (the
/// WebSocket, in api/) feeds frames in and gets frames out through AgentChannel.
///
/// Durability lives in the store, not in the connection: a job is `dispatched` before its cmd
/// is sent and re-sent after every hello until the agent settles it, output is acknowledged
/// only once stored, and the agent de-duplicates by job id. So either side may die at any
/// moment without a job running twice or ending silently.

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/fleet/job_ledger.hpp"
#include "domain/fleet/metrics_recorder.hpp"
#include "domain/fleet/server_book.hpp"
#include "domain/kernel/event_hub.hpp"
#include "protocol/envelope.hpp"

namespace berth {

/// Close codes of docs/protocol.md.
namespace agent_close {
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t policy_violation = 1008;
constexpr std::uint16_t revoked = 4001;
constexpr std::uint16_t replaced = 4002;
constexpr std::uint16_t deleted = 4003;
constexpr std::uint16_t silent = 4004;
}  // namespace agent_close

/// The transport under one agent connection. Thread-safe; never blocks.
class AgentChannel {
 public:
  virtual ~AgentChannel() = default;
  virtual bool send(std::string frame) = 0;
  virtual void close(std::uint16_t code, std::string reason) = 0;
};

class AgentHub;

/// One live agent connection. on_frame and on_closed are called one at a time (the transport
/// serialises them); send/close/last_heard may be called from any thread.
class AgentLink {
 public:
  AgentLink(AgentHub& hub, std::string server_id, std::shared_ptr<AgentChannel> channel);

  void on_frame(std::string_view frame);
  const std::string& server_id() const { return server_id_; }
  bool greeted() const { return greeted_.load(); }
  std::int64_t last_heard_ms() const { return last_heard_ms_.load(); }
  std::int64_t last_ping_ms() const { return last_ping_ms_.load(); }

  bool send(protocol::MessageType type, nlohmann::json payload, std::string ref = {});
  void close(std::uint16_t code, std::string reason);
  void ping();

 private:
  bool admit();  // the frame rate cap
  void refuse(std::string code, std::string message, std::string ref = {});
  void handle(const protocol::Envelope& message);
  void on_hello(const protocol::Envelope& message);
  void on_heartbeat(const protocol::Envelope& message);
  void on_log(const protocol::Envelope& message);
  void on_job_done(const protocol::Envelope& message);
  void on_ack(const protocol::Envelope& message);
  void on_event(const protocol::Envelope& message);
  /// Refuses a job-level failure: unknown_job as `error`, anything else logged.
  void refuse_job_error(const Error& error, const std::string& ref);

  AgentHub& hub_;
  const std::string server_id_;
  const std::shared_ptr<AgentChannel> channel_;
  std::atomic<bool> greeted_{false};
  std::atomic<std::int64_t> last_heard_ms_{0};
  std::atomic<std::int64_t> last_ping_ms_{0};
  // Touched only by on_frame (serialised).
  double tokens_ = 0;
  std::int64_t refilled_ms_ = 0;
  std::deque<std::int64_t> recent_errors_ms_;
  std::string status_;  // online | degraded, as last recorded
  std::string reason_;
};

class AgentHub {
 public:
  AgentHub(FleetContext& ctx, JobLedger& jobs, ServerBook& servers, MetricsRecorder& metrics);

  /// Registers a new connection for a server whose agent token was checked; an older one is
  /// closed (4002). The link waits for the agent's hello.
  std::shared_ptr<AgentLink> attach(std::string server_id, std::shared_ptr<AgentChannel> channel);
  /// The transport ended: forgets the link and marks the server offline, unless a newer link
  /// already replaced it.
  void detach(const AgentLink& link);
  /// Closes a server's live connection (revoked, deleted); true when there was one.
  bool kick(std::string_view server_id, std::uint16_t code, std::string reason);
  bool connected(std::string_view server_id) const;
  std::size_t connection_count() const;

  /// Sends the server's queued jobs when its agent is connected and greeted. Any thread.
  void dispatch_queued(std::string_view server_id);
  /// Tells the server's agent to cancel a job; false when it is not connected.
  bool send_cancel(std::string_view server_id, std::string_view job_id);
  /// Liveness: pings links due for one and drops those silent for missed_heartbeats
  /// intervals (the server goes offline). Called about once a second.
  void sweep();
  /// At start-up: servers the store still shows connected are offline until they return.
  Result<void> mark_all_offline(std::string_view reason);
  /// Closes every link (shutdown).
  void close_all(std::uint16_t code, std::string reason);
  /// berthd is stopping: links that end now leave their server's status alone (the next
  /// start marks them all offline in one transaction; 10,000 commits would hold the exit).
  void stopping() { stopping_ = true; }

  // For AgentLink.
  FleetContext& ctx() { return ctx_; }
  JobLedger& jobs() { return jobs_; }
  ServerBook& servers() { return servers_; }
  MetricsRecorder& metrics() { return metrics_; }
  std::string next_message_id();
  std::int64_t now_ms() const;
  void send_cmd(AgentLink& link, const JobRecord& job);
  /// The hello handler's follow-up: re-send in-flight cmds, then dispatch queued jobs.
  void resume(AgentLink& link);

 private:
  std::shared_ptr<AgentLink> link_of(std::string_view server_id) const;

  FleetContext& ctx_;
  JobLedger& jobs_;
  ServerBook& servers_;
  MetricsRecorder& metrics_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<AgentLink>> links_;
  std::atomic<std::uint64_t> message_counter_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace berth
