#include "agent/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/log.hpp"
#include "protocol/envelope.hpp"

namespace berth::agent {
namespace {

constexpr std::string_view kStarted = "started ";
constexpr std::string_view kFinished = "finished ";

Error io_error(std::string_view what, const std::filesystem::path& path) {
  return Error::internal(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

Result<void> write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(io_error("cannot write", path));
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

// One parsed line: the job id and, for `finished`, the payload text (empty for `started`).
struct Record {
  std::string job_id;
  std::string payload;
};

std::optional<Record> parse_line(std::string_view line) {
  if (line.starts_with(kStarted)) {
    std::string id(line.substr(kStarted.size()));
    if (!protocol::is_valid_message_id(id)) {
      return std::nullopt;
    }
    return Record{.job_id = std::move(id), .payload = {}};
  }
  if (line.starts_with(kFinished)) {
    line.remove_prefix(kFinished.size());
    const auto space = line.find(' ');
    if (space == std::string_view::npos) {
      return std::nullopt;
    }
    std::string id(line.substr(0, space));
    std::string payload(line.substr(space + 1));
    if (!protocol::is_valid_message_id(id) || !nlohmann::json::accept(payload)) {
      return std::nullopt;
    }
    return Record{.job_id = std::move(id), .payload = std::move(payload)};
  }
  return std::nullopt;
}

}  // namespace

nlohmann::json Journal::lost_job_done(const std::string& job_id) {
  return {
      {"job_id", job_id},
      {"status", "lost"},
      {"exit_code", nullptr},
      {"duration_ms", 0},
      {"last_seq", 0},
      {"result", nlohmann::json::object()},
      {"error", {{"code", "agent_restarted"}, {"message", "the agent stopped while the job ran"}}}};
}

Journal::Journal(Options options) : options_(std::move(options)) {}

Journal::Journal(Journal&& other) noexcept
    : options_(std::move(other.options_)),
      fd_(std::exchange(other.fd_, -1)),
      entries_(std::move(other.entries_)),
      next_order_(other.next_order_) {}

Journal::~Journal() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

Result<Journal> Journal::open(const Options& options, std::vector<nlohmann::json>* lost_out) {
  Journal journal(options);
  std::lock_guard lock(journal.mutex_);
  std::vector<std::string> lost;
  for (const auto& [id, payload] : journal.read_records_locked()) {
    auto [it, inserted] = journal.entries_.try_emplace(id);
    if (inserted) {
      it->second.order = journal.next_order_++;
    }
    it->second.state =
        payload.empty() && it->second.state != State::finished ? State::started : State::finished;
  }
  // The file is rewritten first, so the `lost` records below append to a clean file even when
  // the old one ended in a torn line.
  if (auto compacted = journal.compact_locked(); !compacted) {
    return fail(std::move(compacted.error()));
  }
  std::vector<std::pair<std::uint64_t, std::string>> unfinished;
  for (const auto& [id, entry] : journal.entries_) {
    if (entry.state == State::started) {
      unfinished.emplace_back(entry.order, id);
    }
  }
  std::sort(unfinished.begin(), unfinished.end());
  for (const auto& [order, id] : unfinished) {
    auto payload = lost_job_done(id);
    if (auto appended = journal.append_line(std::string(kFinished) + id + " " + payload.dump());
        !appended) {
      return fail(std::move(appended.error()));
    }
    journal.entries_[id].state = State::finished;
    log::warn("agent.job_lost", {{"job_id", id}});
    if (lost_out != nullptr) {
      lost_out->push_back(std::move(payload));
    }
  }
  return journal;
}

std::vector<std::pair<std::string, std::string>> Journal::read_records_locked() const {
  std::vector<std::pair<std::string, std::string>> records;
  std::ifstream in(options_.path, std::ios::binary);
  if (!in) {
    return records;
  }
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    // A line without its newline is a record torn by a crash: getline hit EOF first.
    const bool torn = in.eof();
    auto record = torn ? std::nullopt : parse_line(line);
    if (!record) {
      log::warn("agent.journal_line_skipped",
                {{"line", static_cast<std::int64_t>(number)}, {"torn", torn}});
      continue;
    }
    records.emplace_back(std::move(record->job_id), std::move(record->payload));
  }
  return records;
}

Result<void> Journal::append_line(const std::string& line) {
  if (fd_ < 0) {
    fd_ = ::open(options_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      return fail(io_error("cannot open", options_.path));
    }
  }
  if (auto written = write_all(fd_, line + "\n", options_.path); !written) {
    return written;
  }
  if (::fdatasync(fd_) != 0) {
    return fail(io_error("cannot sync", options_.path));
  }
  return {};
}

Result<void> Journal::rewrite_locked(const std::vector<std::string>& lines) {
  const auto temp = std::filesystem::path(options_.path.string() + ".tmp");
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(io_error("cannot create", temp));
  }
  std::string text;
  for (const auto& line : lines) {
    text += line;
    text += '\n';
  }
  auto written = write_all(fd, text, temp);
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced || ::rename(temp.c_str(), options_.path.c_str()) != 0) {
    const Error error = written ? io_error("cannot replace", options_.path) : written.error();
    ::unlink(temp.c_str());
    return fail(error);
  }
  // The rename itself must reach the disk, or a crash could bring the old file back.
  const auto dir = options_.path.parent_path().empty() ? std::filesystem::path(".")
                                                       : options_.path.parent_path();
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;  // reopened on the next append, now on the new file
  }
  return {};
}

