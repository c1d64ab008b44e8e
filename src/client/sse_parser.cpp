#include "client/sse_parser.hpp"

namespace berth::client {

bool SseParser::feed(std::string_view bytes) {
  for (const char c : bytes) {
    if (stopped_) {
      return false;
    }
    if (skip_lf_) {  // the LF of a CRLF whose CR already ended the line
      skip_lf_ = false;
      if (c == '\n') {
        continue;
      }
    }
    if (c == '\r' || c == '\n') {
      skip_lf_ = c == '\r';
      stopped_ = !line(pending_);
      pending_.clear();
    } else {
      pending_ += c;
    }
  }
  return !stopped_;
}

void SseParser::discard_partial() {
  pending_.clear();
  event_.clear();
  data_.clear();
  has_data_ = false;
  skip_lf_ = false;
  id_buffer_ = last_id_;
}

bool SseParser::line(std::string_view text) {
  if (text.empty()) {  // the blank line ends an event; only then does its id count
    last_id_ = id_buffer_;
    if (!has_data_) {
      event_.clear();
      return true;
    }
    SseEvent event{.id = last_id_, .event = event_.empty() ? "message" : event_, .data = data_};
    event_.clear();
    data_.clear();
    has_data_ = false;
    return on_event_(event);
  }
  if (text.front() == ':') {  // a comment (heartbeats)
    return true;
  }
  const auto colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) {
      data_ += '\n';
    }
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_ = value;
  } else if (field == "id" && value.find('\0') == std::string_view::npos) {
    id_buffer_ = value;
  }
  return true;
}

}  // namespace berth::client
