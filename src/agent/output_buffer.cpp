#include "agent/output_buffer.hpp"

#include <algorithm>
#include <limits>

namespace berth::agent {

std::size_t utf8_cut_point(std::string_view text, std::size_t max) {
  const std::size_t end = std::min(max, text.size());
  if (end == 0) {
    return 0;
  }
  std::size_t lead = end - 1;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  for (int steps = 0; steps < 3 && lead > 0 && (byte(lead) & 0xC0U) == 0x80U; ++steps) {
    --lead;
  }
  const unsigned char first = byte(lead);
  std::size_t length = 1;
  if ((first & 0xE0U) == 0xC0U) {
    length = 2;
  } else if ((first & 0xF0U) == 0xE0U) {
    length = 3;
  } else if ((first & 0xF8U) == 0xF0U) {
    length = 4;
  }
  // A complete last character, or bytes that are not UTF-8 anyway: cut at the end. A cut at 0
  // would never make progress, so a lone partial sequence is cut as it is.
  if (lead + length <= end || lead == 0) {
    return end;
  }
  return lead;
}

bool OutputBuffer::write(const std::string& job_id, std::string_view stream,
                         std::string_view text) {
  if (text.empty()) {
    return false;
  }
  std::lock_guard lock(mutex_);
  Job& job = jobs_[job_id];
  bool ready = false;
  if (!job.pending.empty() && job.pending_stream != stream) {
    cut_locked(job, false);
    ready = true;
  }
  job.pending_stream = std::string(stream);
  job.pending.append(text);
  job.bytes += text.size();
  total_bytes_ += text.size();
  while (job.pending.size() >= limits_.chunk_bytes) {
    const std::size_t cut = utf8_cut_point(job.pending, limits_.chunk_bytes);
    std::string rest = job.pending.substr(cut);
    job.pending.resize(cut);
    std::string head = std::move(job.pending);
    job.pending = std::move(rest);
    // The bytes move from pending to a chunk: take them out before push_chunk adds them back.
    job.bytes -= head.size();
    total_bytes_ -= head.size();
    push_chunk_locked(job, job.pending_stream, std::move(head));
    ready = true;
  }
  enforce_bounds_locked(job);
  return ready;
}

void OutputBuffer::cut_all() {
  std::lock_guard lock(mutex_);
  for (auto& [id, job] : jobs_) {
    cut_locked(job, true);
  }
}

std::uint64_t OutputBuffer::close_job(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(job_id);
  if (it == jobs_.end()) {
    return 0;
  }
  cut_locked(it->second, false);
  return it->second.next_seq - 1;
}

void OutputBuffer::cut_locked(Job& job, bool keep_partial_utf8) {
  if (job.dropped_bytes > 0) {
    const std::string marker = "[berth-agent] " + std::to_string(job.dropped_bytes) +
                               " bytes of output were dropped (buffer bound)\n";
    job.dropped_bytes = 0;
    push_chunk_locked(job, "system", marker);
  }
  if (job.pending.empty()) {
    return;
  }
  const std::size_t cut =
      keep_partial_utf8 ? utf8_cut_point(job.pending, job.pending.size()) : job.pending.size();
  if (cut == 0) {
    return;
  }
  std::string head = job.pending.substr(0, cut);
  job.pending.erase(0, cut);
  job.bytes -= head.size();
  total_bytes_ -= head.size();
  push_chunk_locked(job, job.pending_stream, std::move(head));
}

void OutputBuffer::push_chunk_locked(Job& job, std::string stream, std::string text) {
  job.bytes += text.size();
  total_bytes_ += text.size();
  job.chunks.push_back(Chunk{.seq = job.next_seq++,
                             .order = next_order_++,
                             .stream = std::move(stream),
                             .text = std::move(text),
                             .sent = false,
                             .frame_id = {},
                             .sent_at = {}});
}

bool OutputBuffer::drop_oldest_locked(Job& job) {
  if (job.chunks.empty()) {
    return false;
  }
  const std::size_t size = job.chunks.front().text.size();
  job.chunks.pop_front();
  job.bytes -= size;
  total_bytes_ -= size;
  job.dropped_bytes += size;
  return true;
}

void OutputBuffer::enforce_bounds_locked(Job& writer) {
  while (writer.bytes > limits_.per_job_bytes && drop_oldest_locked(writer)) {
  }
  while (total_bytes_ > limits_.total_bytes) {
    Job* oldest = nullptr;
    for (auto& [id, job] : jobs_) {
      if (!job.chunks.empty() &&
          (oldest == nullptr || job.chunks.front().order < oldest->chunks.front().order)) {
        oldest = &job;
      }
    }
    if (oldest == nullptr || !drop_oldest_locked(*oldest)) {
      return;
    }
  }
}

void OutputBuffer::add_job_done(nlohmann::json job_done) {
  std::lock_guard lock(mutex_);
  Job& job = jobs_[job_done.at("job_id").get<std::string>()];
  job.has_job_done = true;
  job.job_done_sent = false;
  job.done_order = next_order_++;
  job.job_done = std::move(job_done);
}

void OutputBuffer::drop_chunk_locked(Job& job, std::deque<Chunk>::iterator chunk) {
  job.bytes -= chunk->text.size();
  total_bytes_ -= chunk->text.size();
  job.chunks.erase(chunk);
}

bool OutputBuffer::job_done_ready_locked(const Job& job) const {
  return job.has_job_done && job.chunks.empty() && job.pending.empty() && job.dropped_bytes == 0;
}

bool OutputBuffer::ack_log(const std::string& job_id, std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(job_id);
  if (it == jobs_.end()) {
    return false;
  }
  Job& job = it->second;
  const auto chunk = std::find_if(job.chunks.begin(), job.chunks.end(),
                                  [&](const Chunk& held) { return held.seq == seq; });
  if (chunk == job.chunks.end()) {
    return false;  // acknowledged before (a re-sent chunk berthd already had)
  }
  drop_chunk_locked(job, chunk);
  return job_done_ready_locked(job) && !job.job_done_sent;
}

void OutputBuffer::ack_job_done(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(job_id);
  // A job that is still running has no job_done to acknowledge: keep its output.
  if (it == jobs_.end() || !it->second.has_job_done) {
    return;
  }
  total_bytes_ -= it->second.bytes;
  jobs_.erase(it);
}

bool OutputBuffer::refused(const std::string& frame_id) {
  if (frame_id.empty()) {
    return false;
  }
  std::lock_guard lock(mutex_);
  for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
    Job& job = it->second;
    if (job.has_job_done && job.job_done_sent && job.job_done_frame_id == frame_id) {
      total_bytes_ -= job.bytes;
      jobs_.erase(it);
      return true;
    }
    const auto chunk = std::find_if(job.chunks.begin(), job.chunks.end(), [&](const Chunk& held) {
      return held.sent && held.frame_id == frame_id;
    });
    if (chunk != job.chunks.end()) {
      drop_chunk_locked(job, chunk);
      return true;
    }
  }
  return false;
}