Result<void> Journal::compact_locked() {
  std::unordered_map<std::string, std::string> payloads;
  for (auto& [id, payload] : read_records_locked()) {
    if (!payload.empty()) {
      payloads[id] = std::move(payload);
    }
  }
  std::vector<std::pair<std::uint64_t, std::string>> finished;
  std::vector<std::pair<std::uint64_t, std::string>> kept;
  for (const auto& [id, entry] : entries_) {
    (entry.state == State::finished ? finished : kept).emplace_back(entry.order, id);
  }
  // Running jobs are always kept; of the finished ones, the newest fill the rest.
  std::sort(finished.begin(), finished.end());
  const std::size_t room = options_.max_jobs > kept.size() ? options_.max_jobs - kept.size() : 0;
  const std::size_t drop = finished.size() > room ? finished.size() - room : 0;
  for (std::size_t i = 0; i < drop; ++i) {
    entries_.erase(finished[i].second);
  }
  kept.insert(kept.end(), finished.begin() + static_cast<std::ptrdiff_t>(drop), finished.end());
  std::sort(kept.begin(), kept.end());

  std::vector<std::string> lines;
  for (const auto& [order, id] : kept) {
    lines.push_back(std::string(kStarted) + id);
    if (const auto payload = payloads.find(id); payload != payloads.end()) {
      lines.push_back(std::string(kFinished) + id + " " + payload->second);
    }
  }
  return rewrite_locked(lines);
}

Result<void> Journal::record_started(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  if (auto appended = append_line(std::string(kStarted) + job_id); !appended) {
    return appended;
  }
  auto& entry = entries_[job_id];
  entry.state = State::started;
  entry.order = next_order_++;
  if (entries_.size() > options_.max_jobs + options_.max_jobs / 4) {
    return compact_locked();
  }
  return {};
}

Result<void> Journal::record_finished(const std::string& job_id, const nlohmann::json& job_done) {
  std::lock_guard lock(mutex_);
  if (auto appended = append_line(std::string(kFinished) + job_id + " " + job_done.dump());
      !appended) {
    return appended;
  }
  auto [it, inserted] = entries_.try_emplace(job_id);
  if (inserted) {
    it->second.order = next_order_++;
  }
  it->second.state = State::finished;
  return {};
}

std::optional<Journal::State> Journal::state(const std::string& job_id) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(job_id);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  return it->second.state;
}

std::optional<nlohmann::json> Journal::job_done(const std::string& job_id) const {
  std::lock_guard lock(mutex_);
  if (!entries_.contains(job_id)) {
    return std::nullopt;
  }
  std::optional<nlohmann::json> found;
  for (const auto& [id, payload] : read_records_locked()) {
    if (id == job_id && !payload.empty()) {
      found = nlohmann::json::parse(payload);
    }
  }
  return found;
}

std::size_t Journal::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace berth::agent
