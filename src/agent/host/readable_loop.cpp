#include "agent/host/readable_loop.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.hpp"

namespace berth::agent::host {

Result<std::unique_ptr<ReadableLoop>> ReadableLoop::start(int fd, std::function<void()> on_readable,
                                                          std::string name,
                                                          const std::string& code) {
  int wake[2] = {-1, -1};
  if (::pipe2(wake, O_CLOEXEC) != 0) {
    return fail(
        Error{.kind = ErrorKind::unavailable,
              .code = code,
              .message = "cannot make the stop pipe of " + name + ": " + std::strerror(errno),
              .internal_detail = {}});
  }
  return std::unique_ptr<ReadableLoop>(
      new ReadableLoop(fd, wake[0], wake[1], std::move(on_readable), std::move(name)));
}

ReadableLoop::ReadableLoop(int fd, int wake_read, int wake_write, std::function<void()> on_readable,
                           std::string name)
    : fd_(fd),
      wake_read_(wake_read),
      wake_write_(wake_write),
      on_readable_(std::move(on_readable)),
      name_(std::move(name)),
      thread_([this] { run(); }) {}

ReadableLoop::~ReadableLoop() {
  const char stop = 's';
  while (::write(wake_write_, &stop, 1) < 0 && errno == EINTR) {
  }
  thread_.join();
  ::close(wake_read_);
  ::close(wake_write_);
}

void ReadableLoop::run() {
  while (true) {
    pollfd fds[2] = {{.fd = fd_, .events = POLLIN, .revents = 0},
                     {.fd = wake_read_, .events = POLLIN, .revents = 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      log::warn("agent.poll_failed", {{"listener", name_}, {"message", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents != 0) {
      return;
    }
    if (fds[0].revents != 0) {
      on_readable_();
    }
  }
}

}  // namespace berth::agent::host
