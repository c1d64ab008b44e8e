#include "agent/host/docker_stream.hpp"

#include <algorithm>

namespace berth::agent::host {
namespace {

// The Engine's JSON is trusted for shape only as far as this: a non-string reads as "".
std::string string_field(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

void LogDemuxer::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    if (remaining_ == 0) {
      const std::size_t take = std::min(chunk.size(), sizeof(header_) - header_filled_);
      std::copy_n(chunk.begin(), take, header_ + header_filled_);
      header_filled_ += take;
      chunk.remove_prefix(take);
      if (header_filled_ < sizeof(header_)) {
        return;
      }
      header_filled_ = 0;
      stream_ = header_[0] == 2 ? "stderr" : "stdout";
      remaining_ = (std::uint32_t{header_[4]} << 24) | (std::uint32_t{header_[5]} << 16) |
                   (std::uint32_t{header_[6]} << 8) | std::uint32_t{header_[7]};
      continue;
    }
    const std::size_t take = std::min<std::size_t>(chunk.size(), remaining_);
    sink_(stream_, chunk.substr(0, take));
    remaining_ -= static_cast<std::uint32_t>(take);
    chunk.remove_prefix(take);
  }
}

void PullProgress::feed(std::string_view chunk) {
  partial_.append(chunk);
  std::size_t start = 0;
  for (auto end = partial_.find('\n'); end != std::string::npos; end = partial_.find('\n', start)) {
    handle_line(std::string_view(partial_).substr(start, end - start));
    start = end + 1;
  }
  partial_.erase(0, start);
}

void PullProgress::finish() {
  if (!partial_.empty()) {
    handle_line(partial_);
    partial_.clear();
  }
}

void PullProgress::handle_line(std::string_view line) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
    return;
  }
  const auto event = nlohmann::json::parse(line, nullptr, false);
  if (!event.is_object()) {
    sink_(line);
    return;
  }
  if (event.contains("error")) {
    const auto detail = event.find("errorDetail");
    if (detail != event.end() && detail->is_object()) {
      error_ = string_field(*detail, "message");
    }
    if (error_.empty()) {
      error_ =
          event["error"].is_string() ? event["error"].get<std::string>() : event["error"].dump();
    }
    if (error_.empty()) {
      error_ = "the pull failed";
    }
    sink_("error: " + error_);
    return;
  }
  const std::string status = string_field(event, "status");
  const std::string id = string_field(event, "id");
  if (status.starts_with("Digest: ")) {
    digest_ = status.substr(8);
  }
  std::string text = id.empty() ? status : id + ": " + status;
  if (text.empty() || !reported_.insert(text).second) {
    return;
  }
  sink_(text);
}

}  // namespace berth::agent::host
