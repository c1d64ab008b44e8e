#include "client/tiny_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <functional>
#include <stdexcept>

namespace berth::testing {
namespace {

int listen_loopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port = ntohs(address.sin_port);
  return fd;
}

using Reader = std::function<long(char*, std::size_t)>;

// Reads one request (headers, then Content-Length bytes of body).
bool read_request(const Reader& recv_some, SeenRequest& request) {
  std::string data;
  char buffer[4096];
  std::size_t head_end = std::string::npos;
  while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
    const auto n = recv_some(buffer, sizeof buffer);
    if (n <= 0) {
      return false;
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
  const std::string head = data.substr(0, head_end);
  std::size_t line_end = head.find("\r\n");
  const std::string first = head.substr(0, line_end);
  request.method = first.substr(0, first.find(' '));
  request.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
  while (line_end != std::string::npos && line_end < head.size()) {
    const auto start = line_end + 2;
    line_end = head.find("\r\n", start);
    const auto line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    std::string name = line.substr(0, colon);
    std::ranges::transform(name, name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request.headers[name] = value;
  }
  request.body = data.substr(head_end + 4);
  const auto length = request.header("content-length");
  const std::size_t want = length.empty() ? 0 : std::stoul(length);
  while (request.body.size() < want) {
    const auto n = recv_some(buffer, sizeof buffer);
    if (n <= 0) {
      return false;
    }
    request.body.append(buffer, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

TinyHttpServer::TinyHttpServer(Handler handler, std::optional<Tls> tls)
    : handler_(std::move(handler)) {
  if (tls) {
    // SSL_write to a client that refused the certificate and hung up raises SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    SSL_CTX* context = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(context, tls->cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(context, tls->key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      SSL_CTX_free(context);
      throw std::runtime_error("cannot load the test certificate");
    }
    tls_ = context;
  }
  listener_ = listen_loopback(port_);
  thread_ = std::thread([this] { serve(); });
}

TinyHttpServer::~TinyHttpServer() {
  stop_ = true;
  thread_.join();
  ::close(listener_);
  SSL_CTX_free(static_cast<SSL_CTX*>(tls_));
}

std::vector<SeenRequest> TinyHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void TinyHttpServer::serve() {
  while (!stop_) {
    pollfd waiting{.fd = listener_, .events = POLLIN, .revents = 0};
    if (::poll(&waiting, 1, 50) <= 0) {
      continue;
    }
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    SSL* ssl = nullptr;
    if (tls_ != nullptr) {
      ssl = SSL_new(static_cast<SSL_CTX*>(tls_));
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) != 1) {  // the client refused the certificate
        SSL_free(ssl);
        ::close(fd);
        continue;
      }
    }
    const Reader recv_some = [fd, ssl](char* data, std::size_t size) -> long {
      return ssl != nullptr ? SSL_read(ssl, data, static_cast<int>(size))
                            : ::recv(fd, data, size, 0);
    };
    SeenRequest request;
    if (read_request(recv_some, request)) {
      int index = 0;
      {
        std::lock_guard lock(mutex_);
        index = static_cast<int>(requests_.size());
        requests_.push_back(request);
      }
      const std::string bytes = handler_(request, index);
      std::size_t sent = 0;
      while (sent < bytes.size()) {
        const long n =
            ssl != nullptr
                ? SSL_write(ssl, bytes.data() + sent, static_cast<int>(bytes.size() - sent))
                : ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
          break;
        }
        sent += static_cast<std::size_t>(n);
      }
    }
    if (ssl != nullptr) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }
}

std::string TinyHttpServer::answer(int status, const std::string& body,
                                   const std::map<std::string, std::string>& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  for (const auto& [name, value] : headers) {
    out += name + ": " + value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  return out + body;
}

std::uint16_t unused_port() {
  std::uint16_t port = 0;
  const int fd = listen_loopback(port);
  ::close(fd);
  return port;
}

}  // namespace berth::testing
