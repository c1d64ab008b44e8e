#include "agent/session.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "protocol/envelope.hpp"

namespace berth::agent {
namespace {

using protocol::MessageType;
using std::chrono::milliseconds;

constexpr milliseconds kMinInterval{100};
constexpr milliseconds kMaxInterval{3'600'000};

std::int64_t unix_ms(const Clock& clock) {
  return std::chrono::duration_cast<milliseconds>(clock.now().time_since_epoch()).count();
}

const std::string* job_id_of(const nlohmann::json& payload) {
  const auto it = payload.find("job_id");
  if (it == payload.end() || !it->is_string() ||
      !protocol::is_valid_message_id(it->get_ref<const std::string&>())) {
    return nullptr;
  }
  return &it->get_ref<const std::string&>();
}

std::optional<std::int64_t> positive_int(const nlohmann::json& payload, std::string_view key) {
  const auto it = payload.find(key);
  if (it == payload.end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0) {
    return std::nullopt;
  }
  return it->get<std::int64_t>();
}

}  // namespace

nlohmann::json job_done_payload(const std::string& job_id, const JobOutcome& outcome,
                                std::int64_t duration_ms, std::uint64_t last_seq) {
  nlohmann::json error = nullptr;
  if (!outcome.error_code.empty()) {
    error = {{"code", outcome.error_code}, {"message", outcome.error_message}};
  }
  return {{"job_id", job_id},
          {"status", outcome.status},
          {"exit_code", outcome.exit_code ? nlohmann::json(*outcome.exit_code) : nullptr},
          {"duration_ms", duration_ms},
          {"last_seq", last_seq},
          {"result", outcome.result},
          {"error", std::move(error)}};
}

class Session::Sink final : public JobOutput {
 public:
  Sink(Session& session, std::string job_id) : session_(session), job_id_(std::move(job_id)) {}
  void write(std::string_view stream, std::string_view text) override {
    session_.on_output(job_id_, stream, text);
  }

