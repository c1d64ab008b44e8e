#include "agent/host/udp_listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "agent/host/job_args.hpp"
#include "core/log.hpp"

namespace berth::agent::host {

Result<std::unique_ptr<UdpListener>> UdpListener::start(const std::string& ip, int port,
                                                        std::size_t max_datagram, Handler handler,
                                                        std::string_view field,
                                                        std::string_view bind_code) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1 || port < 0 || port > 65535) {
    return fail(invalid_arg(field, "must be an IPv4 address and a port: " + ip));
  }
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const auto bind_error = [&](const char* what) {
    return Error{.kind = ErrorKind::unavailable,
                 .code = std::string(bind_code),
                 .message = std::string(what) + " " + ip + ":" + std::to_string(port) + ": " +
                            std::strerror(errno),
                 .internal_detail = {}};
  };
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(bind_error("cannot open a UDP socket for"));
  }
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    auto error = bind_error("cannot bind");
    ::close(fd);
    return fail(std::move(error));
  }
  int wake[2] = {-1, -1};
  if (::pipe2(wake, O_CLOEXEC) != 0) {
    auto error = bind_error("cannot make the stop pipe of");
    ::close(fd);
    return fail(std::move(error));
  }
  return std::unique_ptr<UdpListener>(new UdpListener(ip, ntohs(addr.sin_port), fd, wake[0],
                                                      wake[1], max_datagram, std::move(handler)));
}

UdpListener::UdpListener(std::string ip, int port, int fd, int wake_read, int wake_write,
                         std::size_t max_datagram, Handler handler)
    : ip_(std::move(ip)),
      port_(port),
      fd_(fd),
      wake_read_(wake_read),
      wake_write_(wake_write),
      max_datagram_(max_datagram),
      handler_(std::move(handler)),
      thread_([this] { serve(); }) {}

UdpListener::~UdpListener() {
  const char stop = 's';
  while (::write(wake_write_, &stop, 1) < 0 && errno == EINTR) {
  }
  thread_.join();
  ::close(fd_);
  ::close(wake_read_);
  ::close(wake_write_);
}

void UdpListener::serve() {
  std::vector<char> buffer(max_datagram_);
  while (true) {
    pollfd fds[2] = {{.fd = fd_, .events = POLLIN, .revents = 0},
                     {.fd = wake_read_, .events = POLLIN, .revents = 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      log::warn("agent.udp_poll_failed",
                {{"address", address()}, {"message", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents != 0) {
      return;
    }
    if (fds[0].revents == 0) {
      continue;
    }
    sockaddr_storage from{};
    socklen_t from_length = sizeof from;
    const auto got = ::recvfrom(fd_, buffer.data(), buffer.size(), 0,
                                reinterpret_cast<sockaddr*>(&from), &from_length);
    if (got < 0) {
      continue;  // EINTR, or an ICMP error of an earlier answer's peer: nothing to answer
    }
    const auto answer = handler_(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    if (answer) {
      // A lost answer is retried by the asker; nothing to do about a failed send.
      (void)::sendto(fd_, answer->data(), answer->size(), 0, reinterpret_cast<sockaddr*>(&from),
                     from_length);
    }
  }
}

}  // namespace berth::agent::host
