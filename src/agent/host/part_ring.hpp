#pragma once
/// The bytes of a backup between the encoder that writes them and the upload that sends them
/// as S3 parts, in one ring of a part's size plus some slack. A part is sent only once it is
/// whole (S3 needs each part's length up front), and while it is sent the encoder already
/// writes the next one into the room the upload has read. So a backup holds about one part in
/// memory instead of two (one filling, one sending), and the dump still flows while a part
/// is sent.
///
/// One producer thread (write, cut, finish) and one consumer thread (next_part, read,
/// abandon). Each copies outside the lock: the producer owns the room past what it wrote, the
/// consumer the bytes of the part it reads.

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace berth::agent::host {

class PartRing {
 public:
  explicit PartRing(std::size_t capacity) : ring_(capacity) {}

  /// Waits for room and copies `bytes` in; false once the consumer gave up. The bytes written
  /// since the last cut must fit the ring: cut before they would not.
  bool write(std::string_view bytes) {
    while (!bytes.empty()) {
      std::size_t room = 0;
      std::uint64_t at = 0;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return abandoned_ || written_ - read_ < ring_.size(); });
        if (abandoned_) {
          return false;
        }
        room = ring_.size() - static_cast<std::size_t>(written_ - read_);
        at = written_;
      }
      const std::size_t n = std::min(room, bytes.size());
      copy_in(at, bytes.substr(0, n));
      bytes.remove_prefix(n);
      std::lock_guard lock(mutex_);
      written_ += n;
    }
    return true;
  }

  /// Waits until every part was sent, then makes the ring `capacity` bytes (for larger parts);
  /// false once the consumer gave up.
  bool grow(std::size_t capacity) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return abandoned_ || (read_ == written_ && parts_.empty()); });
    if (abandoned_) {
      return false;
    }
    if (capacity > ring_.size()) {
      ring_ = std::vector<char>(capacity);  // nothing is in it: positions modulo the new size
    }
    return true;
  }

  std::size_t capacity() const {
    std::lock_guard lock(mutex_);
    return ring_.size();
  }

  /// The bytes written since the last cut.
  std::uint64_t uncut() const {
    std::lock_guard lock(mutex_);
    return written_ - cut_at_;
  }

  /// Makes the bytes written since the last cut the next part to send.
  void cut() {
    std::lock_guard lock(mutex_);
    if (written_ == cut_at_) {
      return;
    }
    parts_.push_back(written_);
    cut_at_ = written_;
    changed_.notify_all();
  }

  /// No more parts come (also when the producer failed: the consumer's owner checks that).
  void finish() {
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }

  /// Waits for the next part: its size, or nullopt once finished (or abandoned) and every cut
  /// part was taken. The previous part's bytes are given back to the producer.
  std::optional<std::uint64_t> next_part() {
    std::unique_lock lock(mutex_);
    read_ = part_end_;  // whatever of the previous part was not read
    changed_.notify_all();
    changed_.wait(lock, [this] { return abandoned_ || finished_ || !parts_.empty(); });
    if (abandoned_ || parts_.empty()) {
      return std::nullopt;
    }
    part_end_ = parts_.front();
    parts_.pop_front();
    return part_end_ - read_;
  }

  /// Copies at most `size` bytes of the current part into `out`; 0 at its end.
  std::size_t read(char* out, std::size_t size) {
    std::uint64_t at = 0;
    std::size_t n = 0;
    {
      std::lock_guard lock(mutex_);
      at = read_;
      n = static_cast<std::size_t>(std::min<std::uint64_t>(size, part_end_ - read_));
    }
    copy_out(at, out, n);
    std::lock_guard lock(mutex_);
    read_ += n;
    changed_.notify_all();
    return n;
  }

  /// The consumer gives up: pending and later writes fail.
  void abandon() {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
    changed_.notify_all();
  }

 private:
  void copy_in(std::uint64_t at, std::string_view bytes) {
    const std::size_t start = static_cast<std::size_t>(at % ring_.size());
    const std::size_t first = std::min(bytes.size(), ring_.size() - start);
    std::memcpy(ring_.data() + start, bytes.data(), first);
    std::memcpy(ring_.data(), bytes.data() + first, bytes.size() - first);
  }
  void copy_out(std::uint64_t at, char* out, std::size_t n) const {
    if (n == 0) {
      return;  // also: the ring may be growing while nothing is left to read
    }
    const std::size_t start = static_cast<std::size_t>(at % ring_.size());
    const std::size_t first = std::min(n, ring_.size() - start);
    std::memcpy(out, ring_.data() + start, first);
    std::memcpy(out + first, ring_.data(), n - first);
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<char> ring_;
  std::uint64_t written_ = 0;        // bytes written, ever
  std::uint64_t read_ = 0;           // bytes given back to the producer, ever
  std::uint64_t cut_at_ = 0;         // where the last part ended
  std::uint64_t part_end_ = 0;       // where the part being read ends
  std::deque<std::uint64_t> parts_;  // ends of the parts cut and not yet taken
  bool finished_ = false;
  bool abandoned_ = false;
};

}  // namespace berth::agent::host