 private:
  Session& session_;
  std::string job_id_;
};

Session::Session(SessionOptions options, Journal& journal,
                 std::map<std::string, Executor> executors, const Clock& clock, Random& random,
                 Wake wake, std::vector<nlohmann::json> lost)
    : options_(std::move(options)),
      journal_(journal),
      executors_(std::move(executors)),
      clock_(clock),
      wake_(std::move(wake)),
      interval_(options_.heartbeat_override.value_or(options_.default_heartbeat)),
      id_prefix_("a" + random_hex(random, 4) + ".") {
  for (auto& job_done : lost) {
    buffer_.add_job_done(std::move(job_done));
  }
}

Session::~Session() {
  cancel_all();
  wait_for_jobs(milliseconds::max());
  reap_finished();
}

std::string Session::next_id() { return id_prefix_ + std::to_string(++next_message_); }

void Session::send(std::string_view type, nlohmann::json payload, std::string ref) {
  send_as(next_id(), type, std::move(payload), std::move(ref));
}

void Session::send_as(std::string id, std::string_view type, nlohmann::json payload,
                      std::string ref) {
  if (!send_) {
    return;
  }
  const auto message_type = protocol::parse_message_type(type);
  send_(protocol::encode_envelope(protocol::make_envelope(
      *message_type, std::move(id), unix_ms(clock_), std::move(payload), std::move(ref))));
}

void Session::send_error(std::string_view code, std::string message, std::string ref) {
  log::warn("agent.frame_refused", {{"code", code}, {"message", message}});
  send("error", {{"code", code}, {"message", std::move(message)}}, std::move(ref));
}

void Session::connected(Send send_frame) {
  send_ = std::move(send_frame);
  welcomed_ = false;
  nlohmann::json capabilities = nlohmann::json::array();
  for (const auto& [kind, executor] : executors_) {
    capabilities.push_back(kind);
  }
  send("hello", {{"agent_version", options_.agent_version},
                 {"capabilities", std::move(capabilities)},
                 {"facts", options_.facts},
                 {"running", running_jobs()},
                 {"unacked", buffer_.unacked_job_ids()}});
}

void Session::disconnected() {
  send_ = nullptr;
  welcomed_ = false;
}

Session::Event Session::on_frame(std::string_view frame) {
  constexpr double kFramesPerSecond = 1000;
  constexpr double kFrameBurst = 2000;
  constexpr std::size_t kErrorsPerMinute = 20;
  const TimePoint now = clock_.now();
  if (frames_refilled_ == TimePoint{} || now < frames_refilled_) {
    frames_refilled_ = now;  // first frame, or the wall clock stepped back
  }
  frame_tokens_ =
      std::min(kFrameBurst,
               frame_tokens_ + kFramesPerSecond *
                                   std::chrono::duration<double>(now - frames_refilled_).count());
  frames_refilled_ = now;
  if (frame_tokens_ < 1) {
    return Event::abusive;
  }
  frame_tokens_ -= 1;
  auto decoded = protocol::decode_envelope(frame);
  if (!decoded) {
    send_error(decoded.error().code, decoded.error().message);
    while (!recent_errors_.empty() && now - recent_errors_.front() > std::chrono::minutes(1)) {
      recent_errors_.pop_front();
    }
    recent_errors_.push_back(now);
    return recent_errors_.size() > kErrorsPerMinute ? Event::abusive : Event::none;
  }
  const protocol::Envelope& envelope = *decoded;
  switch (*protocol::parse_message_type(envelope.type)) {
    case MessageType::welcome: {
      if (!options_.heartbeat_override) {
        const auto interval = positive_int(envelope.payload, "heartbeat_interval_ms");
        interval_ = interval ? std::clamp(milliseconds(*interval), kMinInterval, kMaxInterval)
                             : options_.default_heartbeat;
      }
      welcomed_ = true;
      log::info("agent.welcomed",
                {{"server_id", envelope.payload.value("server_id", std::string())},
                 {"heartbeat_ms", static_cast<std::int64_t>(interval_.count())}});
      // Everything unacknowledged goes again, in order: berthd ignores what it already has.
      buffer_.mark_all_unsent();
      flush();
      return Event::welcomed;
    }
    case MessageType::ping:
      send("pong", nlohmann::json::object(), envelope.id);
      return Event::none;
    case MessageType::cmd:
      handle_cmd(envelope.id, envelope.payload);
      return Event::none;
    case MessageType::cancel:
      handle_cancel(envelope.id, envelope.payload);
      return Event::none;
    case MessageType::ack:
      handle_ack(envelope.id, envelope.payload);
      return Event::none;
    case MessageType::pong:
      return Event::none;
    case MessageType::error: {
      const std::string code = envelope.payload.value("code", std::string());
      log::warn("agent.berthd_error",
                {{"code", code},
                 {"message", envelope.payload.value("message", std::string())},
                 {"ref", envelope.ref}});
      // Refused for good: sending it again cannot help. Anything else (berthd busy, say) is
      // sent again when its ack is overdue.
      if ((code == "unknown_job" || code == "output_refused" || code == "invalid_payload") &&
          buffer_.refused(envelope.ref)) {
        request_flush(milliseconds(0));  // a job_done may have been waiting for that chunk
      }
      return Event::none;
    }
    default:
      send_error("unknown_type", "berth-agent does not accept " + envelope.type, envelope.id);
      return Event::none;
  }
}

void Session::handle_cmd(const std::string& id, const nlohmann::json& payload) {
  const std::string* job_id = job_id_of(payload);
  const auto kind = payload.find("kind");
  const auto args = payload.find("args");
  const bool has_timeout = payload.contains("timeout_ms");
  const auto timeout = positive_int(payload, "timeout_ms");
  if (job_id == nullptr || kind == payload.end() || !kind->is_string() ||
      (args != payload.end() && !args->is_object()) || (has_timeout && !timeout)) {
    send_error("invalid_payload", "cmd needs job_id, kind, args (object) and a positive timeout_ms",
               id);
    return;
  }
  const auto ack = [&](std::string_view state) {
    send("ack", {{"job_id", *job_id}, {"state", state}}, id);
  };
  {
    std::lock_guard lock(jobs_mutex_);
    if (running_.contains(*job_id)) {
      ack("running");
      return;
    }
  }
  if (journal_.state(*job_id) == Journal::State::finished) {
    // Never run twice: the journal's job_done answers for it, again.
    auto job_done = journal_.job_done(*job_id).value_or(Journal::lost_job_done(*job_id));
    ack(job_done.value("status", std::string()) == "lost" ? "lost" : "finished");
    buffer_.add_job_done(std::move(job_done));
    request_flush(milliseconds(0));
    return;
  }
  ack("accepted");
  start_job(*job_id, kind->get<std::string>(),
            args == payload.end() ? nlohmann::json::object() : *args,
            timeout ? milliseconds(*timeout) : milliseconds(600'000));
}

void Session::handle_cancel(const std::string& id, const nlohmann::json& payload) {
  const std::string* job_id = job_id_of(payload);
  if (job_id == nullptr) {
    send_error("invalid_payload", "cancel needs a job_id", id);
    return;
  }
  {
    std::lock_guard lock(jobs_mutex_);
    if (const auto it = running_.find(*job_id); it != running_.end()) {
      it->second->cancelled = true;
      log::info("agent.job_cancel", {{"job_id", *job_id}});
      return;
    }
  }
  if (auto job_done = journal_.job_done(*job_id)) {
    buffer_.add_job_done(std::move(*job_done));
    request_flush(milliseconds(0));
    return;
  }
  // Recorded as a finished job, so a cmd for it that arrives later is not run.
  JobOutcome outcome;
  outcome.status = "canceled";
  outcome.error_code = "canceled";
  outcome.error_message = "the job was canceled before the agent started it";
  auto job_done = job_done_payload(*job_id, outcome, 0, 0);
  if (auto recorded = journal_.record_finished(*job_id, job_done); !recorded) {
    log::error("agent.journal_failed", {{"detail", recorded.error().internal_detail}});
  }
  settle(std::move(job_done));
}

void Session::handle_ack(const std::string& id, const nlohmann::json& payload) {
  const std::string* job_id = job_id_of(payload);
  const auto seq = payload.find("seq");
  if (job_id == nullptr || (seq != payload.end() && !seq->is_number_unsigned())) {
    send_error("invalid_payload", "ack needs a job_id and, for log, a seq", id);
    return;
  }
  if (seq != payload.end()) {
    if (buffer_.ack_log(*job_id, seq->get<std::uint64_t>())) {
      request_flush(milliseconds(0));  // the job's output is stored: its job_done can go
    }
  } else {
    buffer_.ack_job_done(*job_id);
  }
}

void Session::start_job(const std::string& job_id, const std::string& kind, nlohmann::json args,
                        milliseconds timeout) {
  if (auto recorded = journal_.record_started(job_id); !recorded) {
    // Without the record a crash could run the job twice; refuse it instead.
    log::error("agent.journal_failed", {{"detail", recorded.error().internal_detail}});
    settle(job_done_payload(
        job_id, JobOutcome::failed("journal_failed", "the agent cannot write its journal"), 0, 0));
    return;
  }
  log::info("agent.job_started", {{"job_id", job_id}, {"kind", kind}});
  std::lock_guard lock(jobs_mutex_);
  auto job = std::make_unique<RunningJob>();
  RunningJob& ref = *job;
  running_.emplace(job_id, std::move(job));
  ref.thread = std::thread([this, job_id, kind, args = std::move(args), timeout, &ref]() mutable {
    run_job(job_id, kind, std::move(args), timeout, ref);
  });
}

void Session::run_job(const std::string& job_id, const std::string& kind, nlohmann::json args,
                      milliseconds timeout, RunningJob& job) {
  const auto started = std::chrono::steady_clock::now();
  Sink sink(*this, job_id);
  JobContext context{.job_id = job_id,
                     .kind = kind,
                     .args = std::move(args),
                     .timeout = timeout,
                     .output = sink,
                     .cancelled = job.cancelled};
  JobOutcome outcome;
  const auto executor = executors_.find(kind);
  if (executor == executors_.end()) {
    outcome = JobOutcome::failed("unknown_kind", "this agent cannot run jobs of kind " + kind);
  } else {
    try {
      outcome = executor->second(context);
    } catch (const std::exception& e) {
      log::error("agent.job_crashed", {{"job_id", job_id}, {"what", e.what()}});
      outcome = JobOutcome::failed("internal", "the agent failed while running the job");
    }
  }
  const auto duration =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  auto job_done = job_done_payload(job_id, outcome, duration.count(), buffer_.close_job(job_id));
  // The journal first: once it says finished, a restart re-sends this job_done instead of
  // reporting the job lost.
  if (auto recorded = journal_.record_finished(job_id, job_done); !recorded) {
    log::error("agent.journal_failed", {{"detail", recorded.error().internal_detail}});
  }
  log::info("agent.job_finished", {{"job_id", job_id}, {"status", outcome.status}});
  buffer_.add_job_done(std::move(job_done));
  {
    std::lock_guard lock(jobs_mutex_);
    auto it = running_.find(job_id);
    finished_.push_back(std::move(it->second));
    running_.erase(it);
  }
  jobs_changed_.notify_all();
  request_flush(milliseconds(0));
}

void Session::settle(nlohmann::json job_done) {
  buffer_.add_job_done(std::move(job_done));
  request_flush(milliseconds(0));
}

void Session::on_output(const std::string& job_id, std::string_view stream, std::string_view text) {
  const bool chunk_ready = buffer_.write(job_id, stream, text);
  if (chunk_ready) {
    request_flush(milliseconds(0));
    return;
  }
  const milliseconds since_cut(
      std::chrono::duration_cast<milliseconds>(clock_.now().time_since_epoch()).count() -
      last_cut_ms_.load());
  request_flush(output_flush_delay(since_cut, options_));
}

milliseconds output_flush_delay(milliseconds since_last_cut, const SessionOptions& options) {
  // Quiet until now: out almost at once. Still flowing: with the next frame of the window.
  if (since_last_cut >= options.flush_delay) {
    return options.first_flush_delay;
  }
  return std::max(options.first_flush_delay, options.flush_delay - since_last_cut);
}

void Session::request_flush(milliseconds delay) {
  // One pending delayed flush is enough: it sends everything that accumulated meanwhile.
  if (delay.count() == 0 || !flush_pending_.exchange(true)) {
    wake_(delay);
  }
}

void Session::flush() {
  flush_pending_ = false;
  reap_finished();
  if (!send_ || !welcomed_) {
    buffer_.cut_all();
    return;
  }
  const TimePoint now = clock_.now();
  buffer_.resend_overdue(now, options_.resend_after);
  // While earlier frames wait for the pace, new text keeps coalescing: fewer, larger chunks.
  if (!buffer_.has_unsent()) {
    buffer_.cut_all();
    last_cut_ms_ = std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count();
  }
  if (send_refilled_ == TimePoint{} || now < send_refilled_) {
    send_refilled_ = now;
  }
  const double per_second = options_.output_frames_per_second;
  send_tokens_ = std::min(
      2 * per_second,
      send_tokens_ + per_second * std::chrono::duration<double>(now - send_refilled_).count());
  send_refilled_ = now;
  const auto allowed = static_cast<std::size_t>(std::max(0.0, send_tokens_));
  auto frames = buffer_.take_unsent(now, allowed, [this] { return next_id(); });
  send_tokens_ -= static_cast<double>(frames.size());
  for (auto& frame : frames) {
    send_as(std::move(frame.id), frame.type, std::move(frame.payload));
  }
  // Come back when the pace allows more, or when an unacknowledged frame is due again.
  if (buffer_.has_unsent()) {
    wake_(milliseconds(static_cast<std::int64_t>(1000.0 / per_second) + 1));
  } else if (buffer_.resend_overdue(now, options_.resend_after)) {  // (nothing is overdue now)
    wake_(options_.resend_after);
  }
}

void Session::send_heartbeat(const nlohmann::json& docker, const nlohmann::json& metrics,
                             const std::vector<nlohmann::json>& events) {
  for (auto& event : host_events_.observe(docker, metrics)) {
    send("event", std::move(event));
  }
  for (const auto& event : events) {
    send("event", event);
  }
  send("heartbeat",
       {{"agent_version", options_.agent_version}, {"docker", docker}, {"metrics", metrics}});
}

std::vector<std::string> Session::running_jobs() const {
  std::lock_guard lock(jobs_mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, job] : running_) {
    ids.push_back(id);
  }
  return ids;
}

void Session::cancel_all() {
  std::lock_guard lock(jobs_mutex_);
  for (auto& [id, job] : running_) {
    job->cancelled = true;
  }
}

bool Session::wait_for_jobs(milliseconds timeout) {
  std::unique_lock lock(jobs_mutex_);
  const auto done = [&] { return running_.empty(); };
  if (timeout == milliseconds::max()) {
    jobs_changed_.wait(lock, done);
    return true;
  }
  return jobs_changed_.wait_for(lock, timeout, done);
}

void Session::reap_finished() {
  std::vector<std::unique_ptr<RunningJob>> done;
  {
    std::lock_guard lock(jobs_mutex_);
    done.swap(finished_);
  }
  for (auto& job : done) {
    job->thread.join();
  }
}

}  // namespace berth::agent
