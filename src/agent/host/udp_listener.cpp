#include "agent/host/udp_listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "agent/host/job_args.hpp"

namespace berth::agent::host {

Result<std::unique_ptr<UdpListener>> UdpListener::start(const std::string& ip, int port,
                                                        std::size_t max_datagram, Handler handler,
                                                        std::string_view field,
                                                        std::string_view bind_code, int inherited) {
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
  const in_addr wanted_ip = addr.sin_addr;
  const int fd = inherited >= 0 ? inherited : ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(bind_error("cannot open a UDP socket for"));
  }
  socklen_t length = sizeof addr;
  if (inherited >= 0) {
    int type = 0;
    socklen_t type_length = sizeof type;
    // Only a UDP socket on the asked address is taken over; anything else is closed.
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
        ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 || type != SOCK_DGRAM ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0 ||
        addr.sin_family != AF_INET || addr.sin_addr.s_addr != wanted_ip.s_addr ||
        (port != 0 && ntohs(addr.sin_port) != port)) {
      ::close(fd);
      errno = EINVAL;
      return fail(bind_error("cannot take over the socket for"));
    }
  } else if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
             ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    auto error = bind_error("cannot bind");
    ::close(fd);
    return fail(std::move(error));
  }
  auto listener = std::unique_ptr<UdpListener>(
      new UdpListener(ip, ntohs(addr.sin_port), fd, max_datagram, std::move(handler)));
  auto loop = ReadableLoop::start(
      fd, [raw = listener.get()] { raw->receive(); }, "udp " + listener->address(),
      std::string(bind_code));
  if (!loop) {
    return fail(std::move(loop.error()));  // the listener closes the socket
  }
  listener->loop_ = std::move(*loop);
  return listener;
}

UdpListener::UdpListener(std::string ip, int port, int fd, std::size_t max_datagram,
                         Handler handler)
    : ip_(std::move(ip)),
      port_(port),
      fd_(fd),
      buffer_(max_datagram),
      handler_(std::move(handler)) {}

int UdpListener::duplicate_for_exec() const { return ::dup(fd_); }

UdpListener::~UdpListener() {
  loop_.reset();
  ::close(fd_);
}

void UdpListener::receive() {
  sockaddr_storage from{};
  socklen_t from_length = sizeof from;
  const auto got = ::recvfrom(fd_, buffer_.data(), buffer_.size(), 0,
                              reinterpret_cast<sockaddr*>(&from), &from_length);
  if (got < 0) {
    return;  // EINTR, or an ICMP error of an earlier answer's peer: nothing to answer
  }
  const auto answer = handler_(std::string_view(buffer_.data(), static_cast<std::size_t>(got)));
  if (answer) {
    // A lost answer is retried by the asker; nothing to do about a failed send.
    (void)::sendto(fd_, answer->data(), answer->size(), 0, reinterpret_cast<sockaddr*>(&from),
                   from_length);
  }
}

}  // namespace berth::agent::host
