#pragma once
// A TCP proxy on 127.0.0.1:0 in front of berthd that cuts event streams short: the answer to
// each of the first `drops` requests for a path containing "/events" is closed after
// `cut_after` bytes of its body, mid-event as likely as not. Everything else passes whole. One
// connection at a time, which is how the berth CLI uses it.

#include <atomic>
#include <cstdint>
#include <thread>

namespace berth::testing {

class DroppingProxy {
 public:
  DroppingProxy(std::uint16_t upstream_port, int drops, std::size_t cut_after);
  ~DroppingProxy();
  DroppingProxy(const DroppingProxy&) = delete;
  DroppingProxy& operator=(const DroppingProxy&) = delete;

  std::uint16_t port() const { return port_; }
  int dropped() const { return dropped_; }

 private:
  void serve();
  void relay(int client);

  std::uint16_t upstream_port_;
  int drops_;
  std::size_t cut_after_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> dropped_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace berth::testing
