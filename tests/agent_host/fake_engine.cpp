#include "fake_engine.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace berth::agent::host::testing {
namespace {

// Waits for `fd` to be readable, giving up when `stopping` is set.
bool wait_readable(int fd, const std::atomic<bool>& stopping) {
  while (!stopping.load()) {
    pollfd entry{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&entry, 1, 20) > 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

FakeEngine::FakeEngine(Responder responder)
    : socket_path_(dir_.file("docker.sock")), responder_(std::move(responder)) {
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path_.c_str(), sizeof(address.sun_path) - 1);
  if (listen_fd_ < 0 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listen_fd_, 8) != 0) {
    throw std::runtime_error("fake engine: cannot listen on " + socket_path_);
  }
  thread_ = std::thread([this] { serve(); });
}

FakeEngine::~FakeEngine() {
  stopping_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::vector<SeenRequest> FakeEngine::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void FakeEngine::serve() {
  while (wait_readable(listen_fd_, stopping_)) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      handle(fd);
      ::close(fd);
    }
  }
}

void FakeEngine::handle(int fd) {
  std::string received;
  char buffer[4096];
  std::size_t head_end = std::string::npos;
  std::size_t body_size = 0;
  while (head_end == std::string::npos || received.size() < head_end + 4 + body_size) {
    if (!wait_readable(fd, stopping_)) {
      return;
    }
    const auto got = ::read(fd, buffer, sizeof(buffer));
    if (got <= 0) {
      return;
    }
    received.append(buffer, static_cast<std::size_t>(got));
    if (head_end == std::string::npos && (head_end = received.find("\r\n\r\n")) != received.npos) {
      const auto length = received.find("Content-Length: ");
      if (length != std::string::npos && length < head_end) {
        body_size = std::stoul(received.substr(length + 16));
      }
    }
  }
  SeenRequest request;
  const auto space = received.find(' ');
  request.method = received.substr(0, space);
  request.target = received.substr(space + 1, received.find(' ', space + 1) - space - 1);
  request.body = received.substr(head_end + 4, body_size);
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
  }
  const std::string reply = responder_(request);
  if (reply.empty()) {
    wait_readable(fd, stopping_);  // hold the connection, unanswered, until the client leaves
    return;
  }
  std::size_t sent = 0;
  while (sent < reply.size()) {
    const auto wrote = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
    if (wrote <= 0) {
      return;
    }
    sent += static_cast<std::size_t>(wrote);
  }
}

std::string FakeEngine::answer(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string FakeEngine::chunked(int status, const std::vector<std::string>& chunks) {
  std::string out =
      "HTTP/1.1 " + std::to_string(status) + " X\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const auto& chunk : chunks) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
    out += size + chunk + "\r\n";
  }
  return out + "0\r\n\r\n";
}

}  // namespace berth::agent::host::testing
