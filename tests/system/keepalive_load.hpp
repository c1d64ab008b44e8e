#pragma once
// Clients on kept-alive connections through Caddy asking one page over and over, counting every
// answer, until stopped: the zero-downtime tests' load.
//
// HTTP allows one thing a failure is not: a client may resend a request on a reused keep-alive
// connection that the server closed before sending any byte of the response (RFC 9112 §9.3.1;
// browsers and curl do). Such retries are counted apart; a failed connect, a reset or EOF after
// response bytes began, a timeout, any non-2xx answer or a body not among `bodies` is a failure.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace berth::testing {

class KeepAliveLoad {
 public:
  /// Starts `clients` threads asking http://127.0.0.1:`port`/ with `Host: host`.
  KeepAliveLoad(std::uint16_t port, std::string host, int clients, std::vector<std::string> bodies);
  ~KeepAliveLoad();
  KeepAliveLoad(const KeepAliveLoad&) = delete;
  KeepAliveLoad& operator=(const KeepAliveLoad&) = delete;

  /// Stops the clients and waits for them.
  void stop();

  std::int64_t ok() const { return ok_.load(); }
  std::int64_t retries() const { return retries_.load(); }
  std::int64_t failures() const { return failures_.load(); }
  /// The first failures, one per line, for a test's failure message.
  std::string failure_samples() const;
  /// "N requests answered 2xx, N retried after an idle close (RFC 9112 9.3.1), N failed".
  std::string summary() const;

 private:
  void client_loop();
  void fail(const std::string& what);

  std::uint16_t port_;
  std::string host_;
  std::vector<std::string> bodies_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> ok_{0};
  std::atomic<std::int64_t> retries_{0};
  std::atomic<std::int64_t> failures_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> samples_;  // the first 20 failures
  std::vector<std::thread> threads_;
};

}  // namespace berth::testing