std::vector<OutputBuffer::Frame> OutputBuffer::take_unsent(TimePoint now, std::size_t max_frames,
                                                           const NextId& next_id) {
  std::lock_guard lock(mutex_);
  std::vector<Frame> frames;
  // Oldest chunks first across jobs, so a paced backlog drains in the order it was written.
  std::vector<std::pair<std::uint64_t, std::pair<const std::string*, Chunk*>>> chunks;
  std::vector<std::pair<std::uint64_t, std::pair<const std::string*, Job*>>> done;
  for (auto& [id, job] : jobs_) {
    for (auto& chunk : job.chunks) {
      if (!chunk.sent) {
        chunks.push_back({chunk.order, {&id, &chunk}});
      }
    }
    if (job_done_ready_locked(job) && !job.job_done_sent) {
      done.push_back({job.done_order, {&id, &job}});
    }
  }
  std::sort(chunks.begin(), chunks.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::sort(done.begin(), done.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, entry] : chunks) {
    if (frames.size() >= max_frames) {
      return frames;
    }
    auto& [job_id, chunk] = entry;
    chunk->sent = true;
    chunk->sent_at = now;
    chunk->frame_id = next_id();
    frames.push_back(Frame{.type = "log",
                           .id = chunk->frame_id,
                           .payload = {{"job_id", *job_id},
                                       {"stream", chunk->stream},
                                       {"seq", chunk->seq},
                                       {"text", chunk->text}}});
  }
  for (auto& [order, entry] : done) {
    if (frames.size() >= max_frames) {
      return frames;
    }
    auto& [job_id, job] = entry;
    job->job_done_sent = true;
    job->job_done_sent_at = now;
    job->job_done_frame_id = next_id();
    frames.push_back(
        Frame{.type = "job_done", .id = job->job_done_frame_id, .payload = job->job_done});
  }
  return frames;
}

std::vector<OutputBuffer::Frame> OutputBuffer::take_unsent() {
  std::uint64_t counter = 0;
  return take_unsent(TimePoint{}, std::numeric_limits<std::size_t>::max(),
                     [&counter] { return std::to_string(++counter); });
}

void OutputBuffer::mark_all_unsent() {
  std::lock_guard lock(mutex_);
  for (auto& [id, job] : jobs_) {
    for (auto& chunk : job.chunks) {
      chunk.sent = false;
    }
    job.job_done_sent = false;
  }
}

bool OutputBuffer::resend_overdue(TimePoint now, std::chrono::milliseconds after) {
  std::lock_guard lock(mutex_);
  bool awaiting = false;
  for (auto& [id, job] : jobs_) {
    for (auto& chunk : job.chunks) {
      if (chunk.sent && chunk.sent_at + after <= now) {
        chunk.sent = false;
      }
      awaiting = awaiting || chunk.sent;
    }
    if (job.has_job_done && job.job_done_sent && job.job_done_sent_at + after <= now) {
      job.job_done_sent = false;
    }
    awaiting = awaiting || (job.has_job_done && job.job_done_sent);
  }
  return awaiting;
}

bool OutputBuffer::has_unsent() const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, job] : jobs_) {
    if ((job_done_ready_locked(job) && !job.job_done_sent) ||
        std::any_of(job.chunks.begin(), job.chunks.end(),
                    [](const Chunk& chunk) { return !chunk.sent; })) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> OutputBuffer::unacked_job_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, job] : jobs_) {
    if (job.has_job_done) {
      ids.push_back(id);
    }
  }
  return ids;
}

std::size_t OutputBuffer::held_bytes() const {
  std::lock_guard lock(mutex_);
  return total_bytes_;
}

std::size_t OutputBuffer::held_bytes(const std::string& job_id) const {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(job_id);
  return it == jobs_.end() ? 0 : it->second.bytes;
}

}  // namespace berth::agent
