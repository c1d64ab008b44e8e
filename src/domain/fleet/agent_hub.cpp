#include "domain/fleet/agent_hub.hpp"

#include <fmt/format.h>

#include <vector>

#include "core/log.hpp"
#include "store/job_state.hpp"

namespace berth {

AgentHub::AgentHub(FleetContext& ctx, JobLedger& jobs, ServerBook& servers,
                   MetricsRecorder& metrics)
    : ctx_(ctx), jobs_(jobs), servers_(servers), metrics_(metrics) {}

std::string AgentHub::next_message_id() {
  return fmt::format("b{:x}", message_counter_.fetch_add(1, std::memory_order_relaxed) + 1);
}

std::int64_t AgentHub::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             ctx_.clock().now().time_since_epoch())
      .count();
}

std::shared_ptr<AgentLink> AgentHub::attach(std::string server_id,
                                            std::shared_ptr<AgentChannel> channel) {
  auto link = std::make_shared<AgentLink>(*this, server_id, std::move(channel));
  std::shared_ptr<AgentLink> previous;
  {
    std::lock_guard lock(mutex_);
    auto& slot = links_[server_id];
    previous = std::move(slot);
    slot = link;
  }
  if (previous) {
    previous->close(agent_close::replaced, "replaced by a newer connection of this server");
  }
  return link;
}

void AgentHub::detach(const AgentLink& link) {
  {
    std::lock_guard lock(mutex_);
    const auto found = links_.find(link.server_id());
    if (found == links_.end() || found->second.get() != &link) {
      return;  // already replaced or dropped by the sweep
    }
    links_.erase(found);
  }
  log::info("agent.disconnected", {{"server_id", link.server_id()}});
  if (link.greeted() && !stopping_) {
    (void)servers_.set_status(link.server_id(), "offline", "the agent disconnected");
  }
}

std::shared_ptr<AgentLink> AgentHub::link_of(std::string_view server_id) const {
  std::lock_guard lock(mutex_);
  const auto found = links_.find(std::string(server_id));
  return found == links_.end() ? nullptr : found->second;
}

bool AgentHub::kick(std::string_view server_id, std::uint16_t code, std::string reason) {
  std::shared_ptr<AgentLink> link;
  {
    std::lock_guard lock(mutex_);
    const auto found = links_.find(std::string(server_id));
    if (found == links_.end()) {
      return false;
    }
    link = std::move(found->second);
    links_.erase(found);
  }
  link->close(code, std::move(reason));
  return true;
}

bool AgentHub::connected(std::string_view server_id) const {
  const auto link = link_of(server_id);
  return link && link->greeted();
}

std::size_t AgentHub::connection_count() const {
  std::lock_guard lock(mutex_);
  return links_.size();
}

void AgentHub::send_cmd(AgentLink& link, const JobRecord& job) {
  auto args = jobs_.open_args(job);
  if (!args) {
    log::error("agent.cmd_args_unreadable", {{"job_id", job.id}, {"error", args.error().message}});
    (void)jobs_.settle(job.id, job_state::failed, "internal", "the job's arguments are unreadable");
    return;
  }
  link.send(protocol::MessageType::cmd, {{"job_id", job.id},
                                         {"kind", job.kind},
                                         {"args", std::move(*args)},
                                         {"timeout_ms", job.timeout_ms}});
}

void AgentHub::resume(AgentLink& link) {
  // Jobs berthd dispatched earlier: the cmd may never have arrived, or the job may have ended
  // while berthd was down. The agent's journal sorts out which (ack: running/finished/lost).
  if (auto in_flight = jobs_.in_flight(link.server_id()); in_flight) {
    for (const auto& job : *in_flight) {
      send_cmd(link, job);
      if (job.cancel_requested) {
        // Canceled while the agent was away: the cancel was never heard.
        link.send(protocol::MessageType::cancel, {{"job_id", job.id}});
      }
    }
  } else {
    log::error("agent.resume_failed",
               {{"server_id", link.server_id()}, {"error", in_flight.error().message}});
  }
  dispatch_queued(link.server_id());
}

void AgentHub::dispatch_queued(std::string_view server_id) {
  const auto link = link_of(server_id);
  if (!link || !link->greeted()) {
    return;  // they wait (with their queue deadline) for the agent's next hello
  }
  auto queued = jobs_.queued(server_id);
  if (!queued) {
    log::error("agent.dispatch_failed",
               {{"server_id", std::string(server_id)}, {"error", queued.error().message}});
    return;
  }
  for (const auto& job : *queued) {
    auto moved = jobs_.mark_dispatched(job.id);
    if (moved && *moved) {
      send_cmd(*link, **moved);
    }
  }
}

bool AgentHub::send_cancel(std::string_view server_id, std::string_view job_id) {
  const auto link = link_of(server_id);
  if (!link || !link->greeted()) {
    return false;
  }
  return link->send(protocol::MessageType::cancel, {{"job_id", std::string(job_id)}});
}

void AgentHub::sweep() {
  std::vector<std::shared_ptr<AgentLink>> links;
  {
    std::lock_guard lock(mutex_);
    links.reserve(links_.size());
    for (const auto& [id, link] : links_) {
      links.push_back(link);
    }
  }
  const std::int64_t now = now_ms();
  const std::int64_t interval = ctx_.policy.heartbeat_interval.count();
  const std::int64_t silence = interval * ctx_.policy.missed_heartbeats;
  for (const auto& link : links) {
    if (now - link->last_heard_ms() > silence) {
      log::warn("agent.silent", {{"server_id", link->server_id()}});
      // Forget it now rather than when the transport notices: a dead TCP peer can keep a
      // close frame pending for minutes.
      detach(*link);
      link->close(agent_close::silent, "nothing heard for 3 heartbeat intervals");
    } else if (now - link->last_ping_ms() >= interval) {
      link->ping();
    }
  }
}

Result<void> AgentHub::mark_all_offline(std::string_view reason) {
  auto servers = read_value<std::vector<ServerRecord>>(ctx_.store(), [](Tx& tx) {
    return tx.list_servers_with_status({"online", "degraded"});
  });
  if (!servers) {
    return fail(std::move(servers.error()));
  }
  std::vector<std::string> ids;
  for (const auto& server : *servers) {
    if (!connected(server.id)) {
      ids.push_back(server.id);
    }
  }
  return servers_.set_status_many(ids, "offline", std::string(reason));
}

void AgentHub::close_all(std::uint16_t code, std::string reason) {
  std::unordered_map<std::string, std::shared_ptr<AgentLink>> links;
  {
    std::lock_guard lock(mutex_);
    links.swap(links_);
  }
  for (const auto& [id, link] : links) {
    link->close(code, reason);
  }
}

}  // namespace berth
