#include "integration/dropping_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace berth::testing {
namespace {

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

DroppingProxy::DroppingProxy(std::uint16_t upstream_port, int drops, std::size_t cut_after)
    : upstream_port_(upstream_port), drops_(drops), cut_after_(cut_after) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("the proxy cannot listen");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

DroppingProxy::~DroppingProxy() {
  stop_ = true;
  thread_.join();
  ::close(listener_);
}

void DroppingProxy::serve() {
  while (!stop_) {
    pollfd waiting{.fd = listener_, .events = POLLIN, .revents = 0};
    if (::poll(&waiting, 1, 50) <= 0) {
      continue;
    }
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client >= 0) {
      relay(client);
      ::close(client);
    }
  }
}

void DroppingProxy::relay(int client) {
  const int upstream = connect_loopback(upstream_port_);
  if (upstream < 0) {
    return;
  }
  std::string request_head;  // enough of the request to see its path
  std::string answer_head;   // the answer until its blank line: cut_after counts the body
  bool cut = false;
  std::size_t answered = 0;
  char buffer[8192];
  while (!stop_) {
    pollfd fds[2] = {{.fd = client, .events = POLLIN, .revents = 0},
                     {.fd = upstream, .events = POLLIN, .revents = 0}};
    if (::poll(fds, 2, 100) <= 0) {
      continue;
    }
    if ((fds[0].revents & (POLLIN | POLLHUP)) != 0) {
      const auto n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0 || !send_all(upstream, buffer, static_cast<std::size_t>(n))) {
        break;
      }
      if (request_head.size() < 1024) {
        request_head.append(buffer, static_cast<std::size_t>(n));
        const auto line = request_head.substr(0, request_head.find('\r'));
        cut = line.find("/events") != std::string::npos && dropped_ < drops_;
      }
    }
    if ((fds[1].revents & (POLLIN | POLLHUP)) != 0) {
      auto n = ::recv(upstream, buffer, sizeof buffer, 0);
      if (n <= 0) {
        break;
      }
      const auto size = static_cast<std::size_t>(n);
      std::size_t head = 0;  // bytes of this read that belong to the answer's head
      if (answer_head.find("\r\n\r\n") == std::string::npos) {
        const auto before = answer_head.size();
        answer_head.append(buffer, size);
        const auto end = answer_head.find("\r\n\r\n");
        head = end == std::string::npos ? size : end + 4 - before;
      }
      if (cut && answered + (size - head) >= cut_after_) {
        send_all(client, buffer, head + cut_after_ - answered);
        ++dropped_;
        break;  // both connections close mid-answer
      }
      answered += size - head;
      if (!send_all(client, buffer, size)) {
        break;
      }
    }
  }
  ::close(upstream);
}

}  // namespace berth::testing
