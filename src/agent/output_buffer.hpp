#pragma once
/// What the agent owes berthd: each job's output cut into `log` chunks (seq from 1 per job,
/// across streams) and each finished job's `job_done`, kept until berthd acknowledges them so
/// they survive a reconnect or a refusal (docs/protocol.md, `log` and `job_done`). Memory is
/// bounded per job and in all; past a bound the oldest unacknowledged chunks are dropped and a
/// `system` chunk says how many bytes were lost. Thread-safe: jobs write from their own threads,
/// the connection takes frames from its I/O thread.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace berth::agent {

class OutputBuffer {
 public:
  struct Limits {
    std::size_t per_job_bytes = 4 * 1024 * 1024;
    std::size_t total_bytes = 32 * 1024 * 1024;
    std::size_t chunk_bytes = 64 * 1024;  // the protocol's log text limit per frame
  };

  /// A frame to send: "log" or "job_done", its envelope id and its payload.
  struct Frame {
    std::string type;
    std::string id;
    nlohmann::json payload;
  };
  using NextId = std::function<std::string()>;

  OutputBuffer() : OutputBuffer(Limits{}) {}
  explicit OutputBuffer(Limits limits) : limits_(limits) {}

  /// Appends output of a running job. Text is coalesced until cut(); a chunk is cut at once when
  /// it reaches chunk_bytes or the stream changes. Returns true when a chunk is ready to send.
  bool write(const std::string& job_id, std::string_view stream, std::string_view text);

  /// Cuts every job's pending text into chunks (the periodic flush). An incomplete UTF-8
  /// sequence at the end stays pending so a character is never split across frames.
  void cut_all();

  /// Cuts the job's remaining text and returns its last seq (0 when it produced no chunk).
  std::uint64_t close_job(const std::string& job_id);

  /// Keeps a job_done (its "job_id" names the job) until ack_job_done(). A job_done already
  /// buffered for the job is replaced.
  void add_job_done(nlohmann::json job_done);

  /// berthd stored the job's chunk `seq` (acks are per chunk: berthd may refuse one chunk and
  /// store the next). True when that was the job's last unacknowledged chunk and its job_done
  /// is waiting to go out.
  bool ack_log(const std::string& job_id, std::uint64_t seq);
  /// berthd stored the job's job_done: the job is forgotten.
  void ack_job_done(const std::string& job_id);
  /// berthd refused the frame `frame_id` for good (unknown job, no more output): it is dropped
  /// instead of being sent again. False when no held frame has that id.
  bool refused(const std::string& frame_id);

  /// Frames to send now, each given an id by `next_id` and remembered as sent at `now`: unsent
  /// chunks in seq order, then the job_dones of jobs whose every chunk berthd has acknowledged
  /// (so a job's output is stored before it ends), in the order the jobs finished; at most
  /// `max_frames`. They stay buffered until acknowledged.
  std::vector<Frame> take_unsent(TimePoint now, std::size_t max_frames, const NextId& next_id);
  /// All of them, with ids "1", "2", ... (tests).
  std::vector<Frame> take_unsent();
  /// A new connection: everything unacknowledged is to be sent again.
  void mark_all_unsent();
  /// Frames sent at or before `now - after` and still unacknowledged (refused while berthd was
  /// busy, or lost with it) are to be sent again. True while any sent frame awaits its ack.
  bool resend_overdue(TimePoint now, std::chrono::milliseconds after);
  /// Whether take_unsent has anything to give.
  bool has_unsent() const;

  /// Jobs whose job_done is buffered (hello's `unacked`).
  std::vector<std::string> unacked_job_ids() const;
  /// Bytes of text held (chunks and pending text).
  std::size_t held_bytes() const;
  /// Bytes of one job's text held.
  std::size_t held_bytes(const std::string& job_id) const;

 private:
  struct Chunk {
    std::uint64_t seq = 0;
    std::uint64_t order = 0;  // global age, to find the oldest chunk of all jobs
    std::string stream;
    std::string text;
    bool sent = false;
    std::string frame_id;  // of its last sending
    TimePoint sent_at{};
  };
  struct Job {
    std::uint64_t next_seq = 1;
    std::string pending_stream;
    std::string pending;
    std::deque<Chunk> chunks;
    std::size_t bytes = 0;  // chunks' and pending text
    std::size_t dropped_bytes = 0;
    bool has_job_done = false;
    bool job_done_sent = false;
    std::string job_done_frame_id;
    TimePoint job_done_sent_at{};
    std::uint64_t done_order = 0;
    nlohmann::json job_done;
  };

  void cut_locked(Job& job, bool keep_partial_utf8);
  void push_chunk_locked(Job& job, std::string stream, std::string text);
  void enforce_bounds_locked(Job& writer);
  bool drop_oldest_locked(Job& job);
  void drop_chunk_locked(Job& job, std::deque<Chunk>::iterator chunk);
  bool job_done_ready_locked(const Job& job) const;

  Limits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, Job> jobs_;
  std::size_t total_bytes_ = 0;
  std::uint64_t next_order_ = 0;
};

/// Where text may be cut at or before `max` without splitting a UTF-8 sequence.
std::size_t utf8_cut_point(std::string_view text, std::size_t max);

}  // namespace berth::agent
