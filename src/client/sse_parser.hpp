#pragma once
/// The Server-Sent Events wire format (WHATWG HTML §9.2): fed bytes as they arrive, it calls
/// back once per complete event. No I/O, so it is tested on its own.

#include <functional>
#include <string>
#include <string_view>

#include "client/client.hpp"

namespace berth::client {

class SseParser {
 public:
  /// `on_event` returns false to stop; feed() then returns false and ignores the rest.
  explicit SseParser(EventHandler on_event) : on_event_(std::move(on_event)) {}

  bool feed(std::string_view bytes);
  /// The id of the last event dispatched (ids persist across events, as in EventSource).
  const std::string& last_id() const { return last_id_; }
  void set_last_id(std::string id) {
    last_id_ = id;
    id_buffer_ = std::move(id);
  }
  /// Forgets a half-received line or event (the connection carrying it dropped); keeps the
  /// last id, from which the next connection resumes.
  void discard_partial();

 private:
  bool line(std::string_view text);

  EventHandler on_event_;
  std::string pending_;    // an incomplete line
  std::string last_id_;    // of the last complete event: where a new connection resumes
  std::string id_buffer_;  // the id field seen in the event being read
  std::string event_;
  std::string data_;
  bool has_data_ = false;
  bool skip_lf_ = false;
  bool stopped_ = false;
};

}  // namespace berth::client
