#include "agent/host/caddy_tls_ask.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "agent/host/caddy_config.hpp"

namespace berth::agent::host {
namespace {

// A request head Caddy sends is about 150 bytes; anything longer is not Caddy's ask.
constexpr std::size_t kMaxAskHead = 4096;
constexpr int kAskReadMs = 2000;

Error ask_bind_error(const char* what, int port) {
  return Error{.kind = ErrorKind::unavailable,
               .code = "tls_ask_bind",
               .message = std::string(what) + " 127.0.0.1:" + std::to_string(port) + ": " +
                          std::strerror(errno),
               .internal_detail = {}};
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

}  // namespace

std::optional<std::string> tls_ask_domain(std::string_view head) {
  const std::string prefix = std::string("GET ") + kTlsAskPath + "?domain=";
  if (!head.starts_with(prefix)) {
    return std::nullopt;
  }
  const auto line_end = head.find("\r\n");
  const auto target_end = head.find(' ', prefix.size());
  if (line_end == std::string_view::npos || target_end == std::string_view::npos ||
      target_end > line_end ||
      !head.substr(target_end, line_end - target_end).starts_with(" HTTP/1.")) {
    return std::nullopt;
  }
  std::string name(head.substr(prefix.size(), target_end - prefix.size()));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.empty() || name.size() > 253 || !std::all_of(name.begin(), name.end(), is_name_char)) {
    return std::nullopt;
  }
  return name;
}

Result<std::unique_ptr<TlsAskListener>> TlsAskListener::start(int port, Decide decide) {
  if (port < 0 || port > 65535) {
    errno = EINVAL;
    return fail(ask_bind_error("cannot listen on", port));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(ask_bind_error("cannot open a socket for", port));
  }
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    auto error = ask_bind_error("cannot listen on", port);
    ::close(fd);
    return fail(std::move(error));
  }
  auto listener = std::unique_ptr<TlsAskListener>(
      new TlsAskListener(ntohs(addr.sin_port), fd, std::move(decide)));
  auto loop = ReadableLoop::start(
      fd, [raw = listener.get()] { raw->accept_one(); }, "tls ask " + listener->address(),
      "tls_ask_bind");
  if (!loop) {
    return fail(std::move(loop.error()));  // the listener closes the socket
  }
  listener->loop_ = std::move(*loop);
  return listener;
}

TlsAskListener::TlsAskListener(int port, int fd, Decide decide)
    : port_(port), fd_(fd), decide_(std::move(decide)) {}

TlsAskListener::~TlsAskListener() {
  loop_.reset();
  ::close(fd_);
}

void TlsAskListener::accept_one() {
  const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (client >= 0) {
    answer(client);
    ::close(client);
  }
}

// One request, read until the end of its head within kAskReadMs; one answer; the caller closes.
void TlsAskListener::answer(int client) {
  std::string head;
  char chunk[1024];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kAskReadMs);
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < kMaxAskHead) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd readable{.fd = client, .events = POLLIN, .revents = 0};
    if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) != 1) {
      return;
    }
    const auto got = ::recv(client, chunk, sizeof chunk, 0);
    if (got <= 0) {
      return;
    }
    head.append(chunk, static_cast<std::size_t>(got));
  }
  const auto name = tls_ask_domain(head);
  const char* status = !name ? "400 Bad Request" : decide_(*name) ? "200 OK" : "404 Not Found";
  const std::string reply =
      std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  (void)::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
}

}  // namespace berth::agent::host
