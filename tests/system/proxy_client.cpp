#include "system/proxy_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace berth::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The response being read: bytes so far and what the header said.
class Reader {
 public:
  Reader(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}

  // More bytes into buffer_; false on EOF, reset or timeout (error_ says which).
  bool fill() {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    if (left.count() <= 0) {
      error_ = "timeout";
      return false;
    }
    pollfd wanted{.fd = fd_, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&wanted, 1, static_cast<int>(left.count()));
    if (ready <= 0) {
      error_ = ready == 0 ? "timeout" : std::string("poll: ") + std::strerror(errno);
      return false;
    }
    char chunk[16384];
    const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (got <= 0) {
      error_ = got == 0 ? "EOF" : std::string("recv: ") + std::strerror(errno);
      return false;
    }
    received_ += static_cast<std::size_t>(got);
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return true;
  }
  // Bytes up to and including `delimiter`, consumed; nullopt when the peer stopped first.
  std::optional<std::string> until(const std::string& delimiter) {
    for (;;) {
      if (const auto at = buffer_.find(delimiter); at != std::string::npos) {
        std::string out = buffer_.substr(0, at + delimiter.size());
        buffer_.erase(0, at + delimiter.size());
        return out;
      }
      if (!fill()) {
        return std::nullopt;
      }
    }
  }
  std::optional<std::string> exactly(std::size_t count) {
    while (buffer_.size() < count) {
      if (!fill()) {
        return std::nullopt;
      }
    }
    std::string out = buffer_.substr(0, count);
    buffer_.erase(0, count);
    return out;
  }
  std::string rest() {
    while (fill()) {
    }
    return std::move(buffer_);
  }
  std::size_t received() const { return received_; }
  const std::string& error() const { return error_; }

 private:
  int fd_;
  Clock::time_point deadline_;
  std::string buffer_;
  std::size_t received_ = 0;
  std::string error_;
};

std::optional<std::string> chunked_body(Reader& reader) {
  std::string body;
  for (;;) {
    auto size_line = reader.until("\r\n");
    if (!size_line) {
      return std::nullopt;
    }
    const std::size_t size = std::stoul(*size_line, nullptr, 16);
    if (size == 0) {
      // Trailers end with an empty line.
      for (;;) {
        auto trailer = reader.until("\r\n");
        if (!trailer || *trailer == "\r\n") {
          return trailer ? std::optional<std::string>(body) : std::nullopt;
        }
      }
    }
    auto data = reader.exactly(size + 2);
    if (!data) {
      return std::nullopt;
    }
    body += data->substr(0, size);
  }
}

int connect_loopback(std::uint16_t port, std::string& error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    error = std::string("connect: ") + std::strerror(errno);
    if (fd >= 0) {
      ::close(fd);
    }
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

}  // namespace

ProxyConnection::ProxyConnection(std::uint16_t port) : port_(port) {}

ProxyConnection::~ProxyConnection() { close(); }

void ProxyConnection::close() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  fd_ = -1;
  reused_ = false;
}

ProxyReply ProxyConnection::get(const std::string& host, const std::string& path,
                                std::chrono::milliseconds timeout, bool last) {
  if (fd_ < 0) {
    std::string error;
    fd_ = connect_loopback(port_, error);
    if (fd_ < 0) {
      return {.kind = ProxyReply::Kind::failed, .status = 0, .body = {}, .error = error};
    }
  }
  ProxyReply reply =
      exchange("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: berth-test\r\n" +
                   (last ? "Connection: close\r\n" : "") + "\r\n",
               timeout);
  if (reply.kind != ProxyReply::Kind::ok) {
    close();
  }
  return reply;
}

ProxyReply ProxyConnection::exchange(const std::string& request,
                                     std::chrono::milliseconds timeout) {
  const bool reused = reused_;
  auto closed_early = [&](const std::string& what, std::size_t received) {
    // Only a kept connection that said nothing at all may be retried; a fresh one may not.
    const bool retry = reused && received == 0;
    return ProxyReply{.kind = retry ? ProxyReply::Kind::retryable : ProxyReply::Kind::failed,
                      .status = 0,
                      .body = {},
                      .error = what + (reused ? " (reused connection, " : " (new connection, ") +
                               std::to_string(received) + " response bytes)"};
  };
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t wrote = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (wrote <= 0) {
      return closed_early(std::string("send: ") + std::strerror(errno), 0);
    }
    sent += static_cast<std::size_t>(wrote);
  }
  Reader reader(fd_, Clock::now() + timeout);
  auto head = reader.until("\r\n\r\n");
  if (!head) {
    return closed_early(reader.error(), reader.received());
  }
  ProxyReply reply{.kind = ProxyReply::Kind::ok, .status = 0, .body = {}, .error = {}};
  if (head->size() < 12 || !head->starts_with("HTTP/1.")) {
    return {.kind = ProxyReply::Kind::failed, .status = 0, .body = {}, .error = "bad status line"};
  }
  reply.status = std::stoi(head->substr(9, 3));
  std::optional<std::size_t> length;
  bool chunked = false;
  bool close_after = false;
  std::size_t line_start = head->find("\r\n") + 2;
  while (line_start < head->size()) {
    const std::size_t line_end = head->find("\r\n", line_start);
    const std::string line = head->substr(line_start, line_end - line_start);
    line_start = line_end + 2;
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    const std::string name = lower(line.substr(0, colon));
    std::string value = lower(line.substr(colon + 1));
    value.erase(0, value.find_first_not_of(' '));
    if (name == "content-length") {
      length = std::stoul(value);
    } else if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) {
      chunked = true;
    } else if (name == "connection" && value.find("close") != std::string::npos) {
      close_after = true;
    }
  }
  std::optional<std::string> body;
  if (chunked) {
    body = chunked_body(reader);
  } else if (length) {
    body = reader.exactly(*length);
  } else {
    body = reader.rest();  // framed by the close
    close_after = true;
  }
  if (!body) {
    return {.kind = ProxyReply::Kind::failed,
            .status = reply.status,
            .body = {},
            .error = "body cut short: " + reader.error()};
  }
  reply.body = std::move(*body);
  reused_ = true;
  if (close_after) {
    close();
  }
  return reply;
}

ProxyReply http_get(std::uint16_t port, const std::string& host, const std::string& path,
                    std::chrono::milliseconds timeout) {
  ProxyConnection connection(port);
  return connection.get(host, path, timeout, /*last=*/true);
}

}  // namespace berth::testing
