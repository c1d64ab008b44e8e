#pragma once
// A one-thread HTTP/1.1 server on 127.0.0.1:0 for the client tests: each connection gets one
// request, the handler's raw answer bytes, and is closed — which is also how a test drops a
// stream mid-way. Records every request it saw. With a certificate it speaks TLS.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace berth::testing {

struct SeenRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class TinyHttpServer {
 public:
  /// `handler` gets the request and its index (0, 1, ...) and returns the bytes to send.
  using Handler = std::function<std::string(const SeenRequest&, int)>;
  struct Tls {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
  };
  explicit TinyHttpServer(Handler handler, std::optional<Tls> tls = std::nullopt);
  ~TinyHttpServer();
  TinyHttpServer(const TinyHttpServer&) = delete;
  TinyHttpServer& operator=(const TinyHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }
  std::vector<SeenRequest> requests() const;

  /// A complete response with Content-Length.
  static std::string answer(int status, const std::string& body,
                            const std::map<std::string, std::string>& headers = {});

 private:
  void serve();

  Handler handler_;
  void* tls_ = nullptr;  // SSL_CTX*, kept out of this header
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<SeenRequest> requests_;
  std::thread thread_;
};

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
std::uint16_t unused_port();

}  // namespace berth::testing
