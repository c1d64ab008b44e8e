#include "integration/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace berth::testing {

namespace {

int connect_loopback(std::uint16_t port, int& error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    error = errno;
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

}  // namespace

RawConnection::RawConnection(std::uint16_t port) {
  int error = 0;
  fd_ = connect_loopback(port, error);
  if (fd_ < 0) {
    throw std::runtime_error(std::string("connect failed: ") + std::strerror(error));
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool RawConnection::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

RawConnection::Read RawConnection::fill(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) {
    return Read::timeout;
  }
  pollfd pfd{.fd = fd_, .events = POLLIN, .revents = 0};
  if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
    return Read::timeout;
  }
  char chunk[8192];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    return Read::closed;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return Read::data;
}

std::optional<HttpResponse> RawConnection::read_response(std::chrono::milliseconds timeout,
                                                         bool answer_to_head) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (fill(deadline) != Read::data) {
      return std::nullopt;
    }
  }
  HttpResponse response;
  const std::string head = buffer_.substr(0, head_end);
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  response.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
  while (line_end != std::string::npos && line_end < head.size()) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      response.headers[lower(line.substr(0, colon))] = value;
    }
  }
  buffer_.erase(0, head_end + 4);
  const std::size_t length = !answer_to_head && response.headers.contains("content-length")
                                 ? std::stoul(response.headers["content-length"])
                                 : 0;
  while (buffer_.size() < length) {
    if (fill(deadline) != Read::data) {
      return std::nullopt;
    }
  }
  response.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return response;
}

bool RawConnection::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Read read = Read::data;
  while (read == Read::data) {
    read = fill(deadline);
  }
  return read == Read::closed;
}

std::string RawConnection::read_until_closed(std::chrono::milliseconds timeout) {
  wait_closed(timeout);
  return std::exchange(buffer_, {});
}

HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body,
                          const std::map<std::string, std::string>& headers) {
  RawConnection connection(port);
  std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) {
    request += name + ": " + value + "\r\n";
  }
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  connection.send(request);
  auto response = connection.read_response();
  if (!response) {
    throw std::runtime_error("no response to " + method + " " + target);
  }
  return *response;
}

bool connection_refused(std::uint16_t port) {
  int error = 0;
  const int fd = connect_loopback(port, error);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return error == ECONNREFUSED;
}

}  // namespace berth::testing
