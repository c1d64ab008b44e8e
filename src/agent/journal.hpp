#pragma once
/// The agent's job journal: an append-only file in the state directory that survives a crash,
/// so a re-sent `cmd` is never run twice and a job that was running when the agent died is
/// reported `lost` (docs/protocol.md, `ack` states). Lines are `started <id>` and
/// `finished <id> <job_done payload JSON>`; each record is fsync'd before the call returns.
/// Only the last `max_jobs` jobs are kept: the file is rewritten (temp file + rename) when it
/// holds a quarter more. Thread-safe.

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"

namespace berth::agent {

class Journal {
 public:
  enum class State { started, finished };

  struct Options {
    std::filesystem::path path;
    std::size_t max_jobs = 2000;
  };

  /// Reads the file (a torn or corrupt line is skipped and logged), converts every job that was
  /// started but never finished into a finished `lost` job_done, and rewrites the file compactly.
  /// `lost_out` receives the payloads of those jobs, oldest first; the caller sends them
  /// after `welcome`. Fails when the file cannot be read or written.
  static Result<Journal> open(const Options& options, std::vector<nlohmann::json>* lost_out);

  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&&) = delete;
  Journal(const Journal&) = delete;
  ~Journal();

  /// Records that the job starts now.
  Result<void> record_started(const std::string& job_id);
  /// Records the job's final job_done payload (it must carry "job_id").
  Result<void> record_finished(const std::string& job_id, const nlohmann::json& job_done);

  /// The journal's state of a job, or nullopt when it does not know it.
  std::optional<State> state(const std::string& job_id) const;
  /// The recorded job_done payload of a finished job (read back from the file: payloads are not
  /// kept in memory), or nullopt.
  std::optional<nlohmann::json> job_done(const std::string& job_id) const;
  /// How many jobs the journal currently remembers.
  std::size_t size() const;

  /// The job_done payload for a job that was running when the agent stopped.
  static nlohmann::json lost_job_done(const std::string& job_id);

 private:
  struct Entry {
    State state = State::started;
    std::uint64_t order = 0;  // when it was first started; compaction keeps the newest
  };
  explicit Journal(Options options);

  Result<void> append_line(const std::string& line);
  Result<void> rewrite_locked(const std::vector<std::string>& lines);
  Result<void> compact_locked();
  // All lines of the file that parse, in file order.
  std::vector<std::pair<std::string, std::string>> read_records_locked() const;

  Options options_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t next_order_ = 0;
};

}  // namespace berth::agent
