#pragma once
// A stand-in Docker Engine for unit tests: a unix socket in a temporary directory that answers
// each request with what the test's responder returns (raw HTTP), one connection at a time.
// An empty answer keeps the connection open, unanswered, until the engine is destroyed.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace berth::agent::host::testing {

struct SeenRequest {
  std::string method;
  std::string target;
  std::string body;
};

class FakeEngine {
 public:
  using Responder = std::function<std::string(const SeenRequest&)>;
  explicit FakeEngine(Responder responder);
  ~FakeEngine();
  FakeEngine(const FakeEngine&) = delete;
  FakeEngine& operator=(const FakeEngine&) = delete;

  const std::string& socket_path() const { return socket_path_; }
  std::vector<SeenRequest> requests() const;

  /// A complete answer with a JSON (or any) body.
  static std::string answer(int status, const std::string& body);
  /// An answer whose body is sent with chunked transfer encoding, one chunk per element.
  static std::string chunked(int status, const std::vector<std::string>& chunks);

 private:
  void serve();
  void handle(int fd);

  berth::testing::TempDir dir_;
  std::string socket_path_;
  Responder responder_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<SeenRequest> requests_;
  std::thread thread_;
};

}  // namespace berth::agent::host::testing
