#pragma once
/// The agent's answer to Caddy's on-demand TLS "ask": before Caddy gets a certificate for a
/// name a client gave in its TLS handshake, it asks GET <ask URL>?domain=<name>, and gets one
/// only on a 2xx (caddy_config.hpp). The agent answers from the route table it has applied
/// (tls_ask_names()), so a domain added to an app gets its certificate at its first handshake
/// without a change to Caddy's config, and a name no app has never gets one.
///
/// A TCP listener on 127.0.0.1 only, one thread, one short request per connection
/// (Connection: close). It says nothing beyond yes or no: 200 with an empty body when the name
/// is allowed, 404 when not, 400 for anything but `GET kTlsAskPath?domain=<name>`.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/host/readable_loop.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

/// The `domain` of a request head "GET <kTlsAskPath>?domain=<name> HTTP/1.x\r\n...", lower-cased;
/// nullopt for any other request (another method or path, no or an empty domain, `%` escapes:
/// no name Berth routes needs one).
std::optional<std::string> tls_ask_domain(std::string_view head);

class TlsAskListener {
 public:
  /// Called on the listener's thread for each asked name.
  using Decide = std::function<bool(std::string_view name)>;

  /// Listens on 127.0.0.1:`port` (0 = any free port). Errors: unavailable "tls_ask_bind".
  static Result<std::unique_ptr<TlsAskListener>> start(int port, Decide decide);
  ~TlsAskListener();  // stops and joins the thread
  TlsAskListener(const TlsAskListener&) = delete;
  TlsAskListener& operator=(const TlsAskListener&) = delete;

  int port() const { return port_; }
  /// "127.0.0.1:port", as Caddy's config names it.
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  TlsAskListener(int port, int fd, Decide decide);
  void accept_one();
  void answer(int client);

  int port_ = 0;
  int fd_ = -1;
  Decide decide_;
  std::unique_ptr<ReadableLoop> loop_;  // last: stopped before the members it uses go
};

}  // namespace berth::agent::host
