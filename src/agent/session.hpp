#pragma once
/// The agent's side of the protocol (docs/protocol.md) without sockets: it turns berthd's
/// frames into job starts, cancels and acknowledgements, and hands frames to send to a
/// callback. The connection (agent_connection.cpp) owns the WebSocket and calls in; tests
/// drive it directly.
///
/// Threads: connected/disconnected/on_frame/flush/send_heartbeat run on one thread (the
/// connection's I/O thread). Jobs run on a thread each and only touch the output buffer and
/// the journal; they ask for a flush through `Wake`, which may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/host_events.hpp"
#include "agent/job_types.hpp"
#include "agent/journal.hpp"
#include "agent/output_buffer.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"

namespace berth::agent {

/// Runs one job of a kind to its end on the calling thread.
using Executor = std::function<JobOutcome(JobContext&)>;

struct SessionOptions {
  std::string agent_version = {};
  nlohmann::json facts = nlohmann::json::object();
  std::chrono::milliseconds default_heartbeat{30'000};  // until welcome says otherwise
  std::optional<std::chrono::milliseconds> heartbeat_override = {};
  /// Output after a quiet spell goes out this soon (a line an interactive user waits for);
  /// output that keeps coming is coalesced into one frame per flush_delay, so heavy output
  /// makes no more frames than before.
  std::chrono::milliseconds first_flush_delay{2};
  std::chrono::milliseconds flush_delay{50};
  /// `log` and `job_done` frames a second at most (bursts of twice that): berthd refuses an
  /// agent's frames past 200 a second.
  double output_frames_per_second = 100;
  /// A `log` or `job_done` berthd has not acknowledged by then is sent again.
  std::chrono::milliseconds resend_after{5'000};
};

/// How soon output written `since_last_cut` after the last frame was cut goes out:
/// first_flush_delay after a quiet spell of flush_delay or more, else when the window since
/// that cut ends (at least first_flush_delay).
std::chrono::milliseconds output_flush_delay(std::chrono::milliseconds since_last_cut,
                                             const SessionOptions& options);

class Session {
 public:
  using Send = std::function<void(std::string frame)>;
  /// "Call flush() within `delay`"; any thread.
  using Wake = std::function<void(std::chrono::milliseconds delay)>;
  /// `abusive`: berthd sent more than 1,000 frames a second (burst 2,000) or more than 20 bad
  /// frames in a minute; the connection should be closed (1008) and made again.
  enum class Event { none, welcomed, abusive };

  /// `executors` maps each job kind to what runs it; its keys are the capabilities announced in
  /// hello. `lost` are the job_done payloads Journal::open produced, sent after welcome.
  Session(SessionOptions options, Journal& journal, std::map<std::string, Executor> executors,
          const Clock& clock, Random& random, Wake wake, std::vector<nlohmann::json> lost = {});
  /// Cancels running jobs and waits for their threads.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// A connection is up: sends hello through `send`. Nothing else is sent before welcome.
  void connected(Send send);
  /// The connection is gone; output keeps being buffered for the next one.
  void disconnected();
  /// One text frame from berthd. Bad frames are answered with `error`; the connection stays.
  Event on_frame(std::string_view frame);
  /// Sends buffered output and job_dones not yet sent on this connection (after welcome), at
  /// most output_frames_per_second, and again what berthd has not acknowledged within
  /// resend_after; asks through `Wake` to be called again while any of it is left.
  void flush();
  /// `events` ({kind, details}) come from elsewhere in the agent (the proxy keeper) and go
  /// out before the heartbeat, after the ones the snapshot itself causes.
  void send_heartbeat(const nlohmann::json& docker, const nlohmann::json& metrics,
                      const std::vector<nlohmann::json>& events = {});
  /// The interval in force: the override, else welcome's, else the default.
  std::chrono::milliseconds heartbeat_interval() const { return interval_; }
  bool welcomed() const { return welcomed_; }

  /// Any thread.
  std::vector<std::string> running_jobs() const;
  void cancel_all();
  /// Waits until no job runs; false when `timeout` passed first.
  bool wait_for_jobs(std::chrono::milliseconds timeout);
  OutputBuffer& buffer() { return buffer_; }

 private:
  struct RunningJob {
    std::atomic<bool> cancelled{false};
    std::thread thread;
  };
  class Sink;

  void handle_cmd(const std::string& id, const nlohmann::json& payload);
  void handle_cancel(const std::string& id, const nlohmann::json& payload);
  void handle_ack(const std::string& id, const nlohmann::json& payload);
  void start_job(const std::string& job_id, const std::string& kind, nlohmann::json args,
                 std::chrono::milliseconds timeout);
  void run_job(const std::string& job_id, const std::string& kind, nlohmann::json args,
               std::chrono::milliseconds timeout, RunningJob& job);
  void settle(nlohmann::json job_done);
  void on_output(const std::string& job_id, std::string_view stream, std::string_view text);
  void request_flush(std::chrono::milliseconds delay);
  void reap_finished();

  void send(std::string_view type, nlohmann::json payload, std::string ref = {});
  void send_as(std::string id, std::string_view type, nlohmann::json payload, std::string ref = {});
  void send_error(std::string_view code, std::string message, std::string ref = {});
  std::string next_id();

  SessionOptions options_;
  Journal& journal_;
  std::map<std::string, Executor> executors_;
  const Clock& clock_;
  /// When output was last cut into frames (clock_ ms since the epoch); on_output reads it from
  /// job threads.
  std::atomic<std::int64_t> last_cut_ms_{0};
  Wake wake_;
  OutputBuffer buffer_;
  HostEvents host_events_;

  Send send_;  // empty while disconnected
  bool welcomed_ = false;
  std::chrono::milliseconds interval_;
  std::string id_prefix_;
  std::uint64_t next_message_ = 0;
  std::atomic<bool> flush_pending_{false};
  // Inbound caps (on_frame's thread only).
  double frame_tokens_ = 2000;
  TimePoint frames_refilled_{};  // from the injected clock, so tests control the rate
  std::deque<TimePoint> recent_errors_;
  // Outbound pace of log and job_done frames (flush's thread only).
  double send_tokens_ = 2 * options_.output_frames_per_second;
  TimePoint send_refilled_{};

  mutable std::mutex jobs_mutex_;
  std::condition_variable jobs_changed_;
  std::map<std::string, std::unique_ptr<RunningJob>> running_;
  std::vector<std::unique_ptr<RunningJob>> finished_;  // threads to join
};

/// The job_done payload for an outcome (docs/protocol.md `job_done`).
nlohmann::json job_done_payload(const std::string& job_id, const JobOutcome& outcome,
                                std::int64_t duration_ms, std::uint64_t last_seq);

}  // namespace berth::agent
