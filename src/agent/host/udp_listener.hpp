#pragma once
/// A UDP socket on one IPv4 address of this machine with a thread that hands each datagram to
/// a handler and sends back what it returns (if anything). The agent's DNS responder for
/// Caddy's upstreams and the receiver of Caddy's TLS log lines are both one of these.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/host/readable_loop.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

class UdpListener {
 public:
  /// Called on the listener's thread, one datagram at a time; the answer, or nullopt for none.
  using Handler = std::function<std::optional<std::string>(std::string_view datagram)>;

  /// Binds UDP `ip`:`port` (an IPv4 literal; port 0 = any free port) and starts the thread.
  /// Datagrams longer than `max_datagram` are cut to it. Errors: invalid "invalid_args" for
  /// the address (naming `field`), unavailable `bind_code` with the OS message.
  /// `inherited` (>= 0): a UDP socket already bound to `ip` (and `port` unless 0), handed over
  /// by the process this one replaced (duplicate_for_exec), used instead of binding anew.
  static Result<std::unique_ptr<UdpListener>> start(const std::string& ip, int port,
                                                    std::size_t max_datagram, Handler handler,
                                                    std::string_view field,
                                                    std::string_view bind_code, int inherited = -1);
  ~UdpListener();  // stops and joins the thread
  UdpListener(const UdpListener&) = delete;
  UdpListener& operator=(const UdpListener&) = delete;

  int port() const { return port_; }
  /// A descriptor of the same socket that survives execv (no close-on-exec): the agent's next
  /// binary keeps the port, and datagrams sent in between wait in the socket for it.
  int duplicate_for_exec() const;
  /// "ip:port".
  std::string address() const { return ip_ + ":" + std::to_string(port_); }

 private:
  UdpListener(std::string ip, int port, int fd, std::size_t max_datagram, Handler handler);
  void receive();

  std::string ip_;
  int port_ = 0;
  int fd_ = -1;
  std::vector<char> buffer_;  // one datagram, read on the loop's thread
  Handler handler_;
  std::unique_ptr<ReadableLoop> loop_;  // last: stopped before the members it uses go
};

}  // namespace berth::agent::host
