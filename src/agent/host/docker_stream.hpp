#pragma once
/// Decoders for the two streamed Engine answers berth-agent reads: the multiplexed log stream
/// (8-byte frame headers) and the JSON lines of an image pull. Both are fed body chunks in
/// order, split anywhere, and are pure: no I/O, testable with literal bytes.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

namespace berth::agent::host {

/// Splits a non-TTY container's log stream into stdout and stderr. Each frame is
/// [stream, 0, 0, 0, size as 4 bytes big-endian] followed by `size` bytes; payload is handed
/// on as it arrives (a frame may span many chunks). Stream 0 (stdin) and unknown streams are
/// reported as "stdout".
class LogDemuxer {
 public:
  using Sink = std::function<void(std::string_view stream, std::string_view text)>;
  explicit LogDemuxer(Sink sink) : sink_(std::move(sink)) {}

  void feed(std::string_view chunk);
  /// True when the stream ended in the middle of a frame header or payload.
  bool truncated() const { return header_filled_ != 0 || remaining_ != 0; }

 private:
  Sink sink_;
  unsigned char header_[8] = {};
  std::size_t header_filled_ = 0;
  std::uint32_t remaining_ = 0;
  std::string_view stream_ = "stdout";
};

/// Reads the JSON lines of POST /images/create. Progress is reported once per layer and
/// status ("a1b2c3: Downloading"), not once per byte counter update, so a large pull does not
/// flood the job's log; an `error` line is remembered and reported.
class PullProgress {
 public:
  using Sink = std::function<void(std::string_view line)>;
  explicit PullProgress(Sink sink) : sink_(std::move(sink)) {}

  void feed(std::string_view chunk);
  /// Handles a last line that had no newline.
  void finish();

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  /// The "Digest: sha256:…" status line's digest, "" when none was seen.
  const std::string& digest() const { return digest_; }

 private:
  void handle_line(std::string_view line);

  Sink sink_;
  std::string partial_;
  std::string error_;
  std::string digest_;
  std::set<std::string, std::less<>> reported_;
};

}  // namespace berth::agent::host
