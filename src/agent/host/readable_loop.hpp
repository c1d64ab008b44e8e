#pragma once
/// A thread that calls a function each time a file descriptor is readable, until the loop is
/// destroyed (a pipe wakes its poll). The agent's UDP listeners (udp_listener.hpp) and its TLS
/// ask endpoint (caddy_tls_ask.hpp) each run one. The descriptor stays the caller's to close,
/// after the loop is gone.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/error.hpp"

namespace berth::agent::host {

class ReadableLoop {
 public:
  /// Starts the thread. `name` is logged when poll fails. Errors: unavailable `code` when the
  /// wake pipe cannot be made.
  static Result<std::unique_ptr<ReadableLoop>> start(int fd, std::function<void()> on_readable,
                                                     std::string name, const std::string& code);
  ~ReadableLoop();  // wakes and joins the thread
  ReadableLoop(const ReadableLoop&) = delete;
  ReadableLoop& operator=(const ReadableLoop&) = delete;

 private:
  ReadableLoop(int fd, int wake_read, int wake_write, std::function<void()> on_readable,
               std::string name);
  void run();

  int fd_ = -1;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::function<void()> on_readable_;
  std::string name_;
  std::thread thread_;
};

}  // namespace berth::agent::host
