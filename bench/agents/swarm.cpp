#include "swarm.hpp"

namespace swarm {

Swarm::Swarm(asio::io_context& io, SwarmOptions options, std::vector<AgentIdentity> identities)
    : io_(io), options_(options) {
  agents_.reserve(identities.size());
  for (auto& identity : identities) {
    agents_.push_back(std::make_unique<SimAgent>(*this, std::move(identity)));
  }
}

void Swarm::start() {
  started_ = Clock::now();
  for (auto& agent : agents_) {
    asio::co_spawn(io_, agent->run(), asio::detached);
  }
}

asio::awaitable<void> Swarm::acquire_first_handshake() {
  asio::steady_timer wait(io_);
  while (first_in_flight_ >= options_.first_handshakes_in_flight) {
    wait.expires_after(std::chrono::milliseconds(2));
    error_code ec;
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  ++first_in_flight_;
}

Clock::time_point Swarm::heartbeat_slot(std::size_t index, std::chrono::milliseconds interval,
                                        Clock::time_point now) const {
  const auto period = std::chrono::duration_cast<Clock::duration>(interval);
  const auto offset = period * static_cast<std::int64_t>(index) /
                      static_cast<std::int64_t>(agents_.empty() ? 1 : agents_.size());
  const auto anchor = started_ + offset;
  if (now < anchor) {
    return anchor;
  }
  const auto periods = (now - anchor) / period + 1;
  return anchor + periods * period;
}

void Swarm::on_welcome(SimAgent& agent) {
  ++counters_.welcomes;
  ++online_;
  if (agent.welcomed_generation < generation_) {
    agent.welcomed_generation = generation_;
    if (++back_count_ == agents_.size()) {
      all_back_at_ = Clock::now();
    }
  }
}

void Swarm::on_offline(SimAgent& /*agent*/) {
  ++counters_.closes;
  --online_;
  const auto now = Clock::now();
  if (!last_close_ || now - *last_close_ > std::chrono::seconds(1)) {
    close_burst_started_ = now;
  }
  last_close_ = now;
}

void Swarm::on_cmd(const std::string& job_id) { dispatched_.try_emplace(job_id, Clock::now()); }

void Swarm::on_job_settled(const std::string& job_id) { settled_[job_id] = Clock::now(); }

std::optional<Clock::time_point> Swarm::take_dispatched(const std::string& job_id) {
  const auto found = dispatched_.find(job_id);
  if (found == dispatched_.end()) {
    return std::nullopt;
  }
  const auto at = found->second;
  dispatched_.erase(found);
  return at;
}

void Swarm::mark_outage(Clock::time_point signalled_at) {
  ++generation_;
  const bool burst_before =
      last_close_ && signalled_at - close_burst_started_ < std::chrono::seconds(5);
  outage_started_ = burst_before ? close_burst_started_ : signalled_at;
  close_lead_ = signalled_at - outage_started_;
  all_back_at_.reset();
  back_count_ = 0;
}

std::optional<Clock::time_point> Swarm::take_settled(const std::string& job_id) {
  const auto found = settled_.find(job_id);
  if (found == settled_.end()) {
    return std::nullopt;
  }
  const auto at = found->second;
  settled_.erase(found);
  return at;
}

SimAgent* Swarm::random_online_agent() {
  if (online_ == 0) {
    return nullptr;
  }
  std::uniform_int_distribution<std::size_t> pick(0, agents_.size() - 1);
  for (int tries = 0; tries < 1000; ++tries) {
    auto& agent = agents_[pick(rng_)];
    if (agent->online()) {
      return agent.get();
    }
  }
  return nullptr;
}

}  // namespace swarm
